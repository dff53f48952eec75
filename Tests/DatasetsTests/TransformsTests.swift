// TransformsTests: resize methods, the single affine pass (flip, rotation, zoom, warp, reflection), lighting, normalisation, determinism.

@testable import Datasets
import Foundation
import Tensors
import XCTest

final class TransformsTests: XCTestCase {
    /// `width` × `height`, left half red, right half blue.
    private func halves(_ width: Int, _ height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height { for x in 0..<width { image[x, y] = x < width / 2 ? (255, 0, 0) : (0, 0, 255) } }
        return image
    }

    /// Every pixel distinct and no symmetry: value = 16·y + x in red, 200 − x in green.
    private func asymmetric(_ size: Int) -> RGBImage {
        var image = RGBImage(width: size, height: size)
        for y in 0..<size { for x in 0..<size { image[x, y] = (UInt8(16 * y + x), UInt8(200 - x), UInt8(3 * y)) } }
        return image
    }

    private func rgbRows(_ image: RGBImage) -> [[Int]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image[x, y].0 > 128 ? 1 : (image[x, y].2 > 128 ? 2 : 0) } }
    }

    func testCropSquishAndPadSizesAndValues() {
        let image = halves(40, 20)
        let crop = ImageResizer.resize(image, to: 10, method: .crop)
        XCTAssertEqual([crop.width, crop.height], [10, 10])
        // The centre square spans x 10..<30: red for its left half, blue for its right half.
        XCTAssertEqual(rgbRows(crop)[5], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])

        let squish = ImageResizer.resize(image, to: 10, method: .squish)
        XCTAssertEqual(rgbRows(squish)[0], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])

        // Content 10×5 centred: rows 2…6.
        let zeros = ImageResizer.resize(image, to: 10, method: .pad(.zeros))
        XCTAssertEqual([zeros.width, zeros.height], [10, 10])
        for y in [0, 1, 7, 8, 9] { XCTAssertEqual(rgbRows(zeros)[y], [Int](repeating: 0, count: 10), "row \(y) is black") }
        for y in 2...6 { XCTAssertEqual(rgbRows(zeros)[y], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]) }
        XCTAssertTrue(zeros[0, 0] == (0, 0, 0))

        let reflection = ImageResizer.resize(image, to: 10, method: .pad(.reflection))
        for y in 0..<10 { XCTAssertEqual(rgbRows(reflection)[y], [1, 1, 1, 1, 1, 2, 2, 2, 2, 2], "row \(y) mirrors the content") }
    }

    func testReflectIndex() {
        XCTAssertEqual((-3...7).map { ImageResizer.reflect($0, 3) }, [2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1])
        XCTAssertEqual(AffineResampler.reflect(-1.5, 4), 0.5, accuracy: 1e-12)
        XCTAssertEqual(AffineResampler.reflect(4.0, 4), 3.0, accuracy: 1e-12)
    }

    func testDownscaleAveragesInsteadOfAliasing() {
        var checker = RGBImage(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 where (x + y) % 2 == 0 { checker[x, y] = (255, 255, 255) } }
        let small = ImageResizer.resize(checker, to: 8, method: .squish)
        XCTAssertTrue(small.pixels.allSatisfy { abs(Int($0) - 128) <= 2 }, "\(small.pixels.prefix(12))")
        // Upscaling a constant image stays constant, including at the borders.
        let flat = ImageResizer.resize(RGBImage(width: 3, height: 5, fill: (10, 20, 30)), to: 16, method: .crop)
        XCTAssertTrue((0..<16).allSatisfy { flat[$0, 15] == (10, 20, 30) && flat[0, $0] == (10, 20, 30) })
    }

    func testResampleMatchesPILBilinear() throws {
        // Pillow 13: Image.open("rgb.png").resize(size, Image.BILINEAR), flattened.
        let expected: [(Int, Int, [UInt8])] = [
            (3, 3, [18, 5, 7, 56, 5, 7, 94, 5, 7, 18, 24, 7, 56, 24, 7, 94, 24, 7, 18, 43, 7, 56, 43, 7, 94, 43, 7]),
            (5, 2, [7, 11, 7, 31, 11, 7, 56, 11, 7, 81, 11, 7, 105, 11, 7, 7, 37, 7, 31, 37, 7, 56, 37, 7, 81, 37, 7, 105, 37, 7]),
        ]
        let image = try ImageDecoder.decode(contentsOf: FixtureFiles.path("rgb.png"))
        for (width, height, pixels) in expected {
            let resized = ImageResizer.resample(image, box: (0, 0, 8, 4), width: width, height: height)
            XCTAssertEqual(zip(resized.pixels, pixels).map { abs(Int($0) - Int($1)) }.max(), 0, "\(width)×\(height): \(resized.pixels)")
        }
        // Upscaling 8×4 → 13×7: first row.
        let up = ImageResizer.resample(image, box: (0, 0, 8, 4), width: 13, height: 7)
        XCTAssertEqual(stride(from: 0, to: 39, by: 3).map { Int(up.pixels[$0]) }, [0, 7, 17, 26, 36, 46, 56, 66, 76, 86, 95, 105, 112])
    }

    private func resample(_ image: RGBImage, _ homography: Homography, padding: ResizeMethod.Padding = .reflection) -> Tensor {
        let size = image.width
        return Tensor(uninitializedShape: [3, size, size]) {
            AffineResampler.resample(image, homography: homography, window: (0, 0, Double(size), Double(size)),
                                     outputSize: size, padding: padding, tables: Normalization.none.tables(), into: $0)
        }
    }

    func testFlipMovesAKnownPixel() {
        var image = RGBImage(width: 8, height: 8)
        image[1, 2] = (255, 255, 255)
        let out = resample(image, .flipHorizontal)
        XCTAssertEqual(out[0, 2, 6], 1, accuracy: 1e-6, "(1, 2) lands at (6, 2)")
        XCTAssertEqual(out.data.reduce(0, +), 3, accuracy: 1e-5, "and nowhere else")
    }

    func testNinetyDegreeRotationOfAnAsymmetricImage() {
        let image = asymmetric(6)
        let out = resample(image, .rotation(degrees: 90))
        let expected = Normalization.none.apply(ExifOrientation.rotated90CounterClockwise.apply(to: image))
        for (a, b) in zip(out.data, expected.data) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        // 180° twice is the identity; 90° four times too.
        let identity = Normalization.none.apply(image)
        let four = Homography.rotation(degrees: 90).after(.rotation(degrees: 90)).after(.rotation(degrees: 180))
        for (a, b) in zip(resample(image, four).data, identity.data) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testReflectionPaddingNeverShowsBlackButZerosDoes() {
        let image = RGBImage(width: 8, height: 8, fill: (255, 255, 255))
        XCTAssertTrue(resample(image, .rotation(degrees: 45)).data.allSatisfy { abs($0 - 1) < 1e-5 })
        let zeros = resample(image, .rotation(degrees: 45), padding: .zeros)
        XCTAssertEqual(zeros[0, 0, 0], 0, accuracy: 1e-6, "the corner comes from outside the image")
        XCTAssertEqual(zeros[0, 4, 4], 1, accuracy: 1e-6)
    }

    func testHomographies() {
        let zoom = Homography.zoom(scale: 2)
        XCTAssertEqual(zoom.apply(1, 1).0, 0.5, accuracy: 1e-12)
        // Zooming about the top-left corner keeps it fixed.
        let corner = Homography.zoom(scale: 2, rowFraction: 0, colFraction: 0).apply(-1, -1)
        XCTAssertEqual(corner.0, -1, accuracy: 1e-12)
        XCTAssertEqual(corner.1, -1, accuracy: 1e-12)
        let m = [0.1, -0.2, 0.15, 0.05]
        let warp = Homography.symmetricWarp(m)
        let expected: [((Double, Double), (Double, Double))] = [
            ((-1, -1), (-1 - m[3], -1 - m[1])), ((-1, 1), (-1 - m[2], 1 + m[1])),
            ((1, -1), (1 + m[3], -1 - m[0])), ((1, 1), (1 + m[2], 1 + m[0])),
        ]
        for (source, target) in expected {
            let p = warp.apply(source.0, source.1)
            XCTAssertEqual(p.0, target.0, accuracy: 1e-9)
            XCTAssertEqual(p.1, target.1, accuracy: 1e-9)
        }
        XCTAssertEqual(Homography.symmetricWarp([0, 0, 0, 0]).m.enumerated().map { abs($1 - Homography.identity.m[$0]) }.max() ?? 1, 0, accuracy: 1e-12)
    }

    func testCropPreparesTheShorterSideWithAMargin() {
        let transforms = Transforms(size: 10)
        XCTAssertEqual(transforms.maxPreparedSide, 15)
        let landscape = transforms.prepare(halves(40, 20))
        XCTAssertEqual([landscape.width, landscape.height], [14, 10], "20 capped at 15, then an even margin")
        let portrait = transforms.prepare(halves(20, 30))
        XCTAssertEqual([portrait.width, portrait.height], [10, 14])
        let photo = transforms.prepare(halves(45, 30))
        XCTAssertEqual([photo.width, photo.height], [14, 10])
        XCTAssertEqual(transforms.prepare(landscape), landscape, "preparing is idempotent")
        let squish = Transforms(size: 10, resize: .squish).prepare(halves(40, 20))
        XCTAssertEqual([squish.width, squish.height, Transforms(size: 10, resize: .squish).maxPreparedSide], [10, 10, 10])
    }

    func testTrainingCropsAtRandomPlacesAlongTheLongerSide() {
        let transforms = Transforms(size: 10, augment: .none)
        var rng = RandomGenerator(seed: 2, purpose: "augment")
        let windows = (0..<200).map { _ in transforms.draw(width: 14, height: 10, &rng).window }
        XCTAssertTrue(windows.allSatisfy { $0.1 == 0 && $0.2 == 10 && $0.3 == 10 && $0.0 >= 0 && $0.0 <= 4 })
        XCTAssertLessThan(windows.map(\.0).min() ?? 4, 0.2)
        XCTAssertGreaterThan(windows.map(\.0).max() ?? 0, 3.8)
        // A window on whole pixels is an exact crop: the leftmost one shows the red left edge.
        let image = halves(40, 20)
        let prepared = transforms.prepare(image)
        let out = Tensor(uninitializedShape: [3, 10, 10]) {
            AffineResampler.resample(prepared, homography: .identity, window: (0, 0, 10, 10), outputSize: 10,
                                     padding: .reflection, tables: Normalization.none.tables(), into: $0)
        }
        let expected = Normalization.none.apply(prepared)
        for y in 0..<10 { for x in 0..<10 { XCTAssertEqual(out[0, y, x], expected[0, y, x], accuracy: 1e-5) } }
    }

    func testValidationIsTheNormalisedCentrePath() {
        let transforms = Transforms(size: 10, resize: .crop, augment: .standard, normalization: .imagenet)
        let image = halves(40, 20)
        let out = transforms.apply(image, training: nil)
        XCTAssertEqual(out.shape, [3, 10, 10])
        XCTAssertEqual(out, Normalization.imagenet.apply(ImageResizer.resize(image, to: 10, method: .crop)))
        XCTAssertEqual(out[0, 5, 0], (1 - 0.485) / 0.229, accuracy: 1e-5, "red on the left")
        XCTAssertEqual(out[2, 5, 9], (1 - 0.406) / 0.225, accuracy: 1e-5, "blue on the right")
        XCTAssertEqual(out[1, 5, 9], -0.456 / 0.224, accuracy: 1e-5)
    }

    func testTrainingIsDeterministicPerGeneratorAndVaries() {
        let transforms = Transforms(size: 12, augment: .standard)
        let image = asymmetric(12)
        let rng = RandomGenerator(seed: 4, purpose: "augment").derived(0)
        XCTAssertEqual(transforms.apply(image, training: rng.derived(3)), transforms.apply(image, training: rng.derived(3)))
        let outputs = Set((0..<8).map { transforms.apply(image, training: rng.derived(UInt64($0))).data })
        XCTAssertGreaterThan(outputs.count, 6)
        // With every knob at zero, training equals validation.
        let still = Transforms(size: 12, augment: .none)
        let a = still.apply(image, training: rng), b = still.apply(image, training: nil)
        for (x, y) in zip(a.data, b.data) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    func testDrawFollowsTheFastaiDefaults() {
        let transforms = Transforms(size: 32, augment: .standard)
        var rng = RandomGenerator(seed: 9, purpose: "augment")
        var flips = 0, lit = 0, untouched = 0
        let n = 4000
        for _ in 0..<n {
            let d = transforms.draw(width: 32, height: 32, &rng)
            // A flip shows as a negative determinant of the linear part.
            let det = d.homography.m[0] * d.homography.m[4] - d.homography.m[1] * d.homography.m[3]
            if det < 0 { flips += 1 }
            if d.brightnessLogit != 0 { lit += 1 }
            if d.homography.m.map({ abs($0) }) == [1, 0, 0, 0, 1, 0, 0, 0, 1] { untouched += 1 }
            XCTAssertLessThanOrEqual(abs(d.brightnessLogit), log(0.6 / 0.4) + 1e-9)
            XCTAssertTrue(d.contrast >= 0.8 - 1e-9 && d.contrast <= 1.25 + 1e-9)
            XCTAssertTrue(d.window == (0, 0, 32, 32))
        }
        XCTAssertEqual(Double(flips) / Double(n), 0.5, accuracy: 0.04)
        XCTAssertEqual(Double(lit) / Double(n), 0.75, accuracy: 0.04)
        // No warp, rotation or zoom: 0.25³ of the draws.
        XCTAssertEqual(Double(untouched) / Double(n), 0.25 * 0.25 * 0.25, accuracy: 0.01)
    }

    func testRandomResizedCropWindows() {
        var settings = AugmentSettings.none
        settings.randomResizedCrop = .init()
        let transforms = Transforms(size: 20, augment: settings)
        var rng = RandomGenerator(seed: 1, purpose: "augment")
        for _ in 0..<200 {
            let w = transforms.draw(width: 20, height: 20, &rng).window
            XCTAssertTrue(w.0 >= 0 && w.1 >= 0 && w.0 + w.2 <= 20 + 1e-9 && w.1 + w.3 <= 20 + 1e-9)
            let area = w.2 * w.3 / 400
            XCTAssertTrue(area >= 0.08 - 1e-9 && area <= 1 + 1e-9)
        }
        // The window is what the output shows: a crop of the left (red) half is red (the last
        // column's bilinear taps reach across the window edge).
        let image = halves(20, 20)
        let out = Tensor(uninitializedShape: [3, 20, 20]) {
            AffineResampler.resample(image, homography: .identity, window: (0, 0, 10, 20), outputSize: 20,
                                     padding: .reflection, tables: Normalization.none.tables(), into: $0)
        }
        XCTAssertTrue((0..<400).filter { $0 % 20 < 19 }.allSatisfy { abs(out.data[$0] - 1) < 1e-5 })
    }

    func testLightingInLogitSpace() {
        let brighter = Transforms.tone(brightnessLogit: log(0.6 / 0.4), contrast: 1)
        XCTAssertEqual(brighter(0.5), 0.6, accuracy: 1e-6)
        XCTAssertEqual(brighter(0), 0)
        XCTAssertEqual(brighter(1), 1)
        let contrast = Transforms.tone(brightnessLogit: 0, contrast: 1.25)
        XCTAssertEqual(contrast(0.5), 0.5, accuracy: 1e-6, "mid-grey is the fixed point of contrast")
        XCTAssertGreaterThan(contrast(0.8), 0.8)
        XCTAssertLessThan(contrast(0.2), 0.2)
    }

    func testNormalizationTensor() {
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 255, 51])
        let t = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.25]).apply(image)
        XCTAssertEqual(t.shape, [3, 1, 2])
        XCTAssertEqual(t.data, [1, -1, -1, 1, -2, (0.2 - 0.5) / 0.25].map { Float($0) }, "CHW order")
    }
}
