// ImageDecoderTests: JPEG and PNG variants decode to the RGB pixels their fixtures were drawn with; bad files give typed errors.

@testable import Datasets
import Foundation
import XCTest

final class ImageDecoderTests: XCTestCase {
    private func assertColor(_ pixel: (UInt8, UInt8, UInt8), _ expected: (Int, Int, Int), tolerance: Int = 12,
                             _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let got = [Int(pixel.0), Int(pixel.1), Int(pixel.2)]
        let want = [expected.0, expected.1, expected.2]
        XCTAssert(zip(got, want).allSatisfy { abs($0 - $1) <= tolerance }, "\(message): got \(got), expected \(want)",
                  file: file, line: line)
    }

    private func decode(_ name: String, hint: ImageDecoder.SizeHint = .full) throws -> RGBImage {
        try ImageDecoder.decode(contentsOf: FixtureFiles.path(name), hint: hint)
    }

    /// A 77-byte PNG (signature, an IHDR claiming 65535 × 65535, an empty IDAT, IEND) used to
    /// allocate 17 GB.
    func testDecompressionBombsAreRefusedBeforeDecoding() throws {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in typed {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            crc ^= 0xFFFF_FFFF
            let length = UInt32(body.count)
            return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + typed
                + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) }
        }
        let header: [UInt8] = [0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 8, 2, 0, 0, 0]  // 65535 × 65535, 8-bit RGB
        let bomb = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
        XCTAssertThrowsError(try bomb.withUnsafeBytes { try ImageDecoder.decode(bytes: $0, path: "bomb.png") }) {
            XCTAssertEqual($0 as? DataError, .tooManyPixels(path: "bomb.png", width: 65535, height: 65535,
                                                           limit: ImageDecoder.defaultMaxPixels))
            XCTAssertTrue("\($0)".contains("data.max_pixels"), "\($0)")
        }
        // The limit is the caller's: a JPEG over a small one is refused, under it decoded.
        let path = FixtureFiles.path("rgb.jpg")
        let image = try ImageDecoder.decode(contentsOf: path)
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: path, maxPixels: image.width * image.height - 1)) {
            XCTAssertEqual(($0 as? DataError)?.path, path)
        }
        XCTAssertNoThrow(try ImageDecoder.decode(contentsOf: path, maxPixels: image.width * image.height))
    }

    func testRGBJPEG() throws {
        let image = try decode("rgb.jpg")
        XCTAssertEqual(image.width, 32)
        XCTAssertEqual(image.height, 24)
        assertColor(image[2, 12], (255, 0, 0), "left half is red")
        assertColor(image[29, 12], (0, 0, 255), "right half is blue")
    }

    func testUppercaseExtensionAndGrayJPEG() throws {
        assertColor(try decode("green.JPEG")[8, 8], (0, 255, 0), "green")
        let gray = try decode("gray.jpg")
        XCTAssertEqual(gray.pixels.count, 16 * 16 * 3)
        assertColor(gray[5, 5], (128, 128, 128), tolerance: 2, "grey expands to three equal channels")
    }

    func testCMYKJPEGBecomesRGB() throws {
        let image = try decode("cmyk.jpg")
        XCTAssertEqual(image.width, 32)
        assertColor(image[2, 12], (255, 0, 0), tolerance: 20, "left half is red")
        assertColor(image[29, 12], (0, 0, 255), tolerance: 20, "right half is blue")
    }

    func testExifOrientationSixIsRotatedClockwise() throws {
        let image = try decode("exif6.jpg")
        XCTAssertEqual(image.width, 16, "stored 32×16, displayed 16×32")
        XCTAssertEqual(image.height, 32)
        assertColor(image[12, 3], (255, 0, 0), tolerance: 30, "the stored top-left block shows top-right")
        assertColor(image[3, 3], (0, 255, 0), tolerance: 30, "top-left is green")
        assertColor(image[12, 28], (0, 255, 0), tolerance: 30, "bottom-right is green")
    }

    func testExifParserReadsBothByteOrders() throws {
        for little in [true, false] {
            for value in 1...8 {
                var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x22] + Array("Exif".utf8) + [0, 0]
                func u16(_ v: Int) -> [UInt8] { little ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
                func u32(_ v: Int) -> [UInt8] { little ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
                bytes += (little ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(8)
                bytes += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(value) + [0, 0] + u32(0)
                bytes += [0xFF, 0xDA, 0x00, 0x02]
                let metadata = bytes.withUnsafeBytes { JPEGMetadata(bytes: $0) }
                XCTAssertEqual(metadata.orientation.rawValue, value, "little-endian \(little)")
                XCTAssertTrue(metadata.reachesScan)
            }
        }
    }

    func testAllEightOrientationsOnAnAsymmetricImage() {
        // 3×2 stored image, each pixel distinct: value = 10 * y + x.
        var stored = RGBImage(width: 3, height: 2)
        for y in 0..<2 { for x in 0..<3 { stored[x, y] = (UInt8(10 * y + x), 0, 0) } }
        func rows(_ image: RGBImage) -> [[Int]] {
            (0..<image.height).map { y in (0..<image.width).map { x in Int(image[x, y].0) } }
        }
        // What a viewer shows for each tag (the EXIF specification's figures).
        let expected: [ExifOrientation: [[Int]]] = [
            .normal: [[0, 1, 2], [10, 11, 12]],
            .mirrored: [[2, 1, 0], [12, 11, 10]],
            .rotated180: [[12, 11, 10], [2, 1, 0]],
            .flippedVertically: [[10, 11, 12], [0, 1, 2]],
            .transposed: [[0, 10], [1, 11], [2, 12]],
            .rotated90Clockwise: [[10, 0], [11, 1], [12, 2]],
            .transverse: [[12, 2], [11, 1], [10, 0]],
            .rotated90CounterClockwise: [[2, 12], [1, 11], [0, 10]],
        ]
        for orientation in ExifOrientation.allCases {
            XCTAssertEqual(rows(orientation.apply(to: stored)), expected[orientation], "\(orientation)")
        }
    }

    func testLargeJPEGDecodesAtTheSmallestSufficientScale() throws {
        XCTAssertEqual(try decode("large.jpg").width, 200)
        // Shorter side 150 ≥ 40: 3/8 gives 57, 1/4 would give 38 < 40.
        let small = try decode("large.jpg", hint: .shorterSide(atLeast: 40))
        XCTAssertEqual(small.width, 75)
        XCTAssertEqual(small.height, 57)
        // Longer side 200 ≥ 50: 1/4 gives exactly 50.
        let longer = try decode("large.jpg", hint: .longerSide(atLeast: 50))
        XCTAssertEqual(longer.width, 50)
        // Never upscales.
        XCTAssertEqual(try decode("large.jpg", hint: .shorterSide(atLeast: 400)).width, 200)
        // The gradient survives scaling: red grows left to right, green top to bottom.
        assertColor(small[0, 28], (0, 128, 128), tolerance: 16, "left edge")
        assertColor(small[74, 28], (255, 128, 128), tolerance: 16, "right edge")
    }

    func testPalettePNG() throws {
        let image = try decode("palette.png")
        XCTAssertEqual(image.width, 8)
        XCTAssertTrue(image[1, 1] == (255, 0, 0))
        XCTAssertTrue(image[6, 1] == (0, 0, 255))
    }

    func testRGBAPNGDropsAlphaKeepingColour() throws {
        let image = try decode("rgba.png")
        XCTAssertTrue(image[1, 1] == (255, 0, 0))
        XCTAssertTrue(image[6, 6] == (0, 255, 0), "PIL's convert(\"RGB\") keeps the colour of transparent pixels")
    }

    func testSixteenBitAndGrayAlphaPNG() throws {
        let image = try decode("gray16.png")
        XCTAssertTrue(image[1, 1] == (200, 200, 200), "\(image[1, 1])")
        XCTAssertTrue(image[6, 1] == (50, 50, 50), "\(image[6, 1])")
        XCTAssertTrue(try decode("gray-alpha.png")[2, 2] == (90, 90, 90))
    }

    func testRGBPNGIsExact() throws {
        let image = try decode("rgb.png")
        for y in 0..<4 { for x in 0..<8 { XCTAssertTrue(image[x, y] == (UInt8(x * 16), UInt8(y * 16), 7)) } }
    }

    func testBadFilesGiveTypedErrorsNamingTheFile() {
        let cases: [(String, (String) -> DataError)] = [
            ("zero.jpg", { .emptyFile(path: $0) }),
            ("text.jpg", { .notAnImage(path: $0) }),
            ("gif.jpg", { .unsupportedFormat(path: $0, format: "GIF") }),
        ]
        for (name, expected) in cases {
            let path = FixtureFiles.path(name)
            XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: path)) { error in
                XCTAssertEqual(error as? DataError, expected(path))
                XCTAssertTrue("\(error)".contains(name))
            }
        }
        let truncated = FixtureFiles.path("truncated.jpg")
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: truncated)) { error in
            guard case .truncated(let path, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, truncated)
        }
        let missing = FixtureFiles.path("missing.jpg")
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: missing)) { error in
            XCTAssertEqual(error as? DataError, .unreadable(path: missing, detail: "no such file"))
        }
    }

    func testTruncatedJPEGHeaderAndPNG() throws {
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("rgb.jpg")))
        XCTAssertThrowsError(try Array(jpeg.prefix(40)).withUnsafeBytes { try ImageDecoder.decode(bytes: $0, path: "cut.jpg") }) {
            guard case .truncated("cut.jpg", _)? = $0 as? DataError else { return XCTFail("\($0)") }
        }
        let png = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("palette.png")))
        XCTAssertThrowsError(try Array(png.prefix(png.count - 30)).withUnsafeBytes { try ImageDecoder.decode(bytes: $0, path: "cut.png") }) {
            XCTAssertEqual(($0 as? DataError)?.path, "cut.png")
        }
    }
}
