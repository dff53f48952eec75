// PlanError: a plan that does not fit what is being run — the model a stage trains, a node the executor cannot run.

public enum PlanError: Error, CustomStringConvertible {
    /// The model has other trainable parameters than the stage's plan lists.
    case modelDiffers(stage: String, missing: [String], unexpected: [String])

    public var description: String {
        switch self {
        case let .modelDiffers(stage, missing, unexpected):
            func list(_ keys: [String]) -> String {
                keys.prefix(5).joined(separator: ", ") + (keys.count > 5 ? " and \(keys.count - 5) more" : "")
            }
            return "stage `\(stage)`: the model does not match its plan"
                + (missing.isEmpty ? "" : "; the plan trains \(list(missing)), which the model freezes")
                + (unexpected.isEmpty ? "" : "; the model trains \(list(unexpected)), which the plan freezes")
                + " (the plan is out of date: plan the config again)"
        }
    }
}
