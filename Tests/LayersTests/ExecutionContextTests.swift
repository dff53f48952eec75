// ExecutionContextTests: every layer a model runs — registered or not — runs with the model's context, and two models' kernels are apart.

import Layers
import Tensors
import XCTest

final class ExecutionContextTests: XCTestCase {
    /// Every `ContextualLayer` stored anywhere below `root` (children and private properties alike).
    private func contextualLayers(_ root: Any) -> [any ContextualLayer] {
        var seen = Set<ObjectIdentifier>()
        var found: [any ContextualLayer] = []
        func visit(_ value: Any) {
            // Weights hold no layers; walking their millions of floats would take minutes.
            if value is Tensor || value is Parameter || value is Buffer || value is [Float] { return }
            let mirror = Mirror(reflecting: value)
            // Only class instances have an identity (`as AnyObject` would box structs anew each time).
            if mirror.displayStyle == .class {
                let object = value as AnyObject
                guard seen.insert(ObjectIdentifier(object)).inserted else { return }
                if let layer = object as? any ContextualLayer { found.append(layer) }
            }
            for child in mirror.children { visit(child.value) }
        }
        visit(root)
        return found
    }

    func testEveryLayerOfEveryArchitectureRunsWithItsModelsContext() {
        for architecture in Architecture.allCases {
            var rng = RandomGenerator(seed: 1)
            let model = architecture.build(numClasses: 3, rng: &rng)
            let layers = contextualLayers(model)
            XCTAssertGreaterThan(layers.count, 5, "\(architecture)")
            for layer in layers where layer.context !== model.context {
                XCTFail("\(architecture): a \(layer.typeName) keeps a context of its own")
            }
        }
    }

    /// A setting of one model's kernels is not another's: there is no process-wide switch.
    func testTwoModelsHaveTheirOwnKernelSettings() {
        var rng = RandomGenerator(seed: 1)
        let first = Architecture.resnet18.build(numClasses: 3, rng: &rng)
        let second = Architecture.resnet18.build(numClasses: 3, rng: &rng)
        first.context.kernels.winograd = false
        XCTAssertNil(second.context.kernels.winograd)
        XCTAssertFalse(first.context.kernels === second.context.kernels)
    }
}
