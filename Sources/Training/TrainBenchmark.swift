// TrainBenchmark: training images/s of a torchvision network in the modes of shared/tools/torch_baseline.py.

import Foundation
import Layers
import Optimizers
import Tensors

/// One training step = forward + cross-entropy + backward + AdamW step on random data, 37 classes,
/// exactly what torch_baseline.py times, so the two are comparable run for run.
public enum TrainBenchmark {
    public enum Mode: String, CaseIterable, Sendable {
        /// Every parameter trainable.
        case train
        /// fastai's freeze(): body convolutions frozen, body BatchNorm and the classifier trainable.
        case frozen
        /// Body fully frozen with its BatchNorm in evaluation mode; only the classifier trains.
        case frozenNoBN = "frozen-nobn"
    }

    public struct Result: Sendable {
        public var arch: String
        public var size: Int
        public var batch: Int
        public var mode: Mode
        public var threads: Int
        public var imagesPerSecond: Double
        public var peakRSSMegabytes: Double

        public init(arch: String, size: Int, batch: Int, mode: Mode, threads: Int, imagesPerSecond: Double,
                    peakRSSMegabytes: Double) {
            self.arch = arch
            self.size = size
            self.batch = batch
            self.mode = mode
            self.threads = threads
            self.imagesPerSecond = imagesPerSecond
            self.peakRSSMegabytes = peakRSSMegabytes
        }
    }

    public static func run(arch: Architecture, size: Int, batch: Int, mode: Mode, threads: Int,
                           seconds: Double = 8) throws -> Result {
        setThreadCount(threads)
        var rng = RandomGenerator(seed: 0, purpose: "bench")
        let model = arch.build(numClasses: 37, rng: &rng)
        let classifier = model.children.last?.name ?? ""
        var members: [ParameterGroup.Member] = []
        for (name, module) in model.namedModules() where module.children.isEmpty {
            let inHead = name == classifier || name.hasPrefix(classifier + ".")
            for (parameterName, parameter) in module.parameters {
                let isBN = module is BatchNormLayer
                parameter.requiresGrad = mode == .train || inHead || (mode == .frozen && isBN)
                members.append(ParameterGroup.Member(key: name + "." + parameterName, parameter: parameter,
                                                     isNormOrBias: isBN || parameterName == "bias"))
            }
        }
        let optimizer = try AdamW(groups: [ParameterGroup(members: members,
                                                          hyper: .fastai1Adam(learningRate: 1e-3))])
        model.train()
        if mode == .frozenNoBN {
            for (name, module) in model.namedModules() where module is BatchNormLayer && !name.hasPrefix(classifier) {
                module.isTraining = false
            }
        }
        let input = Tensor.normal([batch, 3, size, size], rng: &rng)
        let targets = (0..<batch).map { $0 % 37 }
        let trainStep = TrainStep(model: model, context: model.context, loss: CrossEntropyLoss(), optimizer: optimizer)
        func step() { trainStep(input, labels: targets) }
        for _ in 0..<2 { step() }
        let watch = Stopwatch()
        var steps = 0
        while steps < 3 || watch.elapsedSeconds < seconds {
            step()
            steps += 1
        }
        let elapsed = watch.elapsedSeconds
        return Result(arch: arch.rawValue, size: size, batch: batch, mode: mode, threads: threads,
                      imagesPerSecond: Double(steps * batch) / elapsed, peakRSSMegabytes: peakRSSMegabytes())
    }

    /// The process's peak resident set (ru_maxrss is in KiB on Linux).
    public static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
