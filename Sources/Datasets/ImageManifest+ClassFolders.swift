import Foundation

/// Reading a manifest from a folder with one subfolder per class (the ImageNet / torchvision `ImageFolder`
/// layout):
///
///     root/daffodil/image_0001.jpg
///     root/daffodil/image_0002.png
///     root/snowdrop/image_0081.JPEG
///
/// Each entry has one label, its folder's name. Classes are the subfolders in sorted order; inside each, the
/// files ending in .png, .jpg or .jpeg (any case) in sorted order. Hidden names (starting with `.`), other
/// files, files directly under `root` and deeper subfolders are ignored. Sorting is Swift `String` order, so
/// the manifest is the same on every machine and every rank.
extension ImageManifest {
    /// The image extensions a class folder is scanned for, compared lowercased.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    public static func fromClassFolders(root: String) throws(ManifestError) -> ImageManifest {
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        guard isDirectory(rootURL.path) else { throw .missingFolder(path: root) }

        let classes = try visibleNames(in: rootURL.path).filter { isDirectory(rootURL.appendingPathComponent($0).path) }
        guard !classes.isEmpty else { throw .noImages(path: root) }

        var entries: [Entry] = []
        for className in classes {
            let folder = rootURL.appendingPathComponent(className)
            let images = try visibleNames(in: folder.path).filter { name in
                let url = folder.appendingPathComponent(name)
                return imageExtensions.contains(url.pathExtension.lowercased()) && !isDirectory(url.path)
            }
            guard !images.isEmpty else { throw .emptyClassFolder(path: folder.path) }
            entries += images.map { Entry(path: folder.appendingPathComponent($0).path, labels: [className]) }
        }
        return ImageManifest(entries: entries)
    }

    /// The sorted names in `path` that do not start with `.`.
    private static func visibleNames(in path: String) throws(ManifestError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
