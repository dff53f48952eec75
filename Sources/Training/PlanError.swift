// PlanError: a plan that does not fit what is being run — the model a stage trains, a node the executor cannot run.

public enum PlanError: Error, CustomStringConvertible {
    /// The model has other trainable parameters than the stage's plan lists.
    case modelDiffers(stage: String, missing: [String], unexpected: [String])
    /// `runner exec`: a stage before the node it runs has no output in runs/.cache yet.
    case unfinishedParent(node: String, stage: String, job: String)
    /// `runner exec`: the run's plan has no such node.
    case unknownNode(String, run: String, runnable: [String])
    /// `runner exec`: a node that runs only as part of another (data, model, evaluate).
    case notRunnable(String, kind: String)
    /// `runner exec`: planning the run's resolved config now gives other nodes than its plan.json.
    case planChanged(run: String, missing: [String], added: [String])
    /// A plan made before the data is there, which alone would give the class count.
    case classesUnknown
    /// `runner exec`: the Slurm job has another CPU count than the run's plan was made for.
    case threadsDiffer(run: String, planned: Int, slurm: Int)
    case numericsDiffer(run: String, planned: String, current: String)

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
        case let .unfinishedParent(node, stage, job):
            return "stage `\(stage)` of job \(job) (node \(node)) comes before the node to run but has not finished:"
                + " run its node first (`runner status` shows which nodes are done)"
        case let .unknownNode(node, run, runnable):
            return "\(run)'s plan has no node `\(node)`; nodes that run on their own: "
                + (runnable.isEmpty ? "none" : runnable.joined(separator: ", "))
        case let .notRunnable(node, kind):
            return "node \(node) is a `\(kind)` node, which runs as part of the stages after it, not on its own;"
                + " run a cache, pretrain or stage node"
        case let .planChanged(run, missing, added):
            return "the plan of \(run) no longer holds: planned again, it lacks \(missing.joined(separator: ", "))"
                + (added.isEmpty ? "" : " and has \(added.joined(separator: ", "))")
                + " (the data or a weights file changed since the run was made); submit the config again"
        case .classesUnknown:
            return "the class count comes from the data, which is not there yet; set model.classes or pass --classes"
        case let .threadsDiffer(run, planned, slurm):
            return "\(run) was planned for \(planned) thread\(planned == 1 ? "" : "s") but the Slurm job has"
                + " SLURM_CPUS_PER_TASK=\(slurm): results depend on the thread count, so the node would not be the"
                + " planned one; submit with --cpus-per-task \(planned)"
        case let .numericsDiffer(run, planned, current):
            return "\(run) was planned with --numerics \(planned) but this process runs \(current) numerics, so its"
                + " stages would not be the planned ones; run `runner exec --numerics \(planned) …` (runner submit"
                + " writes it into its scripts)"
        }
    }
}
