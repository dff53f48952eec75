// JPEGEncoder: an RGBImage → JPEG bytes through TurboJPEG's tjCompress2.

import CImageCodecs
import Foundation

public enum JPEGEncoder {
    public static func encode(_ image: RGBImage, quality: Int = 90) throws -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw DataError.invalidArgument("TurboJPEG could not start a compressor")
        }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var length: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            tjCompress2(handle, pixels.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &buffer, &length, Int32(TJSAMP_420.rawValue), Int32(quality), 0)
        }
        defer { if let buffer { tjFree(buffer) } }
        guard status == 0, let buffer else {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw DataError.invalidArgument("JPEG compression of a \(image.width)×\(image.height) image failed: \(message)")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    public static func write(_ image: RGBImage, to path: String, quality: Int = 90) throws {
        let bytes = try encode(image, quality: quality)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError.writeFailed(path: path, detail: error.localizedDescription)
        }
    }
}
