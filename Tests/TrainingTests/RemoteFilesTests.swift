// RemoteFilesTests: ImageNet weights and url/fastai datasets through Runner's cache — fetched, verified, converted or unpacked once.

import Downloads
@testable import Experiments
import Foundation
import Layers
@testable import Training
import XCTest

final class RemoteFilesTests: XCTestCase {
    private var cache: URL!
    private var source: URL!
    private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    override func setUpWithError() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("remote-\(UUID().uuidString)")
        cache = base.appendingPathComponent("cache")
        source = base.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        setenv("RUNNER_CACHE", cache.path, 1)
        unsetenv("RUNNER_OFFLINE")
    }

    override func tearDownWithError() throws {
        unsetenv("RUNNER_CACHE")
        unsetenv("RUNNER_OFFLINE")
        try? FileManager.default.removeItem(at: cache.deletingLastPathComponent())
    }

    private var squeezenet: String { repository.appendingPathComponent("Tests/LayersTests/Fixtures/pth/squeezenet1_1.pth").path }

    /// The fixture published under a torch.hub-style name carrying its own SHA-256 prefix.
    private func published() throws -> ImageNetWeights {
        let prefix = String(try FileDigest.sha256(path: squeezenet).prefix(8))
        let file = source.appendingPathComponent("squeezenet1_1-\(prefix).pth")
        try FileManager.default.copyItem(atPath: squeezenet, toPath: file.path)
        return ImageNetWeights(arch: .squeezenet1_1, variant: "V1", url: file.absoluteString)
    }

    func testImageNetWeightsAreFetchedVerifiedAndConvertedOnce() throws {
        let entry = try published()
        XCTAssertNil(PretrainedWeights.cachedPath(entry))
        let converted = try PretrainedWeights.converted(entry, quiet: true)
        XCTAssertEqual(converted, cache.appendingPathComponent("weights/\(entry.safetensorsName)").path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.appendingPathComponent("weights/\(entry.fileName)").path))
        let expected = try SafeTensors.read(path: repository
            .appendingPathComponent("Tests/LayersTests/Fixtures/pth/squeezenet1_1.safetensors").path)
        XCTAssertEqual(try SafeTensors.read(path: converted).tensors, expected.tensors)
        // The second call needs neither the source nor the network.
        try FileManager.default.removeItem(at: source)
        XCTAssertEqual(try PretrainedWeights.converted(entry, quiet: true), converted)
        XCTAssertEqual(PretrainedWeights.cachedPath(entry), converted)
    }

    func testAHandCopiedFileIsVerifiedAgainstItsNamesHash() throws {
        // A file copied into the cache folder itself under the catalogue's name, but with other bytes.
        let entry = try XCTUnwrap(ImageNetWeights.find(.squeezenet1_1, variant: nil))
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: squeezenet, toPath: cache.appendingPathComponent(entry.fileName).path)
        XCTAssertNil(PretrainedWeights.pendingDownload(.imagenet(variant: nil), arch: .squeezenet1_1))
        XCTAssertThrowsError(try PretrainedWeights.converted(entry, quiet: true)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(entry.fileName) && text.contains("b8a52dc0"), text)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.appendingPathComponent("weights/\(entry.safetensorsName)").path))
    }

    func testOfflineNamesTheURLAndWhereACopyIsPickedUp() throws {
        setenv("RUNNER_OFFLINE", "1", 1)
        let entry = try XCTUnwrap(ImageNetWeights.find(.resnet34, variant: nil))
        let pending = try XCTUnwrap(PretrainedWeights.pendingDownload(.imagenet(variant: nil), arch: .resnet34))
        XCTAssertTrue(pending.contains(entry.url) && pending.contains(cache.appendingPathComponent("weights").path), pending)
        XCTAssertThrowsError(try PretrainedWeights.converted(entry, quiet: true)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("https://download.pytorch.org/models/resnet34-b627a593.pth"), text)
            XCTAssertTrue(text.contains(cache.appendingPathComponent("weights/resnet34-b627a593.pth").path), text)
        }
    }

    /// What the reader detected about a checkpoint's layout reaches the run's log.
    func testADetectedCheckpointLayoutIsLogged() throws {
        let path = repository.appendingPathComponent("Tests/LayersTests/Fixtures/pth/variants.pth").path
        var lines: [String] = []
        let loaded = try PretrainedWeights.stateDict(.file(.init(path: path)), arch: .resnet18) { lines.append($0) }
        XCTAssertEqual(loaded?.stateDict.tensors.count, 9)
        XCTAssertEqual(lines, ["weights \(path): took the state dict from the checkpoint's `model` entry",
                               "weights \(path): dropped the `module.` prefix of every key"])
    }

    func testEveryArchitectureHasImageNetWeights() {
        for arch in ArchitectureName.allCases {
            let entry = ImageNetWeights.find(arch, variant: nil)
            XCTAssertNotNil(entry, arch.rawValue)
            XCTAssertEqual(entry?.sha256Prefix.count, 8, arch.rawValue)
            XCTAssertTrue(entry?.fileName.hasPrefix(arch.rawValue.replacingOccurrences(of: "_bn", with: "")) ?? false)
        }
        XCTAssertEqual(ImageNetWeights.find(.resnet50, variant: "IMAGENET1K_V2")?.fileName, "resnet50-11ad3fa6.pth")
        XCTAssertEqual(ImageNetWeights.find(.resnet50, variant: "v2")?.fileName, "resnet50-11ad3fa6.pth")
        XCTAssertNil(ImageNetWeights.find(.resnet34, variant: "V2"))
    }

    func testAURLDatasetIsVerifiedUnpackedAndListed() throws {
        let archive = repository.appendingPathComponent("Tests/ArchivesTests/Fixtures/pets.tgz")
        let hash = try FileDigest.sha256(path: archive.path)
        let yaml = """
            version: 1
            data:
              source: url
              url: \(archive.absoluteString)
              sha256: \(hash)
              path: pets/images
              labels: {from: filename, pattern: '^([A-Za-z]+)_.*\\.jpg$'}
              valid: {pct: 0.25, seed: 1}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """
        let config = try ConfigLoader.load(yaml: yaml, path: "url.yaml", options: .init(checkFiles: true)).config
        XCTAssertNil(RemoteDataset.local(config.data))
        XCTAssertNil(try DataFactory.items(config.data))
        XCTAssertNotNil(RemoteDataset.pendingDownload(config.data))
        let (local, sha256) = try RemoteDataset.prepare(config.data, quiet: true)
        XCTAssertEqual(sha256, hash)
        XCTAssertEqual(local.source, .folder)
        let remote = try XCTUnwrap(config.data.remote)
        XCTAssertTrue(remote.archiveName.hasSuffix("-pets.tgz") && remote.folderName == remote.archiveName.dropLast(4))
        XCTAssertEqual(local.path, cache.appendingPathComponent("datasets/\(remote.folderName)/pets/images").path)
        let items = try XCTUnwrap(try DataFactory.items(config.data))
        XCTAssertEqual(items.classes, ["Abyssinian", "Bengal", "Birman", "beagle"].sorted())
        XCTAssertNil(RemoteDataset.pendingDownload(config.data))

        var wrong = config.data
        wrong.remote = .url(archive.absoluteString, sha256: String(repeating: "0", count: 64))
        try FileManager.default.removeItem(at: cache)
        XCTAssertThrowsError(try RemoteDataset.prepare(wrong, quiet: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache.appendingPathComponent("datasets/\(remote.folderName)").path))
    }

    func testAnUnpackedFolderFollowsItsArchive() throws {
        let archives = repository.appendingPathComponent("Tests/ArchivesTests/Fixtures")
        let url = source.appendingPathComponent("data.tgz")
        try FileManager.default.copyItem(at: archives.appendingPathComponent("pets.tgz"), to: url)
        let yaml = """
            version: 1
            data: {source: url, url: \(url.absoluteString), path: pets/images, labels: {from: filename, pattern: '^([A-Za-z]+)_'}}
            model: {arch: resnet18}
            schedule:
              - {name: frozen, freeze_to: -1, epochs: 1, lr: 1e-3}
            """
        let loaded = try ConfigLoader.load(yaml: yaml, path: "u.yaml", options: .init(checkFiles: false))
        let data = loaded.config.data
        let remote = try XCTUnwrap(data.remote)
        var messages: [String] = []
        let first = try RemoteDataset.prepare(data, quiet: true) { messages.append($0) }
        XCTAssertEqual(messages.filter { $0.hasPrefix("unpacking") }.count, 1)
        _ = try RemoteDataset.prepare(data, quiet: true) { messages.append($0) }
        XCTAssertEqual(messages.filter { $0.hasPrefix("unpacking") }.count, 1, "the same archive was unpacked twice")
        // The data node is identified by the archive's hash and the unpacked files.
        let facts = TransferFacts()
        XCTAssertEqual(try facts.dataContent(loaded.config)?.hasPrefix("archive:" + XCTUnwrap(first.sha256)), true)
        let before = try Planner.plan(loaded, facts: facts)

        // The cached archive replaced, as a new download would: the folder is unpacked anew, and the
        // hash the plan identifies the data node by follows the new content.
        let cached = cache.appendingPathComponent("datasets/\(remote.archiveName)")
        try FileManager.default.removeItem(at: cached)
        try? FileManager.default.removeItem(atPath: cached.path + ".sha256")
        try FileManager.default.copyItem(at: archives.appendingPathComponent("pets.zip"), to: cached)
        let second = try RemoteDataset.prepare(data, quiet: true) { messages.append($0) }
        XCTAssertEqual(messages.filter { $0.hasPrefix("unpacking") }.count, 2)
        XCTAssertNotEqual(first.sha256, second.sha256)
        XCTAssertEqual(try TransferFacts().dataContent(loaded.config)?.hasPrefix("archive:" + XCTUnwrap(second.sha256)), true)
        let after = try Planner.plan(loaded, facts: TransferFacts())
        XCTAssertNotEqual(before.nodes.map(\.id), after.nodes.map(\.id), "new content kept the old node ids")
    }
}
