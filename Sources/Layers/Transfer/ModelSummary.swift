// ModelSummary: fastai's summary table — each leaf's output shape, parameters, trainability and group.

import Tensors

public struct ModelSummary {
    public struct Row: Equatable {
        public var name: String
        public var type: String
        /// Without the batch dimension, as fastai prints it.
        public var outputShape: [Int]
        public var parameters: Int
        /// fastai's rule: whether the leaf's `weight` trains; nil for leaves without one.
        public var trainable: Bool?
        public var group: Int
    }

    public struct GroupTotal: Equatable {
        public var index: Int
        public var parameters: Int
        public var trainable: Int
    }

    public var rows: [Row]
    public var groups: [GroupTotal]
    public var totalParameters: Int
    public var trainableParameters: Int
    public var frozenGroups: Int

    /// Runs one `size`×`size` image through the model in evaluation mode and records every leaf
    /// that fires; the model's modes are restored afterwards.
    public static func make(_ model: TransferModel, size: Int) -> ModelSummary {
        var shapes: [ObjectIdentifier: [Int]] = [:]
        let modes = model.namedModules().map { ($0.module, $0.module.isTraining) }
        model.eval()
        model.context.observing({ module, output in
            shapes[ObjectIdentifier(module)] = Array(output.shape.dropFirst())
        }) {
            _ = model.forward(Tensor(zeros: [1, 3, size, size]))
        }
        for (module, training) in modes { module.isTraining = training }
        var rows: [Row] = []
        for group in model.groups {
            for leaf in group.leaves {
                guard let shape = shapes[ObjectIdentifier(leaf.module)] else { continue }
                let parameters = leaf.module.parameters
                let weight = parameters.first { $0.name == "weight" }?.parameter
                rows.append(Row(name: leaf.name, type: leaf.module.typeName, outputShape: shape,
                                parameters: parameters.reduce(0) { $0 + $1.parameter.count },
                                trainable: weight?.requiresGrad, group: group.index))
            }
        }
        return ModelSummary(rows: rows,
                            groups: model.groups.map {
                                GroupTotal(index: $0.index, parameters: $0.parameterCount,
                                           trainable: $0.trainableParameterCount)
                            },
                            totalParameters: model.parameterCount,
                            trainableParameters: model.trainableParameterCount,
                            frozenGroups: model.frozenGroups)
    }

    /// The table as fastai v1 prints it, plus a Group column and per-group totals.
    public var text: String {
        let header = ["Layer (type)", "Output Shape", "Param #", "Trainable", "Group"]
        let cells = rows.map { row in
            [row.type, "[" + row.outputShape.map(String.init).joined(separator: ", ") + "]",
             Self.thousands(row.parameters), row.trainable.map { $0 ? "True" : "False" } ?? "False", String(row.group)]
        }
        let widths = header.indices.map { column in
            ([header[column]] + cells.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                let padding = String(repeating: " ", count: widths[index] - value.count)
                return index >= 2 ? padding + value : value + padding
            }.joined(separator: "   ")
        }
        let rule = String(repeating: "=", count: widths.reduce(0, +) + 3 * (widths.count - 1))
        var lines = [rule, line(header), rule] + cells.map(line) + [rule]
        lines.append("Total params: \(Self.thousands(totalParameters))")
        lines.append("Total trainable params: \(Self.thousands(trainableParameters))")
        lines.append("Total non-trainable params: \(Self.thousands(totalParameters - trainableParameters))")
        lines.append(frozenGroups > 0 ? "Model frozen up to layer group #\(frozenGroups)" : "Model unfrozen")
        for group in groups {
            lines.append("  group \(group.index): \(Self.thousands(group.parameters)) params, "
                         + "\(Self.thousands(group.trainable)) trainable")
        }
        return lines.joined(separator: "\n")
    }

    /// The same content for `--json`: plain dictionaries and arrays, ready for JSONSerialization.
    public var jsonObject: [String: Any] {
        [
            "layers": rows.map { row -> [String: Any] in
                var item: [String: Any] = ["name": row.name, "type": row.type, "output_shape": row.outputShape,
                                           "params": row.parameters, "group": row.group]
                item["trainable"] = row.trainable ?? false
                return item
            },
            "groups": groups.map { ["index": $0.index, "params": $0.parameters, "trainable": $0.trainable] },
            "total_params": totalParameters,
            "trainable_params": trainableParameters,
            "frozen_groups": frozenGroups,
        ]
    }

    static func thousands(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }
}
