// Recording: whether a forward pass must keep what backward needs to pass gradients to its input.

/// torch records a graph only from tensors that require gradients; a frozen body fed with images
/// needs none, so it keeps no activations. Here the same rule is one flag for the forward pass
/// being run: false from the start of a pass whose input needs no gradient, true from the first
/// layer with trainable parameters on (everything computed after it may need one). Layers keep
/// activations for their input gradient only while it is true, and always for their own trainable
/// parameters. The flag only turns true during a pass, and a layer runs after everything it
/// depends on, so it is never false where backward will ask for an input gradient.
public enum Recording {
    nonisolated(unsafe) public private(set) static var inputGradients = true

    /// Runs one forward pass whose input needs no gradient (images).
    public static func withoutInputGradient<R>(_ body: () -> R) -> R {
        let previous = inputGradients
        inputGradients = false
        defer { inputGradients = previous }
        return body()
    }

    /// Called by a layer after its forward when it has trainable parameters.
    static func trainableLayerRan() {
        inputGradients = true
    }
}
