// Transforms: an RGBImage → prepared (cacheable, shorter side = size) → augmented + normalised Float CHW (3, size, size).

import Foundation
import Tensors

/// Two stages. `prepare` is deterministic (decode size hint + resize method) and is what the
/// decode cache stores; `apply` draws the augmentation from the generator it is given — derived
/// per epoch and item by the loader, so the result does not depend on which thread runs it — and
/// resamples once.
///
/// For `.crop`, `prepare` keeps up to `cropMargin` × size of the longer side rather than cutting
/// the centre square, because fastai's training crop (`rand_crop`) takes the square at a random
/// position along the longer side; validation takes the centre.
public struct Transforms: Equatable, Hashable, Sendable {
    public var size: Int
    public var resize: ResizeMethod
    public var augment: AugmentSettings
    public var normalization: Normalization
    /// Images whose header claims more pixels are refused before decoding.
    public var maxPixels = ImageDecoder.defaultMaxPixels

    /// The longest longer side `prepare` keeps for `.crop`, as a multiple of `size`: 1.5 keeps
    /// all of a 3:2 photo and bounds the cache record.
    public static let cropMargin = 1.5

    public init(size: Int, resize: ResizeMethod = .crop, augment: AugmentSettings = .standard,
                normalization: Normalization = .imagenet) {
        precondition(size > 0, "the image size must be positive")
        self.size = size
        self.resize = resize
        self.augment = augment
        self.normalization = normalization
    }

    public var decodeHint: ImageDecoder.SizeHint { resize.decodeHint(size: size) }

    /// The longer side of a prepared image is at most this; the shorter is `size`.
    public var maxPreparedSide: Int {
        resize == .crop ? Int((Double(size) * Self.cropMargin).rounded(.down)) : size
    }

    /// The image every epoch starts from: shorter side `size` (`.crop`), or size × size.
    public func prepare(_ decoded: RGBImage) -> RGBImage {
        guard resize == .crop else {
            if decoded.width == size && decoded.height == size { return decoded }
            return ImageResizer.resize(decoded, to: size, method: resize)
        }
        if min(decoded.width, decoded.height) == size && max(decoded.width, decoded.height) <= maxPreparedSide {
            return decoded
        }
        return ImageResizer.resizeShorterSide(decoded, to: size, maxLongerSide: maxPreparedSide)
    }

    public func decodeAndPrepare(path: String) throws -> RGBImage {
        prepare(try ImageDecoder.decode(contentsOf: path, hint: decodeHint, maxPixels: maxPixels))
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

    /// Draws for a prepared image of `width` × `height`, in a fixed order with every random
    /// number consumed whether or not its transform fires, so changing one probability does not
    /// reshuffle the others.
    public func draw(width: Int, height: Int, _ rng: inout RandomGenerator) -> Draw {
        let a = augment
        func chance(_ p: Double) -> Bool { Double(rng.nextUnitFloat()) < p }
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(rng.nextUnitFloat()) }
        let s = Double(size)
        // fastai `rand_crop`: the square at a random place along the longer side.
        let row = uniform(0, 1), col = uniform(0, 1)
        var result = Draw(window: ((Double(width) - s) * col, (Double(height) - s) * row, s, s))
        if let crop = a.randomResizedCrop { result.window = randomWindow(crop, width: width, height: height, &rng) }
        let flip = chance(a.flipProbability)
        let warpOn = chance(a.affineProbability)
        let warp = (0..<4).map { _ in uniform(-a.maxWarp, a.maxWarp) }
        let rotateOn = chance(a.affineProbability)
        let angle = uniform(-a.maxRotate, a.maxRotate)
        let zoomOn = chance(a.affineProbability)
        let zoom = uniform(1, a.maxZoom), zoomRow = uniform(0, 1), zoomCol = uniform(0, 1)
        let brightnessOn = chance(a.lightingProbability)
        let change = uniform(0.5 * (1 - a.maxLighting), 0.5 * (1 + a.maxLighting))
        let contrastOn = chance(a.lightingProbability)
        let low = log(max(1e-6, 1 - a.maxLighting))
        let contrast = exp(uniform(low, -low))

        // fastai applies the affine matrix to the output grid, then the coordinate (warp) transform.
        var affine = Homography.identity
        if flip { affine = affine.after(.flipHorizontal) }
        if rotateOn && a.maxRotate != 0 { affine = affine.after(.rotation(degrees: angle)) }
        if zoomOn && a.maxZoom != 1 { affine = affine.after(.zoom(scale: zoom, rowFraction: zoomRow, colFraction: zoomCol)) }
        result.homography = (warpOn && a.maxWarp != 0) ? Homography.symmetricWarp(warp).after(affine) : affine
        if brightnessOn && a.maxLighting != 0 { result.brightnessLogit = log(change / (1 - change)) }
        if contrastOn && a.maxLighting != 0 { result.contrast = contrast }
        return result
    }

    /// torchvision's RandomResizedCrop window: ten tries at a random area and aspect ratio, then
    /// the centre square.
    func randomWindow(_ crop: AugmentSettings.RandomResizedCrop, width: Int, height: Int,
                      _ rng: inout RandomGenerator) -> (Double, Double, Double, Double) {
        let w0 = Double(width), h0 = Double(height), area = w0 * h0
        for _ in 0..<10 {
            let target = area * (crop.minScale + (1 - crop.minScale) * Double(rng.nextUnitFloat()))
            let logLow = log(crop.ratio.lowerBound), logHigh = log(crop.ratio.upperBound)
            let ratio = exp(logLow + (logHigh - logLow) * Double(rng.nextUnitFloat()))
            let w = (target * ratio).squareRoot(), h = (target / ratio).squareRoot()
            let u = Double(rng.nextUnitFloat()), v = Double(rng.nextUnitFloat())
            if w <= w0 && h <= h0 { return ((w0 - w) * u, (h0 - h) * v, w, h) }
        }
        let side = min(w0, h0)
        return ((w0 - side) / 2, (h0 - side) / 2, side, side)
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
    /// centre path: the centre square of the prepared image, normalised, no interpolation.
    public func apply(_ prepared: RGBImage, rng: inout RandomGenerator?, into output: UnsafeMutablePointer<Float>) {
        let image = prepare(prepared)
        guard var generator = rng else {
            let tables = normalization.tables()
            let plane = size * size
            let left = (image.width - size) / 2, top = (image.height - size) / 2
            image.pixels.withUnsafeBufferPointer { pixels in
                for y in 0..<size {
                    for x in 0..<size {
                        let s = 3 * ((top + y) * image.width + left + x), o = y * size + x
                        output[o] = tables[0][Int(pixels[s])]
                        output[plane + o] = tables[1][Int(pixels[s + 1])]
                        output[2 * plane + o] = tables[2][Int(pixels[s + 2])]
                    }
                }
            }
            return
        }
        let d = draw(width: image.width, height: image.height, &generator)
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
