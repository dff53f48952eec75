// ImageDecoder: JPEG (TurboJPEG) and PNG (libpng) files or bytes → an upright 8-bit RGBImage (width × height × 3).

import CImageCodecs
import Foundation

public enum ImageDecoder {
    /// How large the decoded image must be. JPEG decoding can shrink by a DCT scaling factor for
    /// free, which is much cheaper than decoding at full size and resizing.
    public enum SizeHint: Equatable, Sendable {
        case full
        case shorterSide(atLeast: Int)
        case longerSide(atLeast: Int)
    }

    enum Format: Equatable {
        case jpeg, png
        case other(String)
        case unknown
    }

    /// PIL's default limit (`Image.MAX_IMAGE_PIXELS`): a 100-byte PNG header may claim 65535 × 65535
    /// pixels, 17 GB once decoded, so the size is checked against the limit before anything is allocated.
    public static let defaultMaxPixels = 89_478_485

    public static func decode(contentsOf path: String, hint: SizeHint = .full,
                              maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataError.unreadable(path: path, detail: FileManager.default.fileExists(atPath: path)
                                       ? "\(error.localizedDescription)" : "no such file")
        }
        return try data.withUnsafeBytes { try decode(bytes: $0, path: path, hint: hint, maxPixels: maxPixels) }
    }

    /// `path` names the bytes in errors.
    public static func decode(bytes: UnsafeRawBufferPointer, path: String, hint: SizeHint = .full,
                              maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        guard bytes.count > 0 else { throw DataError.emptyFile(path: path) }
        switch format(of: bytes) {
        case .jpeg: return try decodeJPEG(bytes, path: path, hint: hint, maxPixels: maxPixels)
        case .png: return try decodePNG(bytes, path: path, maxPixels: maxPixels)
        case .other(let name): throw DataError.unsupportedFormat(path: path, format: name)
        case .unknown: throw DataError.notAnImage(path: path)
        }
    }

    /// Recognises formats by their magic bytes, never by the file extension.
    static func format(of bytes: UnsafeRawBufferPointer) -> Format {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && prefix.indices.allSatisfy { bytes[offset + $0] == prefix[$0] }
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF8".utf8)) { return .other("GIF") }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return .other("WebP") }
        if starts(Array("BM".utf8)) { return .other("BMP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .other("TIFF") }
        if starts(Array("ftyp".utf8), at: 4) { return .other("HEIF/AVIF") }
        if starts([0xFF, 0xD8]) { return .jpeg }
        return .unknown
    }

    // MARK: JPEG

    static func decodeJPEG(_ bytes: UnsafeRawBufferPointer, path: String, hint: SizeHint,
                           maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        let metadata = JPEGMetadata(bytes: bytes)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw DataError.emptyFile(path: path)
        }
        guard let handle = tjInitDecompress() else {
            throw DataError.corrupt(path: path, detail: "TurboJPEG could not start a decompressor")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let headerStatus = tjDecompressHeader3(handle, base, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        if headerStatus != 0 || width <= 0 || height <= 0 {
            // The marker walk is stricter than libjpeg, so it only explains a failure, never causes one.
            if !metadata.reachesScan { throw DataError.truncated(path: path, detail: "the file ends inside the JPEG header") }
            throw DataError.corrupt(path: path, detail: headerStatus != 0 ? errorMessage(handle) : "the JPEG header gives size \(width)×\(height)")
        }
        try checkPixels(Int(width), Int(height), limit: maxPixels, path: path)

        let factor = scalingFactor(width: Int(width), height: Int(height), hint: hint)
        let scaledWidth = scaled(Int(width), factor)
        let scaledHeight = scaled(Int(height), factor)
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = cmyk ? 4 : 3
        let pixelFormat = cmyk ? TJPF_CMYK : TJPF_RGB
        var decoded = [UInt8](repeating: 0, count: scaledWidth * scaledHeight * channels)
        let status = decoded.withUnsafeMutableBufferPointer { target in
            tjDecompress2(handle, base, UInt(bytes.count), target.baseAddress, Int32(scaledWidth), 0,
                          Int32(scaledHeight), Int32(pixelFormat.rawValue), 0)
        }
        if status != 0 {
            let message = errorMessage(handle)
            // libjpeg reports a short file as a warning and fills the rest with grey; a picture
            // that is partly grey is not one a model should learn from.
            if message.contains("Premature end") {
                throw DataError.truncated(path: path, detail: message)
            }
            // Other warnings ("extraneous bytes before marker", …) leave a complete image, which
            // PIL would load too; only fatal errors reject the file.
            if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
                throw DataError.corrupt(path: path, detail: message)
            }
        }
        let rgb = cmyk ? cmykToRGB(decoded, inverted: metadata.hasAdobeMarker) : decoded
        let image = RGBImage(width: scaledWidth, height: scaledHeight, pixels: rgb)
        return metadata.orientation.apply(to: image)
    }

    /// The smallest TurboJPEG scaling factor, never above 1, whose output still meets `hint`.
    static func scalingFactor(width: Int, height: Int, hint: SizeHint) -> tjscalingfactor {
        let one = tjscalingfactor(num: 1, denom: 1)
        let required: (Int, Int) -> Bool
        switch hint {
        case .full: return one
        case .shorterSide(let minimum): required = { min($0, $1) >= minimum }
        case .longerSide(let minimum): required = { max($0, $1) >= minimum }
        }
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return one }
        var best = one
        for i in 0..<Int(count) {
            let f = factors[i]
            guard f.num <= f.denom, required(scaled(width, f), scaled(height, f)) else { continue }
            if Int(f.num) * Int(best.denom) < Int(best.num) * Int(f.denom) { best = f }
        }
        return best
    }

    /// TurboJPEG's TJSCALED macro, which Swift cannot import.
    static func scaled(_ dimension: Int, _ factor: tjscalingfactor) -> Int {
        (dimension * Int(factor.num) + Int(factor.denom) - 1) / Int(factor.denom)
    }

    /// The naive conversion PIL uses: no colour management, ink amounts multiply.
    static func cmykToRGB(_ cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let count = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        for i in 0..<count {
            var c = Int(cmyk[4 * i]), m = Int(cmyk[4 * i + 1]), y = Int(cmyk[4 * i + 2]), k = Int(cmyk[4 * i + 3])
            if !inverted { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k }
            rgb[3 * i] = UInt8((c * k + 127) / 255)
            rgb[3 * i + 1] = UInt8((m * k + 127) / 255)
            rgb[3 * i + 2] = UInt8((y * k + 127) / 255)
        }
        return rgb
    }

    private static func errorMessage(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }

    // MARK: PNG

    /// libpng's simplified API reports errors through its return value and `message`, not by
    /// longjmp, which Swift cannot survive; it also does the palette, grey, 16-bit and tRNS
    /// expansions that the png_set_* transforms would.
    static func decodePNG(_ bytes: UnsafeRawBufferPointer, path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw pngError(&image, path: path)
        }
        // Without a gAMA or sRGB chunk libpng would take 16-bit samples as linear light; image
        // tools write them sRGB-encoded, so scale them straight down like PIL does.
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        // Read RGBA and drop alpha rather than composite: PIL's convert("RGB"), which fastai
        // uses, keeps the colour under transparent pixels.
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        let width = Int(image.width), height = Int(image.height)
        try checkPixels(width, height, limit: maxPixels, path: path)
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        let status = rgba.withUnsafeMutableBytes { target in
            png_image_finish_read(&image, nil, target.baseAddress, 0, nil)
        }
        guard status != 0 else { throw pngError(&image, path: path) }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            rgb[3 * i] = rgba[4 * i]
            rgb[3 * i + 1] = rgba[4 * i + 1]
            rgb[3 * i + 2] = rgba[4 * i + 2]
        }
        return RGBImage(width: width, height: height, pixels: rgb)
    }

    private static func checkPixels(_ width: Int, _ height: Int, limit: Int, path: String) throws {
        guard width * height <= limit else {
            throw DataError.tooManyPixels(path: path, width: width, height: height, limit: limit)
        }
    }

    private static func pngError(_ image: inout png_image, path: String) -> DataError {
        let message = withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let lower = message.lowercased()
        if lower.contains("end of data") || lower.contains("truncat") || lower.contains("eof") || lower.contains("not enough") {
            return .truncated(path: path, detail: message)
        }
        return .corrupt(path: path, detail: message.isEmpty ? "libpng failed" : message)
    }
}
