// UpdateKernels: the elementwise update loops of the optimisers, over raw Float buffers, in torch's operation order.

import Tensors

/// Each loop repeats the float32 operations torch (or fastai's torch calls) performs, in the same
/// order and with the same scalars rounded to Float, so results agree with PyTorch to a few ulps.
enum UpdateKernels {
    /// Below this many elements a loop is cheaper than handing work to other threads.
    static let grain = 1 << 14

    /// The decoupled decay's `p.mul_(decay.factor)`, then torch `Adam` (`_single_tensor_adam`):
    /// optional L2 into the gradient, `exp_avg.lerp_`, `exp_avg_sq.mul_().addcmul_()`, then
    /// `p.addcdiv_(exp_avg, sqrt(exp_avg_sq)/bc2 + eps, -step_size)`.
    struct TorchAdam {
        var decay: Decay
        /// `1 − β1`, lerp's weight.
        var lerpWeight: Float
        var beta2: Float
        var oneMinusBeta2: Float
        var biasCorrection2Sqrt: Float
        var eps: Float
        /// −lr / (1 − β1^t).
        var negativeStepSize: Float
    }

    static func torchAdam(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                          _ v: UnsafeMutablePointer<Float>, count: Int, _ k: TorchAdam) {
        // ATen's lerp switches formula at weight 0.5 to stay accurate near both ends.
        let lowWeight = abs(k.lerpWeight) < 0.5
        let oneMinusWeight = 1 - k.lerpWeight
        forEachVector(count) { i, lanes in
            let pi = V.load(p + i, lanes: lanes) * k.decay.factor
            let gi = V.load(g + i, lanes: lanes)
            let grad = k.decay.l2 == 0 ? gi : gi + k.decay.l2 * pi
            let mi = V.load(m + i, lanes: lanes)
            let avg = lowWeight ? mi + k.lerpWeight * (grad - mi) : grad - (grad - mi) * oneMinusWeight
            V.store(avg, m + i, lanes: lanes)
            let sq = V.load(v + i, lanes: lanes) * k.beta2 + k.oneMinusBeta2 * grad * grad
            V.store(sq, v + i, lanes: lanes)
            let denom = sq.squareRoot() / k.biasCorrection2Sqrt + k.eps
            V.store(pi + k.negativeStepSize * avg / denom, p + i, lanes: lanes)
        }
    }

    /// The decoupled decay's `p.mul_(decay.factor)`, then fastai2 `Adam`: optional `l2_reg`,
    /// `average_grad(dampening=True)`, `average_sqr_grad`, then `adam_step`:
    /// `p.addcdiv_(grad_avg, (sqr_avg/debias2).sqrt() + eps, value=-lr/debias1)`.
    struct FastaiAdam {
        var decay: Decay
        var mom: Float
        var oneMinusMom: Float
        var sqrMom: Float
        var oneMinusSqrMom: Float
        var debias2: Float
        var eps: Float
        /// −lr / debias1.
        var negativeStepSize: Float
    }

    static func fastaiAdam(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                           _ gradAvg: UnsafeMutablePointer<Float>, _ sqrAvg: UnsafeMutablePointer<Float>,
                           count: Int, _ k: FastaiAdam) {
        forEachVector(count) { i, lanes in
            let pi = V.load(p + i, lanes: lanes) * k.decay.factor
            let gi = V.load(g + i, lanes: lanes)
            let grad = k.decay.l2 == 0 ? gi : gi + k.decay.l2 * pi
            let avg = V.load(gradAvg + i, lanes: lanes) * k.mom + k.oneMinusMom * grad
            V.store(avg, gradAvg + i, lanes: lanes)
            let sq = V.load(sqrAvg + i, lanes: lanes) * k.sqrMom + k.oneMinusSqrMom * grad * grad
            V.store(sq, sqrAvg + i, lanes: lanes)
            let denom = (sq / k.debias2).squareRoot() + k.eps
            V.store(pi + k.negativeStepSize * avg / denom, p + i, lanes: lanes)
        }
    }

    /// The decoupled decay's `p.mul_(decay.factor)`, then torch `SGD` without dampening or Nesterov:
    /// `g + wd·p`, the momentum buffer (a copy of the gradient on the first step), then
    /// `p.add_(buf, alpha=-lr)`.
    static func sgd(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ buffer: UnsafeMutablePointer<Float>,
                    count: Int, decay: Decay, momentum: Float, negativeLearningRate: Float, firstStep: Bool) {
        forEachVector(count) { i, lanes in
            let pi = V.load(p + i, lanes: lanes) * decay.factor
            let gi = V.load(g + i, lanes: lanes)
            let grad = decay.l2 == 0 ? gi : gi + decay.l2 * pi
            let buf = firstStep || momentum == 0 ? grad : V.load(buffer + i, lanes: lanes) * momentum + grad
            V.store(buf, buffer + i, lanes: lanes)
            V.store(pi + negativeLearningRate * buf, p + i, lanes: lanes)
        }
    }

    typealias V = SIMD16<Float>

    @inline(__always)
    private static func forEachVector(_ count: Int, _ body: (_ start: Int, _ lanes: Int) -> Void) {
        V.forEachVector(count: count, grain: grain, body)
    }
}
