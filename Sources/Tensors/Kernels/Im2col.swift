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

    /// The columns of one image on the calling thread: (C_g · KH · KW, OH · OW).
    static func unfoldSerial(_ input: UnsafePointer<Float>, _ g: Conv2dGeometry, image: Int, firstChannel: Int,
                             into columns: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, plane = g.outputPlane
        for row in 0..<g.patchSize {
            let c = row / (kh * kw), ki = (row / kw) % kh, kj = row % kw
            let source = input + (image * g.inChannels + firstChannel + c) * g.inputPlane
            unfoldPlane(source, g, ki: ki, kj: kj, into: columns + row * plane)
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
                RowCopy.zero(row, count: ow)
                continue
            }
            let line = source + ih * g.width
            if first > 0 { RowCopy.zero(row, count: first) }
            if sw == 1 {
                RowCopy.copy(line + (first - g.padWidth + kj), to: row + first, count: end - first)
            } else {
                var x = first
                var iw = first * sw - g.padWidth + kj
                if sw == 2 {
                    // Every other value: load 16 contiguous floats and keep the even lanes, while
                    // the load stays inside the input row.
                    while x + 8 <= end && iw + 16 <= g.width {
                        let pair = UnsafeRawPointer(line + iw).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(row + x).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
                        x += 8
                        iw += 16
                    }
                }
                while x < end {
                    row[x] = line[iw]
                    x += 1
                    iw += sw
                }
            }
            if end < ow { RowCopy.zero(row + end, count: ow - end) }
        }
    }

    /// Accumulates column gradients into `gradInput` (+=): the adjoint of `unfold`.
    static func fold(_ columns: UnsafePointer<Float>, _ g: Conv2dGeometry, firstImage: Int, images: Int,
                     firstChannel: Int, into gradInput: UnsafeMutablePointer<Float>) {
        let plane = g.outputPlane
        // One task per (image, channel) plane, so no two tasks write the same input value.
        Parallel.forEach(images * g.inPerGroup) { range in
            for task in range {
                let image = task / g.inPerGroup, c = task % g.inPerGroup
                let target = gradInput + ((firstImage + image) * g.inChannels + firstChannel + c) * g.inputPlane
                foldPlane(columns, g, channel: c, rowLength: images * plane, columnOffset: image * plane, into: target)
            }
        }
    }

    /// Adds the KH·KW column rows of one channel back into its input plane.
    @inline(__always)
    private static func foldPlane(_ columns: UnsafePointer<Float>, _ g: Conv2dGeometry, channel c: Int, rowLength: Int,
                                  columnOffset: Int, into target: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, ow = g.outWidth, sw = g.strideWidth
        for ki in 0..<kh {
            for kj in 0..<kw {
                let row = (c * kh + ki) * kw + kj
                let source = columns + row * rowLength + columnOffset
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

    /// `fold` for one image on the calling thread.
    static func foldSerial(_ columns: UnsafePointer<Float>, _ g: Conv2dGeometry, image: Int, firstChannel: Int,
                           into gradInput: UnsafeMutablePointer<Float>) {
        for c in 0..<g.inPerGroup {
            let target = gradInput + (image * g.inChannels + firstChannel + c) * g.inputPlane
            foldPlane(columns, g, channel: c, rowLength: g.outputPlane, columnOffset: 0, into: target)
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
