// Preset: every default in the experiment file, in one place — those that depend on the fastai version and those that do not.

/// A preset fills only what the file leaves out; anything written in the file wins.
public enum Preset: String, CaseIterable, Equatable, Sendable {
    case fastai1, fastai2, fastai07

    public static let `default`: Preset = .fastai1

    // MARK: Defaults shared by every preset

    static let seed = 42
    static let imageSize = 224
    /// The embedded dataset is drawn small so that a config runs anywhere in seconds.
    static let generatedImageSize = 64
    static let batchSize = 64
    static let resize = DataConfig.Resize.crop
    static let valid = ValidSplit.random(pct: 0.2, seed: 42)
    static let trainFolder = "train"
    static let badFiles = DataConfig.BadFiles.fail
    /// PIL's `Image.MAX_IMAGE_PIXELS`; equal to `ImageDecoder.defaultMaxPixels` (a test checks).
    public static let maxPixels = 89_478_485
    static let normalization = NormalizeConfig.imagenet
    static let generated = DataConfig.Generated(variant: .source, classes: 10, imagesPerClass: 60)
    static let csvPathColumn = "name"
    static let csvLabelColumn = "label"
    /// fastai v1 `get_transforms()` defaults; `augment: standard` means exactly these.
    static let standardAugment = AugmentConfig(flip: true, maxRotate: 10, maxZoom: 1.1, maxLighting: 0.2,
                                               maxWarp: 0.2, pAffine: 0.75, pLighting: 0.75)
    static let noAugment = AugmentConfig(flip: false, maxRotate: 0, maxZoom: 1, maxLighting: 0, maxWarp: 0,
                                         pAffine: 0, pLighting: 0)
    static let loss = TrainConfig.Loss.crossEntropy
    static let labelSmoothing = 0.0
    public static let metrics: [Metric] = [.errorRate]
    static let topK = 5
    static let linFtrs = [512]
    static let concatPool = true
    static let bnFinal = false
    static let firstBN = true
    static let linFirst = false
    /// Without a sweep a run has one job; this is its id.
    static let singleJobID = "main"

    // MARK: Defaults that follow the fastai version

    var optimizerName: OptimizerConfig.Name {
        self == .fastai07 ? .sgd : .adam
    }

    /// Everything about the optimizer except what the file sets. `true_wd` is forced on for AdamW,
    /// which is decoupled weight decay by definition.
    func optimizer(named name: OptimizerConfig.Name) -> OptimizerConfig {
        switch self {
        case .fastai1:
            // v1: AdamW = partial(Adam, betas=(0.9, 0.99)), torch eps; Learner wd 1e-2, true_wd, bn_wd.
            return OptimizerConfig(name: name, wd: 1e-2, betas: [0.9, 0.99], eps: 1e-8, trueWD: true, bnWD: true,
                                   momentum: 0.9)
        case .fastai2:
            // v2: fastai Adam(mom .9, sqr_mom .99, eps 1e-5, wd 0.01, decoupled); wd_bn_bias=False.
            return OptimizerConfig(name: name, wd: 1e-2, betas: [0.9, 0.99], eps: 1e-5, trueWD: true, bnWD: false,
                                   momentum: 0.9)
        case .fastai07:
            // 0.7: SGD_Momentum(0.9), wds 0 (plain L2 when set); Adam there was torch's own.
            return OptimizerConfig(name: name, wd: 0, betas: [0.9, 0.999], eps: 1e-8, trueWD: name == .adamw,
                                   bnWD: true, momentum: 0.9)
        }
    }

    var trainBN: Bool { self != .fastai07 }
    var bnStats: TrainConfig.BNStats { self == .fastai07 ? .freeze : .update }

    /// `defaults.lr`; 0.7 had none, so a 0.7 stage must say its rate.
    var learningRate: LearningRate? {
        switch self {
        case .fastai1: return .slice(start: nil, end: 3e-3)
        case .fastai2: return .constant(1e-3)
        case .fastai07: return nil
        }
    }

    /// 0.7's `fit` kept the rate constant unless a cycle was asked for.
    var policy: StageConfig.PolicyName { self == .fastai07 ? .constant : .oneCycle }

    var pctStart: Double { self == .fastai2 ? 0.25 : 0.3 }
    var div: Double { 25 }

    /// v1's `final_div` defaults to `div·1e4` (so it follows a div written in the file); v2's is a constant.
    func finalDiv(div: Double) -> Double {
        self == .fastai2 ? 1e5 : div * 1e4
    }

    var moms: [Double] { self == .fastai2 ? [0.95, 0.85, 0.95] : [0.95, 0.85] }

    /// v1/v2: one p, halved for hidden blocks by the head builder. 0.7: 0.25 per hidden block, 0.5 last.
    func headDropout(linFtrs: [Int]) -> HeadConfig.Dropout {
        switch self {
        case .fastai1, .fastai2: return .single(0.5)
        case .fastai07: return .perLayer(Array(repeating: 0.25, count: linFtrs.count) + [0.5])
        }
    }
}
