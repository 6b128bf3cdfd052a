/// A path tidied by its text alone (no file system access): `.` parts and `name/..` pairs removed, repeated `/`
/// collapsed, leading `..` kept; `""` and all-removed relative paths become `.`.
///
///     lexicallyNormalized("data/pipelines/../../out/default") == "out/default"
///     lexicallyNormalized("/a/./b//../c") == "/a/c"
///     lexicallyNormalized("../x/../../y") == "../../y"
///
/// (Symbolic links are not followed, so `a/../b` may name another file than `b` when `a` is a link to elsewhere;
/// Tributary uses it only to print and store paths it composed itself.)
public func lexicallyNormalized(_ path: String) -> String {
    lexicalComponents(path).isEmpty && !path.hasPrefix("/") ? "."
        : (path.hasPrefix("/") ? "/" : "") + lexicalComponents(path).joined(separator: "/")
}

/// The parts of `lexicallyNormalized(path)` (without the leading `/` of an absolute path).
public func lexicalComponents(_ path: String) -> [String] {
    var parts: [String] = []
    for part in path.split(separator: "/").map(String.init) where part != "." {
        if part == "..", let last = parts.last, last != ".." { parts.removeLast() } else if part == "..", path.hasPrefix("/") {
            continue  // above the root is the root
        } else { parts.append(part) }
    }
    return parts
}
