// PlaneSize: the height and width a module turns an input plane into — torch's size arithmetic, checked before anything runs.

import Tensors

/// A network fed with images of the configured size must never reach a kernel whose window is
/// larger than its (padded) input: the kernels treat that as a programmer error. `Module.plane(after:)`
/// runs the size arithmetic of the whole network instead, and says which layer would fail.
public struct PlaneSize: Equatable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public var description: String { "\(height)×\(width)" }
}

public struct PlaneSizeError: Error, Equatable, CustomStringConvertible {
    /// The layer's dotted key inside the network, e.g. `features.12`.
    public var layer: String
    public var typeName: String
    public var input: PlaneSize
    public var window: PlaneSize

    public var description: String {
        "layer `\(layer.isEmpty ? typeName : layer)` (\(typeName)) would get a \(input) plane, too small for its"
            + " \(window) window"
    }
}

extension Module {
    /// Children in order, each on the previous one's output; blocks with parallel paths override it.
    public func defaultPlane(after input: PlaneSize) throws -> PlaneSize {
        try plane(after: input, through: children)
    }

    func plane(after input: PlaneSize, through modules: [(name: String, module: any Module)]) throws -> PlaneSize {
        var size = input
        for (name, module) in modules {
            do {
                size = try module.plane(after: size)
            } catch var error as PlaneSizeError {
                error.layer = error.layer.isEmpty ? name : name + "." + error.layer
                throw error
            }
        }
        return size
    }

    /// Out size of a sliding window by torch's rules (floor division; ceil mode may add a last
    /// window that overhangs the input); an error when that leaves no window at all.
    static func windowOutput(_ input: PlaneSize, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
                             ceilMode: Bool, typeName: String) throws -> PlaneSize {
        let output = PlaneSize(
            height: Pool2dGeometry.outputSize(input.height, kernel: kernel.0, stride: stride.0, pad: padding.0,
                                              ceilMode: ceilMode),
            width: Pool2dGeometry.outputSize(input.width, kernel: kernel.1, stride: stride.1, pad: padding.1,
                                             ceilMode: ceilMode))
        guard output.height >= 1, output.width >= 1 else {
            throw PlaneSizeError(layer: "", typeName: typeName, input: input,
                                 window: PlaneSize(height: kernel.0, width: kernel.1))
        }
        return output
    }
}

extension Conv2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize {
        try Self.windowOutput(input, kernel: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding,
                              ceilMode: false, typeName: typeName)
    }
}

extension MaxPool2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize {
        try Self.windowOutput(input, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                              typeName: typeName)
    }
}

extension AvgPool2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize {
        try Self.windowOutput(input, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                              typeName: typeName)
    }
}

extension AdaptiveAvgPool2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize { PlaneSize(height: outputSize.0, width: outputSize.1) }
}

extension AdaptiveMaxPool2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize { PlaneSize(height: outputSize.0, width: outputSize.1) }
}

extension AdaptiveConcatPool2dLayer {
    public func plane(after input: PlaneSize) throws -> PlaneSize { PlaneSize(height: outputSize.0, width: outputSize.1) }
}

extension BasicBlock {
    /// The main path; the downsample shortcut gives the same plane.
    public func plane(after input: PlaneSize) throws -> PlaneSize {
        try plane(after: input, through: children.filter { $0.name != "downsample" })
    }
}

extension Bottleneck {
    public func plane(after input: PlaneSize) throws -> PlaneSize {
        try plane(after: input, through: children.filter { $0.name != "downsample" })
    }
}
