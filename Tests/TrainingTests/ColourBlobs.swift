// ColourBlobs: a prepared-image source of noisy 32×32 images with one coloured square whose colour is the class.

import Datasets
import Tensors

/// Noisy images with one coloured blob whose colour is the class: easy for a network, so the
/// test checks the trainer rather than the difficulty of a dataset.
struct ColourBlobs: PreparedImageSource {
    static let colours: [(UInt8, UInt8, UInt8)] = [(220, 40, 40), (40, 200, 40), (40, 60, 220), (220, 210, 40)]
    let labels: [Int]
    var count: Int { labels.count }

    func preparedImage(at index: Int) throws -> RGBImage {
        var rng = RandomGenerator(seed: UInt64(index), purpose: "blobs")
        var image = RGBImage(width: 32, height: 32)
        for i in 0..<(32 * 32 * 3) { image.pixels[i] = UInt8(60 + Int(rng.next() % 80)) }
        let colour = Self.colours[labels[index]]
        let size = 8 + Int(rng.next() % 10), x0 = Int(rng.next() % UInt64(32 - size)), y0 = Int(rng.next() % UInt64(32 - size))
        for y in y0..<(y0 + size) {
            for x in x0..<(x0 + size) {
                let p = (y * 32 + x) * 3
                (image.pixels[p], image.pixels[p + 1], image.pixels[p + 2]) = colour
            }
        }
        return image
    }
}
