// AugmentConfig: the training-time augmentation knobs of fastai's get_transforms.

public struct AugmentConfig: Equatable, Sendable {
    public var flip: Bool
    /// Degrees.
    public var maxRotate: Double
    /// A scale factor ≥ 1.
    public var maxZoom: Double
    public var maxLighting: Double
    public var maxWarp: Double
    public var pAffine: Double
    public var pLighting: Double

    public init(flip: Bool, maxRotate: Double, maxZoom: Double, maxLighting: Double, maxWarp: Double,
                pAffine: Double, pLighting: Double) {
        self.flip = flip
        self.maxRotate = maxRotate
        self.maxZoom = maxZoom
        self.maxLighting = maxLighting
        self.maxWarp = maxWarp
        self.pAffine = pAffine
        self.pLighting = pLighting
    }

    /// Every training image comes out as it went in: no transform can fire or none changes anything.
    public var isIdentity: Bool {
        !flip && (pAffine == 0 || (maxRotate == 0 && maxZoom == 1 && maxWarp == 0))
            && (pLighting == 0 || maxLighting == 0)
    }

    public static var standard: AugmentConfig { Preset.standardAugment }
    public static var none: AugmentConfig { Preset.noAugment }

    enum Key: String, ConfigKey {
        case flip
        case maxRotate = "max_rotate"
        case maxZoom = "max_zoom"
        case maxLighting = "max_lighting"
        case maxWarp = "max_warp"
        case pAffine = "p_affine"
        case pLighting = "p_lighting"
    }

    enum Keyword: String, CaseIterable {
        case none, standard
    }

    static let schema = ConfigSchema.fields(Key.self)

    /// `none`, `standard`, or a mapping whose missing knobs take the standard values.
    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> AugmentConfig {
        if node.scalar != nil {
            switch r.choice(node, path, Keyword.self) {
            case .none?: return .none
            case .standard?, nil: return .standard
            }
        }
        guard let f = r.fields(node, path, Key.self) else { return .standard }
        var a = AugmentConfig.standard
        if let n = f[.flip] { a.flip = r.bool(n, f.path(.flip)) ?? a.flip }
        if let n = f[.maxRotate] { a.maxRotate = r.number(n, f.path(.maxRotate), .nonNegative) ?? a.maxRotate }
        if let n = f[.maxZoom] { a.maxZoom = r.number(n, f.path(.maxZoom), .atLeast(1)) ?? a.maxZoom }
        if let n = f[.maxLighting] { a.maxLighting = r.number(n, f.path(.maxLighting), .unitOpen) ?? a.maxLighting }
        if let n = f[.maxWarp] { a.maxWarp = r.number(n, f.path(.maxWarp), .unitOpen) ?? a.maxWarp }
        if let n = f[.pAffine] { a.pAffine = r.number(n, f.path(.pAffine), .unitClosed) ?? a.pAffine }
        if let n = f[.pLighting] { a.pLighting = r.number(n, f.path(.pLighting), .unitClosed) ?? a.pLighting }
        return a
    }

    var node: ConfigNode {
        if self == .standard { return .string(Keyword.standard.rawValue) }
        if self == .none { return .string(Keyword.none.rawValue) }
        return .map([("flip", .bool(flip)), ("max_rotate", .number(maxRotate)), ("max_zoom", .number(maxZoom)),
                     ("max_lighting", .number(maxLighting)), ("max_warp", .number(maxWarp)),
                     ("p_affine", .number(pAffine)), ("p_lighting", .number(pLighting))])
    }
}
