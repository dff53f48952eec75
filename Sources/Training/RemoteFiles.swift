// RemoteFiles: where downloaded weights and datasets live in Runner's cache, and fetching them there on first use.

import Downloads
import Experiments
import Foundation

/// The cache is `$RUNNER_CACHE`, else `$XDG_CACHE_HOME/runner`, else `~/.cache/runner`:
/// `weights/<torchvision file>.pth` with its `.safetensors` conversion beside it, and
/// `datasets/<archive>` with the archive unpacked into `datasets/<archive stem>/`. A file copied in
/// by hand is picked up from there or from the cache folder itself, and verified like a download.
/// `RUNNER_OFFLINE=1` never touches the network.
public enum RemoteFiles {
    public static var root: String { CacheDirectory.root() }
    public static var offline: Bool { ProcessInfo.processInfo.environment["RUNNER_OFFLINE"] == "1" }

    public static func weightsFolder() -> String { (root as NSString).appendingPathComponent("weights") }
    public static func datasetsFolder() -> String { (root as NSString).appendingPathComponent("datasets") }

    /// Where a file is picked up: the first existing of `<folder>/<name>` and `<root>/<name>`,
    /// else where a download would put it.
    static func location(of name: String, in folder: String) -> (path: String, present: Bool) {
        let preferred = (folder as NSString).appendingPathComponent(name)
        for candidate in [preferred, (root as NSString).appendingPathComponent(name)]
            where FileManager.default.fileExists(atPath: candidate) {
            return (candidate, true)
        }
        return (preferred, false)
    }

    /// The file in place and verified, downloading it first if needed (with a progress bar on a
    /// terminal unless `quiet`).
    static func fetch(url: String, name: String, folder: String, check: IntegrityCheck, quiet: Bool) throws -> DownloadResult {
        let (path, _) = location(of: name, in: folder)
        let progress: DownloadProgress? = quiet ? nil : TerminalDownloadProgress(label: name)
        return try Downloader.fetch(DownloadRequest(url: url, destination: path, check: check), offline: offline,
                                    progress: progress)
    }
}
