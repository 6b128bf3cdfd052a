import Foundation

/// Where a path listed in a labels CSV points: the ONE check that keeps a CSV from naming any file on the host.
///
/// A listed path is resolved against the dataset folder `root` (absolute paths as they are), `./` and `../`
/// are folded lexically (`URL.standardizedFileURL`), and the result must lie under `root` unless the user allowed
/// outside paths explicitly (`allow_outside_paths` in a config's `folder` dataset, `--allow-outside-paths` on the
/// command line). Symbolic links inside `root` are followed as the filesystem does: whoever can place a link in
/// the dataset folder already chose what it holds.
///
/// ```swift
/// let file = try DatasetPath.resolve("jpg/0001.jpg", under: root, allowOutside: false, listing: csv, line: 2)
/// ```
public enum DatasetPath {
    /// The absolute, standardized path of `listed`; `ManifestError.outsideRoot` (naming `listing` and `line`) when it
    /// leaves `root` and `allowOutside` is false.
    public static func resolve(_ listed: String, under root: URL, allowOutside: Bool, listing: String, line: Int)
        throws(ManifestError) -> String {
        let base = root.standardizedFileURL
        let resolved = (listed.hasPrefix("/") ? URL(fileURLWithPath: listed) : base.appendingPathComponent(listed))
            .standardizedFileURL.path
        guard allowOutside || isInside(resolved, root: base.path) else {
            throw .outsideRoot(path: listing, line: line, image: listed, root: base.path)
        }
        return resolved
    }

    /// True when the standardized `path` is `root` or below it (component-wise: `/data2` is not under `/data`).
    static func isInside(_ path: String, root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}
