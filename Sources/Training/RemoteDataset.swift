// RemoteDataset: a `source: url` or `source: fastai` dataset — its archive fetched, verified and unpacked in the cache.

import Archives
import Downloads
import Experiments
import Foundation

public enum RemoteDataset {
    /// Written into an unpacked folder: the SHA-256 of the archive it came from. A folder whose
    /// archive has changed since is unpacked again, and the hash is the data node's identity.
    static let marker = ".runner-archive-sha256"

    static func folder(for remote: DataConfig.Remote) -> String {
        (RemoteFiles.datasetsFolder() as NSString).appendingPathComponent(remote.folderName)
    }

    static func check(_ remote: DataConfig.Remote) -> IntegrityCheck {
        switch remote {
        case let .url(_, sha256?): return .sha256(sha256)
        case .url: return .none
        case let .fastai(dataset): return .fastai(size: dataset.size, md5OfFirstMiB: dataset.md5OfFirstMiB)
        }
    }

    /// The SHA-256 of the archive `remote` was last unpacked from, if it is unpacked.
    static func unpackedHash(_ remote: DataConfig.Remote) -> String? {
        let path = (folder(for: remote) as NSString).appendingPathComponent(marker)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let hash = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return hash.count == 64 ? hash : nil
    }

    /// The data as a plain folder source if its archive is already unpacked, else nil.
    public static func local(_ data: DataConfig) -> DataConfig? {
        guard let remote = data.remote else { return data }
        guard unpackedHash(remote) != nil else { return nil }
        return asFolder(data, root: folder(for: remote))
    }

    /// The data as a plain folder source, fetching and unpacking the archive first if needed.
    /// Returns the archive's SHA-256 too (nil for data that is not remote).
    public static func prepare(_ data: DataConfig, quiet: Bool = false,
                               log: (String) -> Void = { _ in }) throws -> (data: DataConfig, sha256: String?) {
        guard let remote = data.remote else { return (data, nil) }
        let unpacked = folder(for: remote)
        let archive = try RemoteFiles.fetch(url: remote.url, name: remote.archiveName, folder: RemoteFiles.datasetsFolder(),
                                            check: check(remote), quiet: quiet)
        try FileLock.withLock(unpacked + ".lock") {
            if unpackedHash(remote) == archive.sha256 { return }
            let manager = FileManager.default
            // A folder from another archive (or an unpacking that died before its marker) goes.
            if manager.fileExists(atPath: unpacked) {
                let stale = unpacked + ".stale-\(getpid())"
                try manager.moveItem(atPath: unpacked, toPath: stale)
                try manager.removeItem(atPath: stale)
            }
            log("unpacking \(archive.path) into \(unpacked)")
            let summary = try ArchiveExtractor.extract(archive: archive.path, to: unpacked)
            try (archive.sha256 + "\n").write(toFile: (unpacked as NSString).appendingPathComponent(marker),
                                               atomically: true, encoding: .utf8)
            log("unpacked \(summary.files) files (\(summary.bytes / 1_000_000) MB)")
        }
        return (asFolder(data, root: unpacked), archive.sha256)
    }

    /// What `runner validate` says instead of downloading; nil when the dataset is in place.
    public static func pendingDownload(_ data: DataConfig) -> String? {
        guard let remote = data.remote, local(data) == nil else { return nil }
        let archive = RemoteFiles.location(of: remote.archiveName, in: RemoteFiles.datasetsFolder())
        if archive.present { return "\(archive.path) would be verified and unpacked into \(folder(for: remote))" }
        return "the dataset would be downloaded from \(remote.url) to \(archive.path) and unpacked into \(folder(for: remote))"
    }

    private static func asFolder(_ data: DataConfig, root: String) -> DataConfig {
        var local = data
        local.source = .folder
        local.remote = nil
        local.path = data.path.map { $0.isEmpty ? root : (root as NSString).appendingPathComponent($0) } ?? root
        return local
    }
}
