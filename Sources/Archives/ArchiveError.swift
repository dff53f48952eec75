// ArchiveError: why an archive was not unpacked, naming the archive, the entry and what to do.

public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    /// Why an entry is refused: each would let the archive write or point outside the extraction folder,
    /// or create something a dataset never needs.
    public enum UnsafeReason: Equatable, Sendable, CustomStringConvertible {
        case emptyPath
        case absolutePath
        case parentComponent
        case symlinkAbsolute(target: String)
        case symlinkOutside(target: String)
        case hardlinkOutside(target: String)
        /// A hard link to a symlink would be a copy of it in another folder, where its relative target
        /// means something else.
        case hardlinkToSymlink(target: String)
        case throughSymlink(link: String)
        case specialFile(kind: String)

        public var description: String {
            switch self {
            case .emptyPath: return "has an empty path"
            case .absolutePath: return "has an absolute path"
            case .parentComponent: return "has a `..` component, which climbs out of the extraction folder"
            case .symlinkAbsolute(let target): return "is a symlink to the absolute path `\(target)`"
            case .symlinkOutside(let target): return "is a symlink to `\(target)`, which leads outside the extraction folder"
            case .hardlinkOutside(let target): return "is a hard link to `\(target)`, outside the extraction folder"
            case .hardlinkToSymlink(let target): return "is a hard link to `\(target)`, which is or passes through a symlink"
            case .throughSymlink(let link): return "would be written through the symlink `\(link)`"
            case .specialFile(let kind): return "is a \(kind) (device, FIFO and socket entries are never extracted)"
            }
        }
    }

    case archiveNotFound(path: String)
    /// The destination must not exist: extraction never merges into or overwrites a folder.
    case destinationExists(path: String)
    case unsafeEntry(archive: String, entry: String, reason: UnsafeReason)
    /// libarchive could not read the archive: truncated, corrupt, or not an archive. `entry` is the entry being
    /// read, if any.
    case unreadable(archive: String, entry: String?, detail: String)
    /// An entry could not be written to disk.
    case cannotWrite(archive: String, entry: String?, detail: String)
    /// A file-system call on the destination or its temporary folder failed.
    case fileSystem(path: String, operation: String, detail: String)

    public var description: String {
        switch self {
        case .archiveNotFound(let path):
            return "archive \(path) not found (or not a regular file); check the path or download it again"
        case .destinationExists(let path):
            return "cannot unpack into \(path): it already exists; remove it first (or use it as it is)"
        case let .unsafeEntry(archive, entry, reason):
            return "refusing to unpack \(archive): entry `\(entry)` \(reason); nothing was extracted. The archive is"
                + " damaged or was not made for unpacking safely — get it again from a trusted source"
        case let .unreadable(archive, entry, detail):
            return "cannot read \(archive)" + (entry.map { " at entry `\($0)`" } ?? "")
                + ": \(detail); the archive is truncated or corrupt — delete it and download it again."
                + " Nothing was extracted"
        case let .cannotWrite(archive, entry, detail):
            return "could not write " + (entry.map { "entry `\($0)` of " } ?? "the contents of ") + "\(archive): \(detail);"
                + " check free space and permissions. Nothing was extracted"
        case let .fileSystem(path, operation, detail):
            return "could not \(operation) \(path): \(detail); check that the folder is writable and the disk is not full"
        }
    }
}
