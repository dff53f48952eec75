// BatchNormLayer: torch.nn.BatchNorm1d / BatchNorm2d — input (N, C) or (N, C, H, W), weight and bias (C).

import Tensors

public final class BatchNormLayer: ContextualLayer {
    public let typeName: String
    public let weight: Parameter?
    public let bias: Parameter?
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let batchesTracked: Buffer
    public let momentum: Float
    public let eps: Float
    public var isTraining = true
    /// Its model's context once a model adopts it.
    public var context = ExecutionContext()
    private var cachedInput: Tensor?
    private var batchStatistics: BatchNormBatchStatistics?
    private var usedBatchStatistics = false

    /// `dimensions` is 1 for BatchNorm1d and 2 for BatchNorm2d; only the name differs.
    public init(channels: Int, dimensions: Int = 2, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        precondition(dimensions == 1 || dimensions == 2, "BatchNorm\(dimensions)d is not supported")
        typeName = "BatchNorm\(dimensions)d"
        weight = affine ? Parameter(Tensor(repeating: 1, shape: [channels])) : nil
        bias = affine ? Parameter(Tensor(zeros: [channels])) : nil
        runningMean = Buffer(Tensor(zeros: [channels]))
        runningVar = Buffer(Tensor(repeating: 1, shape: [channels]))
        batchesTracked = Buffer(Tensor(zeros: []), isCounter: true)
        self.momentum = momentum
        self.eps = eps
    }

    public var channels: Int { runningMean.value.count }

    public var parameters: [(name: String, parameter: Parameter)] {
        [weight.map { ("weight", $0) }, bias.map { ("bias", $0) }].compactMap { $0 }
    }

    public var buffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", batchesTracked)]
    }

    private var running: BatchNormRunningStatistics {
        get {
            var stats = BatchNormRunningStatistics(channels: channels)
            stats.mean = runningMean.value
            stats.variance = runningVar.value
            stats.batchesTracked = Int(batchesTracked.value.data.first ?? 0)
            return stats
        }
        set {
            runningMean.value = newValue.mean
            runningVar.value = newValue.variance
            batchesTracked.value = Tensor(shape: [], data: [Float(newValue.batchesTracked)])
        }
    }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 2 && input.shape[1] == channels,
                     "\(typeName)(\(channels)) got input \(input.shape)")
        let trainable = weight?.requiresGrad == true || bias?.requiresGrad == true
        cachedInput = trainable || context.inputGradients ? input : nil
        if trainable { context.trainableLayerRan() }
        usedBatchStatistics = isTraining
        if isTraining {
            var stats = running
            let (output, batch) = BatchNorm.forwardTraining(input, weight: weight?.value, bias: bias?.value,
                                                            running: &stats, momentum: momentum, eps: eps)
            running = stats
            batchStatistics = batch
            return observed(output)
        }
        return observed(BatchNorm.forwardInference(input, weight: weight?.value, bias: bias?.value, running: running, eps: eps))
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient || weight?.requiresGrad == true || bias?.requiresGrad == true else {
            cachedInput = nil
            batchStatistics = nil
            return nil
        }
        guard let input = cachedInput else { preconditionFailure("BatchNormLayer.backward before forward") }
        var gradInput: Tensor? = needsInputGradient ? Tensor(zeros: input.shape) : nil
        var gradWeight = weight?.takeGradientIfTrainable()
        var gradBias = bias?.takeGradientIfTrainable()
        if usedBatchStatistics, let batch = batchStatistics {
            BatchNorm.backwardTraining(gradOutput, input: input, weight: weight?.value, batch: batch,
                                       gradInput: &gradInput, gradWeight: &gradWeight, gradBias: &gradBias)
        } else {
            BatchNorm.backwardInference(gradOutput, input: input, weight: weight?.value, running: running, eps: eps,
                                        gradInput: &gradInput, gradWeight: &gradWeight, gradBias: &gradBias)
        }
        if let gradWeight { weight?.gradient = gradWeight }
        if let gradBias { bias?.gradient = gradBias }
        cachedInput = nil
        batchStatistics = nil
        return gradInput
    }
}
