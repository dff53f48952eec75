// AugmentSettings: the knobs of training-time augmentation; `standard` is fastai v1's get_transforms() defaults.

public struct AugmentSettings: Equatable, Hashable, Sendable {
    /// Probability of a left–right flip.
    public var flipProbability: Double = 0.5
    /// Rotation uniform in ±maxRotate degrees.
    public var maxRotate: Double = 10
    /// Zoom uniform in 1…maxZoom about a random centre.
    public var maxZoom: Double = 1.1
    /// Perspective warp: each corner magnitude uniform in ±maxWarp.
    public var maxWarp: Double = 0.2
    /// Probability of each of warp, rotate and zoom, drawn independently.
    public var affineProbability: Double = 0.75
    /// Brightness in 0.5(1 ± maxLighting), contrast log-uniform in (1 − maxLighting, 1/(1 − maxLighting)).
    public var maxLighting: Double = 0.2
    /// Probability of each of brightness and contrast.
    public var lightingProbability: Double = 0.75
    /// fastai v2 / torchvision RandomResizedCrop: area fraction and aspect-ratio ranges; nil leaves it out.
    public var randomResizedCrop: RandomResizedCrop?

    public struct RandomResizedCrop: Equatable, Hashable, Sendable {
        public var minScale: Double = 0.08
        public var ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)
        public init(minScale: Double = 0.08, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
            self.minScale = minScale
            self.ratio = ratio
        }
    }

    public init(flipProbability: Double = 0.5, maxRotate: Double = 10, maxZoom: Double = 1.1, maxWarp: Double = 0.2,
                affineProbability: Double = 0.75, maxLighting: Double = 0.2, lightingProbability: Double = 0.75,
                randomResizedCrop: RandomResizedCrop? = nil) {
        self.flipProbability = flipProbability
        self.maxRotate = maxRotate
        self.maxZoom = maxZoom
        self.maxWarp = maxWarp
        self.affineProbability = affineProbability
        self.maxLighting = maxLighting
        self.lightingProbability = lightingProbability
        self.randomResizedCrop = randomResizedCrop
    }

    /// fastai v1 `get_transforms()`.
    public static let standard = AugmentSettings()

    /// Nothing random: training sees what validation sees.
    public static let none = AugmentSettings(flipProbability: 0, maxRotate: 0, maxZoom: 1, maxWarp: 0,
                                             affineProbability: 0, maxLighting: 0, lightingProbability: 0)
}
