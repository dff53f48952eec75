// ArchiveExtractor: unpacks a dataset archive all or nothing — into a temporary sibling folder that becomes
// the destination only once every entry is written, refusing entries that would escape it.

import Foundation

public enum ArchiveExtractor {
    /// How entry paths reach the extraction folder; `automatic` prefers a private working directory
    /// (so libarchive's NOABSOLUTEPATHS check applies) and falls back to absolute paths.
    enum Placement {
        case automatic
        case absolutePaths
    }

    /// Unpacks a .tgz/.tar.gz/.tar/.zip (whatever libarchive reads) into `destination`, which must not exist yet:
    /// entries are written under a temporary sibling folder that is renamed to `destination` only when every
    /// entry is written. On any error nothing is left behind.
    public static func extract(archive: String, to destination: String) throws -> ExtractionSummary {
        try extract(archive: archive, to: destination, placement: .automatic)
    }

    static func extract(archive: String, to destination: String, placement: Placement) throws -> ExtractionSummary {
        let archivePath = absolute(archive)
        let target = absolute(destination)
        var info = stat()
        guard stat(archivePath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ArchiveError.archiveNotFound(path: archive)
        }
        guard !exists(target) else { throw ArchiveError.destinationExists(path: destination) }
        let parent = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError.fileSystem(path: parent, operation: "create the folder",
                                          detail: (error as NSError).localizedDescription)
        }
        // A sibling, so the final rename stays on one file system; hidden, so a half-written tree is not
        // mistaken for a dataset.
        let name = (target as NSString).lastPathComponent
        removeAbandonedFolders(in: parent, for: name)
        let temporary = parent + "/" + temporaryPrefix(name) + "\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        guard mkdir(temporary, 0o755) == 0 else {
            throw ArchiveError.fileSystem(path: temporary, operation: "create the folder", detail: errnoText())
        }
        do {
            let summary = try unpack(archivePath, into: temporary, placement: placement)
            // Checked again: rename(2) would silently replace an empty folder created meanwhile.
            guard !exists(target) else { throw ArchiveError.destinationExists(path: destination) }
            guard rename(temporary, target) == 0 else {
                throw ArchiveError.fileSystem(path: target, operation: "move the unpacked folder to", detail: errnoText())
            }
            return summary
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    private static func unpack(_ archive: String, into folder: String, placement: Placement) throws -> ExtractionSummary {
        if placement == .automatic,
           let summary = try PrivateWorkingDirectory.run(in: folder, { try DiskUnpacker(archive: archive, folder: nil).run() }) {
            return summary
        }
        // SECURE_SYMLINKS refuses to write through any symlink on the path, including the folder's own ancestors
        // (a symlinked cache folder), so the folder is given by its real path.
        guard let real = realpath(folder, nil) else {
            throw ArchiveError.fileSystem(path: folder, operation: "resolve", detail: errnoText())
        }
        defer { free(real) }
        return try DiskUnpacker(archive: archive, folder: String(cString: real)).run()
    }

    private static func temporaryPrefix(_ name: String) -> String { ".\(name).unpacking-" }

    /// A killed extraction leaves its temporary folder behind (a dataset can be gigabytes). One whose process
    /// is gone is removed; one whose process still runs (or whose id was reused) is left alone.
    private static func removeAbandonedFolders(in parent: String, for name: String) {
        let prefix = temporaryPrefix(name)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    private static func absolute(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
