// MomentStore: per-parameter moment tensors and step counts, keyed by parameter key, with (de)serialisation.

import Tensors

/// Entries are classes so kernels can update two moment tensors in place at once: separate stored
/// properties of a class may be accessed simultaneously, elements of one array may not.
final class MomentStore {
    final class Entry {
        var step = 0
        var first: Tensor
        var second: Tensor

        init(first: Tensor, second: Tensor) {
            self.first = first
            self.second = second
        }
    }

    /// Slot names in saved state, e.g. `exp_avg` and `exp_avg_sq`; SGD has no second slot.
    let firstName: String
    let secondName: String?
    private(set) var entries: [String: Entry] = [:]

    init(groups: [ParameterGroup], firstName: String, secondName: String?) throws(OptimizerError) {
        self.firstName = firstName
        self.secondName = secondName
        var seen = Set<String>()
        for group in groups {
            for member in group.members where !seen.insert(member.key).inserted {
                throw .duplicateParameter(member.key)
            }
        }
    }

    /// The entry of `member`, created with zero moments on its first step.
    func entry(for member: ParameterGroup.Member) -> Entry {
        if let entry = entries[member.key], entry.first.shape == member.parameter.shape { return entry }
        let shape = member.parameter.shape
        let entry = Entry(first: Tensor(zeros: shape), second: Tensor(zeros: secondName == nil ? [0] : shape))
        entries[member.key] = entry
        return entry
    }

    /// The part of a step every optimiser shares: each stepped member that has a gradient, its
    /// entry's step count advanced; `update` gets the member's decay (the decoupled factor and the
    /// L2 coefficient, which its kernel applies) and runs the optimiser's own kernel.
    func forEachUpdate(of groups: [ParameterGroup], weightDecay: WeightDecayRule,
                       _ update: (_ member: ParameterGroup.Member, _ hyper: HyperParameters, _ gradient: Tensor,
                                  _ decay: Decay, _ entry: Entry) -> Void) {
        for group in groups {
            // Frozen parameters, and ones no backward pass reached, are left alone.
            for member in group.members where member.parameter.requiresGrad {
                guard let gradient = member.parameter.gradient else { continue }
                let entry = entry(for: member)
                entry.step += 1
                update(member, group.hyper, gradient, weightDecay.decay(of: member, group.hyper), entry)
            }
        }
    }

    func reset() {
        entries = [:]
    }

    func serialised() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (key, entry) in entries where entry.step > 0 {
            result[key + ".step"] = Tensor(shape: [], data: [Float(entry.step)])
            result[key + "." + firstName] = entry.first
            if let secondName { result[key + "." + secondName] = entry.second }
        }
        return result
    }

    /// All or nothing: a bad entry leaves the current state as it was.
    func load(_ state: [String: Tensor], groups: [ParameterGroup]) throws(OptimizerError) {
        var shapes: [String: [Int]] = [:]
        for group in groups {
            for member in group.members { shapes[member.key] = member.parameter.shape }
        }
        let slots = [firstName, secondName, "step"].compactMap { $0 }
        var parts: [String: [String: Tensor]] = [:]
        for (name, tensor) in state {
            guard let slot = slots.first(where: { name.hasSuffix("." + $0) }) else { throw .unknownStateKey(name) }
            let key = String(name.dropLast(slot.count + 1))
            guard let shape = shapes[key] else { throw .unknownStateKey(name) }
            let expected = slot == "step" ? [] : shape
            guard tensor.count == Tensor.elementCount(expected) else {
                throw .stateShape(key: name, expected: expected, found: tensor.shape)
            }
            parts[key, default: [:]][slot] = tensor.reshaped(expected)
        }
        var loaded: [String: Entry] = [:]
        for (key, slotsOfKey) in parts {
            for slot in slots where slotsOfKey[slot] == nil { throw .missingStateSlot(key + "." + slot) }
            guard let stepTensor = slotsOfKey["step"], let first = slotsOfKey[firstName],
                  let step = stepTensor.data.first, step >= 1, step == step.rounded() else {
                throw .missingStateSlot(key + ".step")
            }
            let second = secondName.flatMap { slotsOfKey[$0] } ?? Tensor(zeros: [0])
            let entry = Entry(first: first, second: second)
            entry.step = Int(step)
            loaded[key] = entry
        }
        entries = loaded
    }
}
