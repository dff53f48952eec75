// Head: fastai's classifier head — pool, flatten, then BatchNorm / Dropout / Linear blocks.
//   input: (N, nf, H, W) body features   output: (N, classes)

import Tensors

public enum Head {
    /// `features` is the body's output channel count (before the concat pool doubles it).
    public static func make(features: Int, classes: Int, options: HeadOptions, version: FastaiVersion,
                            rng: inout RandomGenerator) throws -> Sequential {
        try check(features: features, classes: classes, options: options, version: version)
        let nf = options.concatPool ? 2 * features : features
        let widths = [nf] + options.linFtrs + [classes]
        let blocks = widths.count - 1
        var ps = try options.dropouts(blocks: blocks, version: version)
        var layers: [any Module] = [
            options.concatPool ? AdaptiveConcatPool2dLayer() : AdaptiveAvgPool2dLayer(outputSize: (1, 1)),
            FlattenLayer(),
        ]
        var dropoutIndex: UInt64 = 0
        func dropout(_ p: Float) -> DropoutLayer {
            dropoutIndex += 1
            return DropoutLayer(p: p, rng: RandomGenerator(seed: rng.next(), purpose: "dropout-\(dropoutIndex)"))
        }
        func batchNorm(_ n: Int) -> BatchNormLayer {
            let bn = BatchNormLayer(channels: n, dimensions: 1)
            // fastai2's BatchNorm starts its bias at 1e-3.
            if version == .v2 { bn.bias?.value.fill(1e-3) }
            return bn
        }
        if version == .v2 && options.linFirst {
            layers.append(dropout(ps.removeFirst()))
            // fastai zips the blocks with the remaining ps, one fewer: the last block is the plain Linear.
            for (i, p) in ps.enumerated() {
                let hasBN = i > 0 || options.firstBN
                layers.append(linear(widths[i], widths[i + 1], bias: !hasBN, &rng))
                layers.append(ReLULayer())
                if hasBN { layers.append(batchNorm(widths[i + 1])) }
                if p != 0 { layers.append(dropout(p)) }
            }
            layers.append(linear(widths[blocks - 1], classes, bias: true, &rng))
        } else {
            for i in 0..<blocks {
                let hasBN = version != .v2 || i > 0 || options.firstBN
                if hasBN { layers.append(batchNorm(widths[i])) }
                if ps[i] != 0 { layers.append(dropout(ps[i])) }
                // fastai2 drops the Linear bias after a BatchNorm; v1 and 0.7 keep it.
                layers.append(linear(widths[i], widths[i + 1], bias: version != .v2 || !hasBN, &rng))
                if i < blocks - 1 { layers.append(ReLULayer()) }
            }
        }
        if options.bnFinal { layers.append(BatchNormLayer(channels: classes, dimensions: 1, momentum: 0.01)) }
        return Sequential(layers)
    }

    private static func check(features: Int, classes: Int, options: HeadOptions, version: FastaiVersion) throws {
        guard features > 0, classes > 0 else {
            throw TransferError.badHead(reason: "needs positive feature and class counts, got \(features), \(classes)")
        }
        guard options.linFtrs.allSatisfy({ $0 > 0 }) else {
            throw TransferError.badHead(reason: "lin_ftrs \(options.linFtrs) must be positive widths")
        }
        if version != .v2 && (!options.firstBN || options.linFirst) {
            throw TransferError.badHead(reason: "first_bn and lin_first exist only under fastai2")
        }
    }

    /// fastai's `apply_init(head, kaiming_normal_)`: weight N(0, √(2 / fan_in)), bias 0.
    private static func linear(_ inputs: Int, _ outputs: Int, bias: Bool, _ rng: inout RandomGenerator) -> LinearLayer {
        let layer = LinearLayer(inFeatures: inputs, outFeatures: outputs, bias: bias, rng: &rng)
        layer.weight.value = Tensor.kaimingNormal([outputs, inputs], rng: &rng)
        layer.bias?.value.fill(0)
        return layer
    }
}
