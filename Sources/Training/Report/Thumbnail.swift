// Thumbnail: an image file as a small JPEG data URI, so the report's top losses show their pictures offline.

import Datasets
import Foundation

enum Thumbnail {
    /// `data:image/jpeg;base64,…` of the image resized to `size` (centre crop), or nil if it cannot be read.
    static func dataURI(path: String, size: Int = 96) -> String? {
        guard let image = try? ImageDecoder.decode(contentsOf: path),
              let bytes = try? JPEGEncoder.encode(ImageResizer.resize(image, to: size, method: .crop), quality: 80)
        else { return nil }
        return "data:image/jpeg;base64," + Data(bytes).base64EncodedString()
    }
}
