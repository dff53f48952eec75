// Im2col: unfold input patches into GEMM columns and fold column gradients back.
//   input: (N, C, H, W); columns: (C_g · KH · KW, images · OH · OW) for the channels of one group.

enum Im2col {
    /// Writes the columns of images `firstImage ..< firstImage + images`, channels
    /// `firstChannel ..< firstChannel + geometry.inPerGroup`, into `columns`.
    static func unfold(_ input: UnsafePointer<Float>, _ g: Conv2dGeometry, firstImage: Int, images: Int,
                       firstChannel: Int, into columns: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth
        let plane = g.outputPlane, rowLength = images * plane
        let rows = g.patchSize
        Parallel.forEach(rows * images, grain: max(1, 16_384 / max(1, plane))) { range in
            for task in range {
                let row = task / images, image = task % images
                let c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw
                let source = input + ((firstImage + image) * g.inChannels + firstChannel + c) * g.inputPlane
                let destination = columns + row * rowLength + image * plane
                unfoldPlane(source, g, ki: ki, kj: kj, into: destination)
            }
        }
    }

    /// One (channel, ki, kj) row for one image: OH × OW values, zero where the patch hits padding.
    @inline(__always)
    private static func unfoldPlane(_ source: UnsafePointer<Float>, _ g: Conv2dGeometry, ki: Int, kj: Int,
                                    into destination: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth, sw = g.strideWidth
        let (first, end) = validColumns(g, kj: kj)
        for oh in 0..<g.outHeight {
            let row = destination + oh * ow
            let ih = oh * g.strideHeight - g.padHeight + ki
            if ih < 0 || ih >= g.height {
                row.update(repeating: 0, count: ow)
                continue
            }
            let line = source + ih * g.width
            if first > 0 { row.update(repeating: 0, count: first) }
            if sw == 1 {
                row.advanced(by: first).update(from: line + (first - g.padWidth + kj), count: end - first)
            } else {
                var iw = first * sw - g.padWidth + kj
                for x in first..<end {
                    row[x] = line[iw]
                    iw += sw
                }
            }
            if end < ow { row.advanced(by: end).update(repeating: 0, count: ow - end) }
        }
    }

    /// Accumulates column gradients into `gradInput` (+=): the adjoint of `unfold`.
    static func fold(_ columns: UnsafePointer<Float>, _ g: Conv2dGeometry, firstImage: Int, images: Int,
                     firstChannel: Int, into gradInput: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth
        let plane = g.outputPlane, rowLength = images * plane
        let ow = g.outWidth, sw = g.strideWidth
        // One task per (image, channel) plane, so no two tasks write the same input value.
        Parallel.forEach(images * g.inPerGroup) { range in
            for task in range {
                let image = task / g.inPerGroup, c = task % g.inPerGroup
                let target = gradInput + ((firstImage + image) * g.inChannels + firstChannel + c) * g.inputPlane
                for ki in 0..<kh {
                    for kj in 0..<kw {
                        let row = (c * kh + ki) * kw + kj
                        let source = columns + row * rowLength + image * plane
                        let (first, end) = validColumns(g, kj: kj)
                        guard first < end else { continue }
                        for oh in 0..<g.outHeight {
                            let ih = oh * g.strideHeight - g.padHeight + ki
                            if ih < 0 || ih >= g.height { continue }
                            let line = target + ih * g.width
                            let values = source + oh * ow
                            var iw = first * sw - g.padWidth + kj
                            for x in first..<end {
                                line[iw] += values[x]
                                iw += sw
                            }
                        }
                    }
                }
            }
        }
    }

    /// The output columns `first ..< end` whose input column lies inside the image for kernel column kj.
    @inline(__always)
    private static func validColumns(_ g: Conv2dGeometry, kj: Int) -> (Int, Int) {
        let offset = kj - g.padWidth
        // iw = ow·s + offset must satisfy 0 ≤ iw < W.
        let first = offset >= 0 ? 0 : (-offset + g.strideWidth - 1) / g.strideWidth
        let limit = g.width - offset  // ow·s < limit
        let end = limit <= 0 ? 0 : min(g.outWidth, (limit + g.strideWidth - 1) / g.strideWidth)
        return (min(first, end), end)
    }
}
