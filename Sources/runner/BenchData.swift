// BenchData: `runner bench data` — decoded + augmented images per second, cold and through the decode cache.

import ArgumentParser
import Training
import Datasets

struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Images/s decoded, resized, augmented and batched at 224 px from ~500×375 JPEGs, with 1 and 2 threads, cold and cached.")

    @Option(help: "Output image size.") var size = 224
    @Option(help: "Number of generated JPEGs.") var images = 64
    @Option(help: "Timed epochs per case (the best is kept).") var repeats = 2
    @Flag(help: "One JSON object per line instead of a table.") var json = false

    func run() throws {
        guard size >= 16, images >= 4, repeats >= 1 else {
            throw ValidationError("--size must be at least 16, --images at least 4, --repeats at least 1")
        }
        if !json { print(pad("size", 6) + pad("threads", 9) + pad("cache", 7) + pad("img/s", 10, right: true)) }
        try DataBenchmark.run(size: size, images: images, repeats: repeats) { r in
            if json {
                print(#"{"size": \#(r.size), "threads": \#(r.threads), "cache": \#(r.cache), "img_per_s": \#(rounded(r.imagesPerSecond))}"#)
            } else {
                print(pad(String(r.size), 6) + pad(String(r.threads), 9) + pad(r.cache ? "yes" : "no", 7)
                      + pad(String(rounded(r.imagesPerSecond)), 10, right: true))
            }
        }
    }
}
