// SummaryEvent: TensorBoard's `Event` protos as bytes — the file version, scalars, text, and the hparams plugin's session records.

/// Field numbers are those of tensorboard/compat/proto (event.proto, summary.proto, tensor.proto)
/// and tensorboard/plugins/hparams/plugin_data.proto.
enum SummaryEvent {
    /// The first record of every event file.
    static func fileVersion(wallTime: Double) -> [UInt8] {
        var event = ProtoWriter()
        event.double(1, wallTime)
        event.string(3, "brain.Event:2")
        return event.bytes
    }

    /// One `Summary` of `simple_value`s at `step`, which the scalars plugin plots.
    static func scalars(wallTime: Double, step: Int64, _ values: [(tag: String, value: Double)]) -> [UInt8] {
        summary(wallTime: wallTime, step: step) { summary in
            for (tag, value) in values {
                summary.message(1) { item in
                    item.string(1, tag)
                    item.float(2, Float(value))
                }
            }
        }
    }

    /// A text summary (the text plugin): a scalar `DT_STRING` tensor.
    static func text(wallTime: Double, step: Int64, tag: String, _ text: String) -> [UInt8] {
        summary(wallTime: wallTime, step: step) { summary in
            summary.message(1) { item in
                item.string(1, tag)
                item.message(9) { metadata in metadata.message(1) { plugin in plugin.string(1, "text") } }
                item.message(8) { tensor in
                    tensor.int(1, 7)
                    tensor.message(2) { _ in }
                    tensor.string(8, text)
                }
            }
        }
    }

    /// A hyper-parameter value as `google.protobuf.Value`: a number, a bool or a string.
    enum HParam: Equatable, Sendable {
        case number(Double)
        case bool(Bool)
        case string(String)

        /// `0.001` → number, `true` → bool, anything else (`[8, 5]`, `pretrain`) → string.
        init(text: String) {
            if let number = Double(text), number.isFinite {
                self = .number(number)
            } else if text == "true" || text == "false" {
                self = .bool(text == "true")
            } else {
                self = .string(text)
            }
        }
    }

    /// `_hparams_/session_start_info`: this run (one job) is a session with these hyper-parameters.
    static func sessionStart(wallTime: Double, hparams: [(name: String, value: HParam)], group: String) -> [UInt8] {
        hparamsRecord(wallTime: wallTime, tag: "_hparams_/session_start_info", field: 3) { info in
            for (name, value) in hparams {
                info.message(1) { entry in
                    entry.string(1, name)
                    entry.message(2) { proto in
                        switch value {
                        case let .number(number): proto.double(2, number)
                        case let .string(text): proto.string(3, text)
                        case let .bool(flag): proto.int(4, flag ? 1 : 0)
                        }
                    }
                }
            }
            if !group.isEmpty { info.string(4, group) }
            info.double(5, wallTime)
        }
    }

    /// `_hparams_/session_end_info`: status 1 is STATUS_SUCCESS, 2 STATUS_FAILURE.
    static func sessionEnd(wallTime: Double, success: Bool) -> [UInt8] {
        hparamsRecord(wallTime: wallTime, tag: "_hparams_/session_end_info", field: 4) { info in
            info.int(1, success ? 1 : 2)
            info.double(2, wallTime)
        }
    }

    private static func hparamsRecord(wallTime: Double, tag: String, field: Int,
                                      _ build: (inout ProtoWriter) -> Void) -> [UInt8] {
        var content = ProtoWriter()
        content.message(field, build)
        return summary(wallTime: wallTime, step: 0) { summary in
            summary.message(1) { item in
                item.string(1, tag)
                item.message(9) { metadata in
                    metadata.message(1) { plugin in
                        plugin.string(1, "hparams")
                        plugin.bytes(2, content.bytes)
                    }
                }
                // The plugin keeps its records as tensors; its own writer attaches a float 0.
                item.message(8) { tensor in
                    tensor.int(1, 1)
                    tensor.message(2) { _ in }
                    tensor.bytes(5, [0, 0, 0, 0])
                }
            }
        }
    }

    private static func summary(wallTime: Double, step: Int64, _ build: (inout ProtoWriter) -> Void) -> [UInt8] {
        var event = ProtoWriter()
        event.double(1, wallTime)
        if step != 0 { event.int(2, step) }
        event.message(5, build)
        return event.bytes
    }
}
