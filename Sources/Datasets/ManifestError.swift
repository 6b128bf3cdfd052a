import Core

/// Why a manifest could not be built. Every case names the file (and the line, for CSV rows) and says what to
/// fix; `description` is the message a stage prints before it stops. Lines are 1-based, the header is line 1.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The labels CSV does not exist.
    case missingCSV(path: String)
    /// The CSV or a folder exists but could not be read.
    case unreadable(path: String, reason: String)
    /// The CSV is not valid RFC 4180 (unterminated quote, wrong number of fields, empty path …).
    case malformedCSV(path: String, line: Int, reason: String)
    /// The CSV has no header line (it is empty or blank).
    case missingHeader(path: String)
    /// The header has no column called `column`.
    case missingColumn(path: String, column: String, header: [String])
    /// A row's labels field is empty, or one of its `;`-separated labels is.
    case emptyLabel(path: String, line: Int)
    /// A row names an image file that does not exist (`image` as written in the CSV, `resolved` as looked up).
    case missingImage(path: String, line: Int, image: String, resolved: String)
    /// Two rows name the same image file.
    case duplicatePath(path: String, line: Int, firstLine: Int, image: String)
    /// The class-folder root does not exist or is not a folder.
    case missingFolder(path: String)
    /// A class folder holds no .png / .jpg / .jpeg file.
    case emptyClassFolder(path: String)
    /// The CSV has no rows, or the root has no class folders.
    case noImages(path: String)
    /// The CSV is not valid UTF-8 or holds a NUL byte (file, line, byte offset: `StrictText`).
    case invalidText(TextDecodingError)
    /// A row names an image outside the dataset folder (`../`, an absolute path) and outside paths are not allowed.
    case outsideRoot(path: String, line: Int, image: String, root: String)

    public var description: String {
        switch self {
        case .missingCSV(let path):
            return "\(path): labels CSV not found; check the path, or create it with the header `path,labels`"
        case .unreadable(let path, let reason):
            return "\(path): cannot read (\(reason)); check the path and its permissions"
        case .malformedCSV(let path, let line, let reason):
            return "\(path):\(line): malformed CSV (\(reason)); fix that row (quote fields that contain commas: "
                + "\"a,b\")"
        case .missingHeader(let path):
            return "\(path): no header line; the first line must name the columns, e.g. `path,labels`"
        case .missingColumn(let path, let column, let header):
            return "\(path):1: no column `\(column)` in the header (found: \(header.joined(separator: ", "))); "
                + "rename the column, or pass the right column name"
        case .emptyLabel(let path, let line):
            return "\(path):\(line): empty label; give every row at least one label, separated by `;` "
                + "(no empty items such as `a;;b`), or remove the row"
        case .missingImage(let path, let line, let image, let resolved):
            return "\(path):\(line): image `\(image)` not found (looked for \(resolved)); paths are relative to "
                + "the CSV's folder: fix the path, restore the file, or remove the row"
        case .duplicatePath(let path, let line, let firstLine, let image):
            return "\(path):\(line): image `\(image)` is listed again (first on line \(firstLine)); "
                + "merge the labels into one row and remove the other"
        case .missingFolder(let path):
            return "\(path): folder not found; pass the folder that holds one subfolder per class"
        case .emptyClassFolder(let path):
            return "\(path): class folder has no .png/.jpg/.jpeg images; add images or remove the folder"
        case .invalidText(let error):
            return error.description
        case .outsideRoot(let path, let line, let image, let root):
            return "\(path):\(line): image `\(image)` is outside the dataset folder \(root); a labels CSV may only name "
                + "files under it: move the image under \(root) and list it relative to it, or, if you mean it, allow "
                + "outside paths (\"allow_outside_paths\": true in the dataset, --allow-outside-paths on the command line)"
        case .noImages(let path):
            return "\(path): no images listed; a CSV needs rows after its header, and a class-folder root needs "
                + "one subfolder of images per class"
        }
    }
}
