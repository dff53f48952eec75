// RemoteDataset: a `source: url` or `source: fastai` dataset — its archive fetched, verified and unpacked in the cache.

import Archives
import Downloads
import Experiments
import Foundation

public enum RemoteDataset {
    /// Where the archive is unpacked: `datasets/<archive name without its extension>`.
    static func folder(for remote: DataConfig.Remote) -> String {
        var stem = archiveName(remote)
        for suffix in [".tar.gz", ".tgz", ".zip", ".tar"] where stem.hasSuffix(suffix) {
            stem = String(stem.dropLast(suffix.count))
            break
        }
        return (RemoteFiles.datasetsFolder() as NSString).appendingPathComponent(stem)
    }

    static func archiveName(_ remote: DataConfig.Remote) -> String {
        let name = String(remote.url.split(separator: "/").last ?? "dataset")
        return name.split(separator: "?").first.map(String.init) ?? name
    }

    static func check(_ remote: DataConfig.Remote) -> IntegrityCheck {
        switch remote {
        case let .url(_, sha256?): return .sha256(sha256)
        case .url: return .none
        case let .fastai(dataset): return .fastai(size: dataset.size, md5OfFirstMiB: dataset.md5OfFirstMiB)
        }
    }

    /// The data as a plain folder source if its archive is already unpacked, else nil.
    public static func local(_ data: DataConfig) -> DataConfig? {
        guard let remote = data.remote else { return data }
        let unpacked = folder(for: remote)
        guard FileManager.default.fileExists(atPath: unpacked) else { return nil }
        return asFolder(data, root: unpacked)
    }

    /// The data as a plain folder source, fetching and unpacking the archive first if needed.
    /// Returns the archive's SHA-256 too (nil for data that is not remote).
    public static func prepare(_ data: DataConfig, quiet: Bool = false,
                               log: (String) -> Void = { _ in }) throws -> (data: DataConfig, sha256: String?) {
        guard let remote = data.remote else { return (data, nil) }
        let unpacked = folder(for: remote)
        let archive = try RemoteFiles.fetch(url: remote.url, name: archiveName(remote), folder: RemoteFiles.datasetsFolder(),
                                            check: check(remote), quiet: quiet)
        try FileLock.withLock(unpacked + ".lock") {
            guard !FileManager.default.fileExists(atPath: unpacked) else { return }
            log("unpacking \(archive.path) into \(unpacked)")
            let summary = try ArchiveExtractor.extract(archive: archive.path, to: unpacked)
            log("unpacked \(summary.files) files (\(summary.bytes / 1_000_000) MB)")
        }
        return (asFolder(data, root: unpacked), archive.sha256)
    }

    /// What `runner validate` says instead of downloading; nil when the dataset is in place.
    public static func pendingDownload(_ data: DataConfig) -> String? {
        guard let remote = data.remote, local(data) == nil else { return nil }
        let archive = RemoteFiles.location(of: archiveName(remote), in: RemoteFiles.datasetsFolder())
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
