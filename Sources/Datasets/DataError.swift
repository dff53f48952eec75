// DataError: what went wrong while finding, labelling, decoding or caching images; every case names the file or folder.

import Diagnostics

public enum DataError: Error, Equatable, CustomStringConvertible, Sendable {
    case emptyFile(path: String)
    case truncated(path: String, detail: String)
    case notAnImage(path: String)
    case unsupportedFormat(path: String, format: String)
    case corrupt(path: String, detail: String)
    case unreadable(path: String, detail: String)
    case folderMissing(path: String)
    case noImages(path: String)
    case invalidPattern(pattern: String, detail: String)
    case patternDoesNotMatch(path: String, pattern: String)
    case singleClass(source: String, label: String)
    case splitFolderMissing(path: String)
    case emptySplit(source: String, split: String)
    case malformedCSV(path: String, line: Int, detail: String)
    case missingColumn(path: String, column: String)
    case cacheInvalid(path: String, detail: String)
    case writeFailed(path: String, detail: String)
    case invalidArgument(String)
    /// An image whose header claims more pixels than the limit (a decompression bomb, or a photo
    /// far larger than training needs).
    case tooManyPixels(path: String, width: Int, height: Int, limit: Int)
    /// Every image that could not be decoded, with `bad_files: fail`.
    case badFiles([BadFile])

    public struct BadFile: Codable, Equatable, Sendable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// The file or folder the error is about, for callers that collect bad files.
    public var path: String? {
        switch self {
        case .emptyFile(let path), .truncated(let path, _), .notAnImage(let path),
             .unsupportedFormat(let path, _), .corrupt(let path, _), .unreadable(let path, _),
             .folderMissing(let path), .noImages(let path), .patternDoesNotMatch(let path, _),
             .splitFolderMissing(let path), .malformedCSV(let path, _, _), .missingColumn(let path, _),
             .cacheInvalid(let path, _), .writeFailed(let path, _):
            return path
        case .singleClass(let source, _), .emptySplit(let source, _):
            return source
        case .badFiles(let files):
            return files.first?.path
        case .tooManyPixels(let path, _, _, _):
            return path
        case .invalidPattern, .invalidArgument:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .emptyFile(let path): return "\(TerminalText.name(path)): the file is empty (zero bytes)"
        case .truncated(let path, let detail): return "\(TerminalText.name(path)): the image is truncated (\(detail))"
        case .notAnImage(let path): return "\(TerminalText.name(path)): not an image (neither JPEG nor PNG data)"
        case .unsupportedFormat(let path, let format):
            return "\(TerminalText.name(path)): \(format) images are not supported; convert it to JPEG or PNG"
        case .corrupt(let path, let detail): return "\(TerminalText.name(path)): the image is corrupt (\(detail))"
        case .unreadable(let path, let detail): return "\(TerminalText.name(path)): cannot read the file (\(detail))"
        case .folderMissing(let path): return "\(TerminalText.name(path)): no such folder"
        case .noImages(let path): return "\(TerminalText.name(path)): no images (.jpg, .jpeg or .png) in this folder or below"
        case .invalidPattern(let pattern, let detail): return "label pattern `\(pattern)` is not a valid regex (\(detail))"
        case .patternDoesNotMatch(let path, let pattern):
            return "\(TerminalText.name(path)): the file name does not match the label pattern `\(pattern)`"
        case .singleClass(let source, let label):
            return "\(source): every item has the label `\(label)`; a classifier needs at least two classes"
        case .splitFolderMissing(let path): return "\(TerminalText.name(path)): the validation split needs this folder, which does not exist"
        case .emptySplit(let source, let split): return "\(source): the \(split) set is empty"
        case .malformedCSV(let path, let line, let detail): return "\(TerminalText.name(path)):\(line): \(detail)"
        case .missingColumn(let path, let column): return "\(TerminalText.name(path)): no column `\(column)` in the header"
        case .cacheInvalid(let path, let detail): return "\(TerminalText.name(path)): the decode cache is unusable (\(detail))"
        case .writeFailed(let path, let detail): return "\(TerminalText.name(path)): cannot write (\(detail))"
        case .tooManyPixels(let path, let width, let height, let limit):
            return "\(TerminalText.name(path)): the image claims \(width)×\(height) = \(width * height) pixels, over the limit of \(limit)"
                + " (data.max_pixels); raise the limit if the image is genuine"
        case .badFiles(let files):
            let shown = files.prefix(10).map { "  \($0.reason)" }
            return "\(files.count) image\(files.count == 1 ? "" : "s") cannot be read (bad_files: fail):\n"
                + (shown + (files.count > 10 ? ["  … and \(files.count - 10) more"] : [])).joined(separator: "\n")
                + "\nRemove or fix them, or set `data.bad_files: skip` to leave them out (they are then listed in the run)"
        case .invalidArgument(let detail): return detail
        }
    }
}
