// Transforms: an RGBImage → resized (size × size RGBImage, cacheable) → augmented + normalised Float CHW (3, size, size).

import Foundation
import Tensors

/// Two stages. `prepare` is deterministic (decode size hint + resize method) and is what the
/// decode cache stores; `apply` draws the augmentation from the generator it is given — derived
/// per epoch and item by the loader, so the result does not depend on which thread runs it — and
/// resamples once.
public struct Transforms: Equatable, Hashable, Sendable {
    public var size: Int
    public var resize: ResizeMethod
    public var augment: AugmentSettings
    public var normalization: Normalization

    public init(size: Int, resize: ResizeMethod = .crop, augment: AugmentSettings = .standard,
                normalization: Normalization = .imagenet) {
        precondition(size > 0, "the image size must be positive")
        self.size = size
        self.resize = resize
        self.augment = augment
        self.normalization = normalization
    }

    public var decodeHint: ImageDecoder.SizeHint { resize.decodeHint(size: size) }

    /// The fixed-size image every epoch starts from.
    public func prepare(_ decoded: RGBImage) -> RGBImage {
        if decoded.width == size && decoded.height == size { return decoded }
        return ImageResizer.resize(decoded, to: size, method: resize)
    }

    public func decodeAndPrepare(path: String) throws -> RGBImage {
        prepare(try ImageDecoder.decode(contentsOf: path, hint: decodeHint))
    }

    /// The random choices of one training sample.
    public struct Draw: Equatable, Sendable {
        public var homography = Homography.identity
        /// (x0, y0, width, height) of the prepared image that the output covers.
        public var window: (Double, Double, Double, Double)
        /// Added to logit(x) (brightness), then the sum is multiplied by `contrast`.
        public var brightnessLogit: Double = 0
        public var contrast: Double = 1

        public static func == (a: Draw, b: Draw) -> Bool {
            a.homography == b.homography && a.window == b.window
                && a.brightnessLogit == b.brightnessLogit && a.contrast == b.contrast
        }
    }

    /// Draws in a fixed order with every random number consumed whether or not its transform
    /// fires, so changing one probability does not reshuffle the others.
    public func draw(_ rng: inout RandomGenerator) -> Draw {
        let a = augment
        func chance(_ p: Double) -> Bool { Double(rng.nextUnitFloat()) < p }
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(rng.nextUnitFloat()) }
        var result = Draw(window: (0, 0, Double(size), Double(size)))

        if let crop = a.randomResizedCrop { result.window = randomWindow(crop, &rng) }
        let flip = chance(a.flipProbability)
        let warpOn = chance(a.affineProbability)
        let warp = (0..<4).map { _ in uniform(-a.maxWarp, a.maxWarp) }
        let rotateOn = chance(a.affineProbability)
        let angle = uniform(-a.maxRotate, a.maxRotate)
        let zoomOn = chance(a.affineProbability)
        let zoom = uniform(1, a.maxZoom), row = uniform(0, 1), col = uniform(0, 1)
        let brightnessOn = chance(a.lightingProbability)
        let change = uniform(0.5 * (1 - a.maxLighting), 0.5 * (1 + a.maxLighting))
        let contrastOn = chance(a.lightingProbability)
        let low = log(max(1e-6, 1 - a.maxLighting))
        let contrast = exp(uniform(low, -low))

        // fastai applies the affine matrix to the output grid, then the coordinate (warp) transform.
        var affine = Homography.identity
        if flip { affine = affine.after(.flipHorizontal) }
        if rotateOn && a.maxRotate != 0 { affine = affine.after(.rotation(degrees: angle)) }
        if zoomOn && a.maxZoom != 1 { affine = affine.after(.zoom(scale: zoom, rowFraction: row, colFraction: col)) }
        result.homography = (warpOn && a.maxWarp != 0) ? Homography.symmetricWarp(warp).after(affine) : affine
        if brightnessOn && a.maxLighting != 0 { result.brightnessLogit = log(change / (1 - change)) }
        if contrastOn && a.maxLighting != 0 { result.contrast = contrast }
        return result
    }

    /// torchvision's RandomResizedCrop window: ten tries at a random area and aspect ratio, then the whole image.
    func randomWindow(_ crop: AugmentSettings.RandomResizedCrop, _ rng: inout RandomGenerator) -> (Double, Double, Double, Double) {
        let side = Double(size), area = side * side
        for _ in 0..<10 {
            let target = area * (crop.minScale + (1 - crop.minScale) * Double(rng.nextUnitFloat()))
            let logLow = log(crop.ratio.lowerBound), logHigh = log(crop.ratio.upperBound)
            let ratio = exp(logLow + (logHigh - logLow) * Double(rng.nextUnitFloat()))
            let w = (target * ratio).squareRoot(), h = (target / ratio).squareRoot()
            let u = Double(rng.nextUnitFloat()), v = Double(rng.nextUnitFloat())
            if w <= side && h <= side { return ((side - w) * u, (side - h) * v, w, h) }
        }
        return (0, 0, side, side)
    }

    /// Lighting as fastai does it, in logit space: sigmoid((logit(x) + brightness) · contrast).
    static func tone(brightnessLogit: Double, contrast: Double) -> (Float) -> Float {
        if brightnessLogit == 0 && contrast == 1 { return { $0 } }
        return { x in
            if x <= 0 { return 0 }
            if x >= 1 { return 1 }
            let logit = log(Double(x) / (1 - Double(x)))
            return Float(1 / (1 + exp(-(logit + brightnessLogit) * contrast)))
        }
    }

    /// Writes 3 × size × size floats at `output`. Validation (`rng == nil`) is the deterministic
    /// centre path: the prepared image, normalised.
    public func apply(_ prepared: RGBImage, rng: inout RandomGenerator?, into output: UnsafeMutablePointer<Float>) {
        let image = prepare(prepared)
        guard var generator = rng else {
            let tables = normalization.tables()
            let plane = size * size
            image.pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<plane {
                    output[i] = tables[0][Int(pixels[3 * i])]
                    output[plane + i] = tables[1][Int(pixels[3 * i + 1])]
                    output[2 * plane + i] = tables[2][Int(pixels[3 * i + 2])]
                }
            }
            return
        }
        let d = draw(&generator)
        rng = generator
        let tables = normalization.tables(tone: Self.tone(brightnessLogit: d.brightnessLogit, contrast: d.contrast))
        AffineResampler.resample(image, homography: d.homography, window: d.window, outputSize: size,
                                 padding: .reflection, tables: tables, into: output)
    }

    /// Convenience for tests and single images: a (3, size, size) tensor.
    public func apply(_ prepared: RGBImage, training rng: RandomGenerator?) -> Tensor {
        var generator = rng
        return Tensor(uninitializedShape: [3, size, size]) { apply(prepared, rng: &generator, into: $0) }
    }
}
