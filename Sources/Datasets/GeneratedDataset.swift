// GeneratedDataset: a procedurally drawn image classification task, written as JPEG files `<class>_<n>.jpg` (width × height RGB).

import Dispatch
import Foundation
import Tensors

/// Each class is a (shape, texture) pair: the object's outline and the pattern filling it. Both
/// variants use the same eight shapes and six textures, but `source` and `target` use disjoint
/// pairs, so the target is new combinations of primitives a network pretrained on the source
/// has already learnt to see — the situation transfer learning is for. Random position, size,
/// rotation, colours and texture phase keep raw pixels far from linearly separable, while the
/// shapes and patterns stay large and crisp enough for a small network to learn quickly.
public enum GeneratedDataset {
    public enum Variant: String, CaseIterable, Sendable {
        /// The task to pretrain on.
        case source
        /// The task to transfer to.
        case target
    }

    /// Bumped whenever the same seed would draw different images.
    public static let drawing = 2

    public static let shapes = ["circle", "square", "triangle", "cross", "ring", "diamond", "star", "crescent"]
    public static let textures = ["solid", "stripes", "checker", "dots", "grid", "waves"]
    /// Each variant takes the pairs of one parity: half of shapes × textures.
    public static let maxClasses = shapes.count * textures.count / 2

    /// The classes of `variant` in the order `classes:` takes them; fixed, so that a dataset
    /// drawn with any seed poses the same task.
    public static func classNames(variant: Variant) -> [String] {
        var pairs: [(Int, Int)] = []
        for s in shapes.indices {
            for t in textures.indices where (s + t) % 2 == (variant == .source ? 0 : 1) { pairs.append((s, t)) }
        }
        var rng = RandomGenerator(seed: 2024, purpose: "generated-classes")
        for i in stride(from: pairs.count - 1, to: 0, by: -1) { pairs.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return pairs.map { "\(shapes[$0.0])-\(textures[$0.1])" }
    }

    /// Draws `classes × imagesPerClass` square images and writes them into `directory`; returns the file paths.
    @discardableResult
    public static func write(variant: Variant, classes: Int, imagesPerClass: Int, size: Int, seed: UInt64,
                             to directory: String) throws -> [String] {
        try write(variant: variant, classes: classes, imagesPerClass: imagesPerClass, width: size, height: size,
                  seed: seed, to: directory)
    }

    @discardableResult
    public static func write(variant: Variant, classes: Int, imagesPerClass: Int, width: Int, height: Int,
                             seed: UInt64, threads: Int = 2, to directory: String) throws -> [String] {
        let names = classNames(variant: variant)
        guard classes >= 2, classes <= names.count else {
            throw DataError.invalidArgument("the \(variant.rawValue) variant has 2 to \(names.count) classes, not \(classes)")
        }
        guard imagesPerClass >= 1, width >= 16, height >= 16 else {
            throw DataError.invalidArgument("need at least one image per class and images of at least 16×16 pixels")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError.writeFailed(path: directory, detail: error.localizedDescription)
        }
        let jobs = (0..<classes).flatMap { c in (1...imagesPerClass).map { (c, $0) } }
        let paths = jobs.map { (directory as NSString).appendingPathComponent("\(names[$0.0])_\($0.1).jpg") }
        var errors = [Error?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        let workers = max(1, min(threads, jobs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for j in stride(from: worker, to: jobs.count, by: workers) {
                let (c, n) = jobs[j]
                var rng = RandomGenerator(seed: seed, purpose: "generated-\(variant.rawValue)").derived(UInt64(c)).derived(UInt64(n))
                let image = draw(className: names[c], width: width, height: height, rng: &rng)
                do {
                    try JPEGEncoder.write(image, to: paths[j], quality: 90)
                } catch {
                    lock.lock()
                    errors[j] = error
                    lock.unlock()
                }
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return paths
    }

    /// One image of `className` ("shape-texture").
    ///
    /// Drawn so that a small CNN learns it at 32–64 px from a few hundred images: one large object,
    /// a texture whose period is a fixed fraction of the image (five pixels or more at 32 px), mild
    /// noise and at most two small distractors behind the object. Position, rotation, texture phase
    /// and every colour are random, so the class is in outlines and patterns, not in any pixel's
    /// expected value: a linear model on raw pixels stays near chance.
    public static func draw(className: String, width: Int, height: Int, rng: inout RandomGenerator) -> RGBImage {
        let parts = className.split(separator: "-").map(String.init)
        let shape = shapes.firstIndex(of: parts.first ?? "") ?? 0
        let texture = textures.firstIndex(of: parts.last ?? "") ?? 0
        let w = Double(width), h = Double(height), side = min(w, h)

        // The pattern: a dark and a light shade of one random hue, so its stripes and checks are
        // contrasts of brightness that early filters pick up whatever the hue; which shade is which
        // is a coin toss, so a solid object is as often light as dark and its average brightness
        // says nothing about its class. The background is any colour apart from both, so the
        // outline is visible.
        let hue = colour(&rng)
        var colourA = (hue.0 * 0.35, hue.1 * 0.35, hue.2 * 0.35)
        var colourB = (150 + hue.0 * 0.4, 150 + hue.1 * 0.4, 150 + hue.2 * 0.4)
        let background = colour(apart: 130, from: [colourA, colourB], &rng)
        if rng.nextUnitFloat() < 0.5 { swap(&colourA, &colourB) }

        var canvas = rampedBackground(background, width: width, height: height, rng: &rng)
        paintDistractors(on: &canvas, background: background, width: width, height: height, rng: &rng)

        // The object: a large textured shape fully inside the frame. The texture period is a
        // fraction of the image, not of the object, so it stays several pixels wide at 32 px.
        let radius = side * uniform(0.3, 0.42, &rng)
        let period = side * uniform(0.15, 0.2, &rng)
        let object = Placed(shape: shape, texture: texture, cx: uniform(radius, w - radius, &rng),
                            cy: uniform(radius, h - radius, &rng), radius: radius, angle: uniform(0, 2 * Double.pi, &rng),
                            colourA: colourA, colourB: colourB, frequency: radius / period, phase: uniform(0, 1, &rng))
        paint(object, on: &canvas, width: width, height: height)

        return withNoise(canvas, width: width, height: height, rng: &rng)
    }

    private typealias Colour = (Double, Double, Double)

    private static func uniform(_ a: Double, _ b: Double, _ rng: inout RandomGenerator) -> Double {
        a + (b - a) * Double(rng.nextUnitFloat())
    }

    private static func colour(_ rng: inout RandomGenerator) -> Colour {
        (uniform(0, 255, &rng), uniform(0, 255, &rng), uniform(0, 255, &rng))
    }

    /// A random colour at least `apart` (L1 over RGB) from each of `others`, or, if 64 tries find
    /// none, the try farthest from its nearest other; bounded so drawing always ends.
    private static func colour(apart: Double, from others: [Colour], _ rng: inout RandomGenerator) -> Colour {
        func distance(_ a: Colour, _ b: Colour) -> Double { abs(a.0 - b.0) + abs(a.1 - b.1) + abs(a.2 - b.2) }
        var best = colour(&rng), bestDistance = -1.0
        for _ in 0..<64 {
            let candidate = colour(&rng)
            let nearest = others.map { distance($0, candidate) }.min() ?? .infinity
            if nearest >= apart { return candidate }
            if nearest > bestDistance { (best, bestDistance) = (candidate, nearest) }
        }
        return best
    }

    /// A flat colour with a gentle brightness ramp in a random direction.
    private static func rampedBackground(_ background: Colour, width: Int, height: Int,
                                         rng: inout RandomGenerator) -> [Double] {
        let w = Double(width), h = Double(height)
        let ramp = uniform(-30, 30, &rng), rampAngle = uniform(0, 2 * Double.pi, &rng)
        let (ca, sa) = (cos(rampAngle), sin(rampAngle))
        var canvas = [Double](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let t = ramp * ((Double(x) / w - 0.5) * ca + (Double(y) / h - 0.5) * sa)
                let i = 3 * (y * width + x)
                canvas[i] = background.0 + t
                canvas[i + 1] = background.1 + t
                canvas[i + 2] = background.2 + t
            }
        }
        return canvas
    }

    /// Up to two small solid shapes, painted before the object so its outline stays whole.
    private static func paintDistractors(on canvas: inout [Double], background: Colour, width: Int, height: Int,
                                         rng: inout RandomGenerator) {
        let w = Double(width), h = Double(height), side = min(w, h)
        let distractors = Int(uniform(0, 3, &rng))
        for _ in 0..<distractors {
            let placed = Placed(shape: Int(uniform(0, Double(shapes.count), &rng)) % shapes.count, texture: 0,
                                cx: uniform(0, w, &rng), cy: uniform(0, h, &rng), radius: side * uniform(0.05, 0.09, &rng),
                                angle: uniform(0, 2 * Double.pi, &rng), colourA: colour(apart: 80, from: [background], &rng),
                                colourB: background, frequency: 1, phase: 0)
            paint(placed, on: &canvas, width: width, height: height)
        }
    }

    /// Mild Gaussian noise of a random strength, then rounding to bytes.
    private static func withNoise(_ canvas: [Double], width: Int, height: Int, rng: inout RandomGenerator) -> RGBImage {
        let noise = uniform(2, 5, &rng)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<pixels.count {
            pixels[i] = UInt8(max(0, min(255, (canvas[i] + noise * Double(rng.normal())).rounded())))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    struct Placed {
        var shape: Int
        var texture: Int
        var cx: Double
        var cy: Double
        var radius: Double
        var angle: Double
        var colourA: (Double, Double, Double)
        var colourB: (Double, Double, Double)
        /// Texture periods per object radius.
        var frequency: Double
        var phase: Double
    }

    /// Paints with 2×2 supersampled coverage so edges are not a giveaway staircase.
    static func paint(_ p: Placed, on canvas: inout [Double], width: Int, height: Int) {
        let c = cos(p.angle), s = sin(p.angle)
        let x0 = max(0, Int(p.cx - p.radius * 1.5)), x1 = min(width - 1, Int(p.cx + p.radius * 1.5))
        let y0 = max(0, Int(p.cy - p.radius * 1.5)), y1 = min(height - 1, Int(p.cy + p.radius * 1.5))
        guard x0 <= x1, y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                var coverage = 0.0, mix = 0.0
                for (dx, dy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                    let px = (Double(x) + dx - p.cx) / p.radius, py = (Double(y) + dy - p.cy) / p.radius
                    let u = c * px + s * py, v = -s * px + c * py
                    if inside(p.shape, u, v) {
                        coverage += 0.25
                        mix += 0.25 * pattern(p.texture, u, v, p.frequency, p.phase)
                    }
                }
                guard coverage > 0 else { continue }
                let t = mix / coverage
                let i = 3 * (y * width + x)
                let colour = (p.colourA.0 + (p.colourB.0 - p.colourA.0) * t, p.colourA.1 + (p.colourB.1 - p.colourA.1) * t,
                              p.colourA.2 + (p.colourB.2 - p.colourA.2) * t)
                canvas[i] += (colour.0 - canvas[i]) * coverage
                canvas[i + 1] += (colour.1 - canvas[i + 1]) * coverage
                canvas[i + 2] += (colour.2 - canvas[i + 2]) * coverage
            }
        }
    }

    /// Shape outlines in object coordinates, radius 1.
    static func inside(_ shape: Int, _ u: Double, _ v: Double) -> Bool {
        let r = (u * u + v * v).squareRoot()
        switch shape {
        case 0: return r <= 1
        case 1: return abs(u) <= 0.8 && abs(v) <= 0.8
        case 2: return v <= 0.7 && v >= -0.95 && abs(u) <= (v + 0.95) / 1.65 * 0.95
        case 3: return (abs(u) <= 0.3 && abs(v) <= 0.95) || (abs(v) <= 0.3 && abs(u) <= 0.95)
        case 4: return r >= 0.55 && r <= 1
        // Elongated: under random rotation a square-proportioned diamond would just be a square.
        case 5: return abs(u) + abs(v) / 0.55 <= 1
        case 6: return r <= 0.55 + 0.45 * cos(5 * atan2(v, u))
        default: return r <= 1 && ((u - 0.45) * (u - 0.45) + v * v).squareRoot() >= 0.75
        }
    }

    /// Texture value in [0, 1] (0 = colour A, 1 = colour B).
    static func pattern(_ texture: Int, _ u: Double, _ v: Double, _ frequency: Double, _ phase: Double) -> Double {
        let fu = u * frequency + phase, fv = v * frequency + phase
        func fraction(_ x: Double) -> Double { x - x.rounded(.down) }
        switch texture {
        case 0: return 0
        case 1: return fraction(fu) < 0.5 ? 0 : 1
        case 2: return (fraction(fu) < 0.5) != (fraction(fv) < 0.5) ? 1 : 0
        case 3:
            let du = fraction(fu) - 0.5, dv = fraction(fv) - 0.5
            return du * du + dv * dv < 0.1 ? 1 : 0
        // Lines a third of a period wide: thinner ones blur away at 32 px.
        case 4: return fraction(fu) < 0.3 || fraction(fv) < 0.3 ? 1 : 0
        // Stripes bent into a zigzag whose swing (0.7 periods) and wavelength (2 periods) survive
        // small sizes; gentler waves are indistinguishable from stripes there.
        default: return fraction(fu + 0.35 * sin(Double.pi * fv)) < 0.5 ? 0 : 1
        }
    }
}
