// JPEGMetadata: the facts the decoder needs from a JPEG's markers — EXIF orientation, Adobe APP14, whether the header is complete.

/// TurboJPEG does not expose APP segments, so the decoder walks the markers before SOS itself.
struct JPEGMetadata: Equatable {
    var orientation: ExifOrientation = .normal
    /// Photoshop writes CMYK inverted and marks it with an Adobe APP14 segment.
    var hasAdobeMarker = false
    /// False when the bytes end before the start-of-scan marker: the file is truncated.
    var reachesScan = false

    init(bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return }
        var offset = 2
        while offset + 4 <= count {
            guard bytes[offset] == 0xFF else { return }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill bytes
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            if marker == 0xDA { reachesScan = true; return }
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let start = offset + 4
            let end = offset + 2 + length
            guard length >= 2, end <= count else { return }
            if marker == 0xE1 { readExif(bytes, start, end) }
            if marker == 0xEE, end - start >= 5,
               bytes[start] == 0x41, bytes[start + 1] == 0x64, bytes[start + 2] == 0x6F,
               bytes[start + 3] == 0x62, bytes[start + 4] == 0x65 {
                hasAdobeMarker = true
            }
            offset = end
        }
    }

    /// APP1 "Exif\0\0", then a TIFF header (II or MM byte order) whose first IFD may hold tag 0x0112.
    private mutating func readExif(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]
        guard end - start >= 14, (0..<6).allSatisfy({ bytes[start + $0] == exifHeader[$0] }) else { return }
        let tiff = start + 6
        let little: Bool
        switch (bytes[tiff], bytes[tiff + 1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return
        }
        func u16(_ at: Int) -> Int? {
            guard at >= tiff, at + 2 <= end else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(little ? at + 2 : at), let low = u16(little ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard u16(tiff + 2) == 42, let ifdOffset = u32(tiff + 4) else { return }
        let ifd = tiff + ifdOffset
        guard let entries = u16(ifd) else { return }
        for entry in 0..<entries {
            let at = ifd + 2 + 12 * entry
            guard let tag = u16(at) else { return }
            // Type 3 is SHORT: the value sits in the first two bytes of the value field.
            if tag == 0x0112, u16(at + 2) == 3, let value = u16(at + 8),
               let orientation = ExifOrientation(rawValue: value) {
                self.orientation = orientation
                return
            }
        }
    }
}
