// UpdateKernels: the elementwise update loops of the optimisers, over raw Float buffers, in torch's operation order.

import Tensors

/// Each loop repeats the float32 operations torch (or fastai's torch calls) performs, in the same
/// order and with the same scalars rounded to Float, so results agree with PyTorch to a few ulps.
enum UpdateKernels {
    /// Below this many elements a loop is cheaper than handing work to other threads.
    static let grain = 1 << 14

    /// `p.mul_(factor)`: decoupled weight decay.
    static func scale(_ p: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        Parallel.forEach(count, grain: grain) { range in
            for i in range { p[i] *= factor }
        }
    }

    /// torch `Adam` (`_single_tensor_adam`): optional L2 into the gradient, `exp_avg.lerp_`,
    /// `exp_avg_sq.mul_().addcmul_()`, then `p.addcdiv_(exp_avg, sqrt(exp_avg_sq)/bc2 + eps, -step_size)`.
    struct TorchAdam {
        var l2: Float
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
        Parallel.forEach(count, grain: grain) { range in
            for i in range {
                let grad = k.l2 == 0 ? g[i] : g[i] + k.l2 * p[i]
                let mi = m[i]
                let avg = lowWeight ? mi + k.lerpWeight * (grad - mi) : grad - (grad - mi) * oneMinusWeight
                m[i] = avg
                let sq = v[i] * k.beta2 + k.oneMinusBeta2 * grad * grad
                v[i] = sq
                let denom = sq.squareRoot() / k.biasCorrection2Sqrt + k.eps
                p[i] = p[i] + k.negativeStepSize * avg / denom
            }
        }
    }

    /// fastai2 `Adam`: optional `l2_reg`, `average_grad(dampening=True)`, `average_sqr_grad`, then
    /// `adam_step`: `p.addcdiv_(grad_avg, (sqr_avg/debias2).sqrt() + eps, value=-lr/debias1)`.
    struct FastaiAdam {
        var l2: Float
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
        Parallel.forEach(count, grain: grain) { range in
            for i in range {
                let grad = k.l2 == 0 ? g[i] : g[i] + k.l2 * p[i]
                let avg = gradAvg[i] * k.mom + k.oneMinusMom * grad
                gradAvg[i] = avg
                let sq = sqrAvg[i] * k.sqrMom + k.oneMinusSqrMom * grad * grad
                sqrAvg[i] = sq
                let denom = (sq / k.debias2).squareRoot() + k.eps
                p[i] = p[i] + k.negativeStepSize * avg / denom
            }
        }
    }

    /// torch `SGD` without dampening or Nesterov: `g + wd·p`, the momentum buffer (a copy of the
    /// gradient on the first step), then `p.add_(buf, alpha=-lr)`.
    static func sgd(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ buffer: UnsafeMutablePointer<Float>,
                    count: Int, l2: Float, momentum: Float, negativeLearningRate: Float, firstStep: Bool) {
        Parallel.forEach(count, grain: grain) { range in
            for i in range {
                let grad = l2 == 0 ? g[i] : g[i] + l2 * p[i]
                let buf = firstStep || momentum == 0 ? grad : buffer[i] * momentum + grad
                buffer[i] = buf
                p[i] = p[i] + negativeLearningRate * buf
            }
        }
    }
}
