// ContentDigest: the content identities of a job's inputs — its data's file list, its weights file's SHA-256.

import Datasets
import Downloads
import Foundation
import Layers

/// A node is reused only while what it read is unchanged: a data folder whose images were replaced
/// or a weights file overwritten at the same path gives its node, and every node after it, a new
/// identity, so the stages train again instead of logging old metrics under new data.
public enum ContentDigest {
    /// SHA-256 over every item, train then valid: its path, label, size and modification time.
    /// Stat calls only (a few milliseconds for thousands of images): a replaced image changes its
    /// size or time, and hashing every image's bytes would cost a full read of the dataset per plan.
    public static func items(_ items: SplitItems) throws -> String {
        var text = ""
        for (part, list) in [("train", items.train), ("valid", items.valid)] {
            for item in list {
                guard let status = try FileStatus.of(item.path) else {
                    throw DataError.unreadable(path: item.path, detail: "it was listed but is gone")
                }
                text += "\(part)\t\(item.path)\t\(item.label)\t\(status.size)\t\(status.mtimeNanoseconds)\n"
            }
        }
        return "files:" + FileDigest.sha256(bytes: Array(text.utf8))
    }

    /// SHA-256 of a weights file. Remembered under the cache (`digests/`) by path, size and
    /// modification time, so an unchanged file of hundreds of MB is hashed once, not per run.
    public static func weightsFile(_ path: String) throws -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let status = try FileStatus.of(absolute) else {
            throw WeightsError.unreadable(path: path, reason: "no such file")
        }
        let key = "\(absolute)\t\(status.size)\t\(status.mtimeNanoseconds)"
        let record = (RemoteFiles.root as NSString).appendingPathComponent("digests/" + FileDigest.sha256(bytes: Array(absolute.utf8)))
        if let text = try? String(contentsOfFile: record, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 2, lines[0] == key, lines[1].count == 64 { return "sha256:" + lines[1] }
        }
        let digest = try FileDigest.sha256(path: absolute)
        // A cache that cannot be written (a read-only home) only means hashing again next time.
        try? FileManager.default.createDirectory(atPath: (record as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? (key + "\n" + digest + "\n").write(toFile: record, atomically: true, encoding: .utf8)
        return "sha256:" + digest
    }
}
