// PretrainedWeights: the state dict `model.weights` names — a file read as it is, or torchvision's ImageNet weights from the cache.

import Downloads
import Experiments
import Foundation
import Layers

public enum PretrainedWeights {
    /// The state dict and a label for messages; ImageNet weights are downloaded, verified and
    /// converted first when missing. `readOnly` (for checks) reads what is in the cache as it is
    /// and writes nothing.
    public static func stateDict(_ weights: ModelConfig.Weights, arch: ArchitectureName, quiet: Bool = false,
                                 readOnly: Bool = false,
                                 log: (String) -> Void = { _ in }) throws -> (stateDict: SafeTensors, label: String)? {
        switch weights {
        case let .file(file):
            let loaded = try WeightsFile.read(path: file.path,
                                              selection: StateDictSelection(key: file.key, stripPrefix: file.stripPrefix))
            for note in loaded.notes { log("weights \(file.path): \(note)") }
            return (loaded.stateDict, file.path)
        case let .imagenet(variant):
            guard let entry = ImageNetWeights.find(arch, variant: variant) else {
                throw WeightsError.unreadable(path: "imagenet", reason: "torchvision has no ImageNet \(variant ?? "V1") weights for \(arch.rawValue)")
            }
            if readOnly, let path = cachedPath(entry) {
                return (try WeightsFile.read(path: path).stateDict, path)
            }
            let path = try converted(entry, quiet: quiet)
            return (try SafeTensors.read(path: path), path)
        case .pretrain:
            return nil
        }
    }

    /// The safetensors conversion of `entry`, made once from the verified .pth beside it.
    public static func converted(_ entry: ImageNetWeights, quiet: Bool) throws -> String {
        let folder = RemoteFiles.weightsFolder()
        let target = (folder as NSString).appendingPathComponent(entry.safetensorsName)
        if FileManager.default.fileExists(atPath: target) { return target }
        let download = try RemoteFiles.fetch(url: entry.url, name: entry.fileName, folder: folder,
                                             check: .sha256Prefix(entry.sha256Prefix), quiet: quiet)
        try FileLock.withLock(target + ".lock") {
            // Another runner may have converted it while this one waited.
            guard !FileManager.default.fileExists(atPath: target) else { return }
            let state = try WeightsFile.read(path: download.path).stateDict
            try state.write(path: target)
        }
        return target
    }

    /// What `runner validate` says instead of downloading: nil when nothing is missing.
    public static func pendingDownload(_ weights: ModelConfig.Weights?, arch: ArchitectureName) -> String? {
        guard case let .imagenet(variant)? = weights, let entry = ImageNetWeights.find(arch, variant: variant) else {
            return nil
        }
        guard cachedPath(entry) == nil else { return nil }
        return "\(arch.rawValue) ImageNet \(entry.variant) weights would be downloaded from \(entry.url)"
            + " to \(downloadPath(entry))"
    }

    /// The converted or downloaded file in the cache, if there is one.
    public static func cachedPath(_ entry: ImageNetWeights) -> String? {
        let folder = RemoteFiles.weightsFolder()
        let converted = (folder as NSString).appendingPathComponent(entry.safetensorsName)
        if FileManager.default.fileExists(atPath: converted) { return converted }
        let download = RemoteFiles.location(of: entry.fileName, in: folder)
        return download.present ? download.path : nil
    }

    /// Where a download goes, and where a copied file is picked up.
    public static func downloadPath(_ entry: ImageNetWeights) -> String {
        RemoteFiles.location(of: entry.fileName, in: RemoteFiles.weightsFolder()).path
    }

    /// Whether the state dict can be read without downloading (for checks that must not fetch).
    public static func isLocal(_ weights: ModelConfig.Weights?, arch: ArchitectureName) -> Bool {
        pendingDownload(weights, arch: arch) == nil
    }
}
