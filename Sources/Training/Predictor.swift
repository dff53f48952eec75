// Predictor: a trained job's model on new images — `runner predict` and `runner interpret` — from the job's folder alone.

import Datasets
import Experiments
import Foundation
import Layers
import Tensors

/// A job's folder holds what prediction needs: `job.yaml` (the job's resolved config: architecture,
/// cut, head, image size, resize and normalisation), `classes.json` and `model.safetensors`. Images
/// go through the validation path exactly (decode, resize as `data.resize` says, centre, normalise)
/// in batches of `data.batch_size`, with the model in evaluation mode.
public final class Predictor {
    public struct Prediction: Codable, Equatable, Sendable {
        public var path: String
        /// Index into the job's classes.
        public var predicted: Int
        /// One per class, softmax of the logits (averaged over the views with TTA).
        public var probabilities: [Double]
    }

    public enum PredictError: Error, CustomStringConvertible {
        case notAJob(path: String, missing: String)

        public var description: String {
            switch self {
            case let .notAJob(path, missing):
                return "\(path) is not a trained job's folder (no \(missing)); give a run directory, name/id or name,"
                    + " with --job where it has several jobs, or a jobs/<id> folder"
            }
        }
    }

    public let classes: [String]
    public let config: ExperimentConfig
    let model: TransferModel
    let transforms: Transforms

    /// The files `job` needs, in the order they are read.
    static let files = ["job.yaml", "classes.json", "model.safetensors"]

    public init(job folder: URL) throws {
        for file in Self.files where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
            throw PredictError.notAJob(path: folder.path, missing: file)
        }
        let loaded = try ConfigLoader.load(path: folder.appendingPathComponent("job.yaml").path,
                                           options: .init(checkFiles: false))
        config = loaded.config
        classes = try RunJSON.decode([String].self, from: Data(contentsOf: folder.appendingPathComponent("classes.json")))
        model = try ModelFactory.build(config, classes: classes.count, loadWeights: false)
        try model.loadStateDict(try SafeTensors.read(path: folder.appendingPathComponent("model.safetensors").path),
                                path: folder.appendingPathComponent("model.safetensors").path)
        model.prepare(training: false)
        transforms = DataFactory.transforms(config.data)
    }

    /// Predictions for `paths`, in order. `tta` also runs each image mirrored left to right and
    /// averages the two softmaxes.
    public func predict(_ paths: [String], tta: Bool = false, threads: Int = Parallel.threadCount) throws -> [Prediction] {
        let loader = BatchLoader(source: DecodingImageSource(paths: paths, transforms: transforms),
                                 labels: [Int](repeating: 0, count: paths.count), transforms: transforms,
                                 batchSize: config.data.batchSize, training: false, seed: 0, threads: threads)
        var results: [Prediction] = []
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            var probabilities = Self.softmax(logits(batch.images))
            if tta {
                let mirrored = Self.softmax(logits(Self.mirrored(batch.images)))
                probabilities = zip(probabilities, mirrored).map { zip($0, $1).map { ($0 + $1) / 2 } }
            }
            for (index, row) in zip(batch.indices, probabilities) {
                let best = row.indices.max { row[$0] < row[$1] } ?? 0
                results.append(Prediction(path: paths[index], predicted: best, probabilities: row))
            }
        }
        return results
    }

    private func logits(_ images: Tensor) -> Tensor {
        model.context.withoutInputGradient { model.forward(images) }
    }

    /// Rows of (N, classes) logits as probabilities, computed in Double from the largest logit.
    static func softmax(_ logits: Tensor) -> [[Double]] {
        let (n, k) = (logits.shape[0], logits.shape[1])
        return (0..<n).map { row in
            let values = logits.data[row * k..<(row + 1) * k].map(Double.init)
            let top = values.max() ?? 0
            let exps = values.map { Foundation.exp($0 - top) }
            let sum = exps.reduce(0, +)
            return exps.map { $0 / sum }
        }
    }

    /// (N, C, H, W) images mirrored along W.
    static func mirrored(_ images: Tensor) -> Tensor {
        var result = images
        let width = images.shape[3]
        for row in stride(from: 0, to: images.data.count, by: width) {
            result.data[row..<row + width].reverse()
        }
        return result
    }
}
