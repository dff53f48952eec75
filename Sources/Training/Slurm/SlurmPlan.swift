// SlurmPlan: a job graph as Slurm jobs — one per node that does heavy work, afterok edges from the graph, siblings as arrays.

import Experiments

/// Cache nodes (decoding every image once), pretrain and stage nodes each become a Slurm job; data,
/// model and evaluate nodes are cheap and run inside the stage jobs after them. A job waits
/// (`afterok`) for the nearest submitted nodes above it in the graph, so a frozen stage that a split
/// sweep shares runs once and the unfrozen stages start when it ends. Nodes of one kind and stage
/// name that wait for exactly the same nodes (the unfrozen stages of a split sweep) go into one
/// job array.
public struct SlurmPlan: Equatable, Sendable {
    public var jobs: [SlurmJob]

    /// `finished`: nodes that ran already (`submit --resume`): not submitted, and nothing waits for them.
    public init(graph: JobGraph, experiment: String, runID: String, finished: Set<String> = []) {
        let submitted = graph.nodes.filter { Self.runsAlone($0.kind) && !finished.contains($0.id) }
        let parents = Self.submittedParents(graph, finished: finished)
        // Siblings: same kind and stage, same parents; each group in the order of its first node.
        var groups: [[JobGraph.Node]] = []
        for node in submitted {
            if let i = groups.firstIndex(where: {
                $0[0].kind == node.kind && $0[0].name == node.name && parents[$0[0].id] == parents[node.id]
            }) {
                groups[i].append(node)
            } else {
                groups.append([node])
            }
        }
        var place: [String: SlurmJob.Dependency] = [:]
        var jobs: [SlurmJob] = []
        for group in groups {
            let after = Set((parents[group[0].id] ?? []).compactMap { place[$0] })
                .sorted { ($0.job, $0.task ?? -1) < ($1.job, $1.task ?? -1) }
            let array = group.count > 1
            let name = "\(experiment)/\(runID)/" + (array ? "\(group[0].name)-x\(group.count)" : group[0].id)
            let logs = group.indices.map { i in
                array ? "logs/\(SlurmJob.arrayLogStem(name))_\(i).log" : "logs/\(group[i].id).log"
            }
            for (i, node) in group.enumerated() { place[node.id] = .init(job: jobs.count, task: array ? i : nil) }
            jobs.append(SlurmJob(name: name, nodes: group.map(\.id), labels: group.map { Self.label($0) },
                                 after: after, logs: logs))
        }
        self.jobs = jobs
    }

    /// For every node, the nearest submitted nodes above it (through data and model nodes).
    static func submittedParents(_ graph: JobGraph, finished: Set<String>) -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        // graph.nodes is in topological order, so every parent is resolved before its children.
        for node in graph.nodes {
            result[node.id] = Set(node.parents.flatMap { parent -> Set<String> in
                guard let kind = graph.node(parent)?.kind, !finished.contains(parent) else { return [] }
                return Self.runsAlone(kind) ? [parent] : result[parent] ?? []
            })
        }
        return result
    }

    /// Cache, pretrain and stage nodes are Slurm jobs of their own (`runner exec` runs them).
    static func runsAlone(_ kind: JobGraph.Kind) -> Bool {
        [.cache, .pretrain, .stage].contains(kind)
    }

    static func label(_ node: JobGraph.Node) -> String {
        let jobs = node.sharedBy.count == 1 ? "job \(node.sharedBy[0])" : "jobs \(node.sharedBy.joined(separator: ", "))"
        switch node.kind {
        case .cache: return "cache \(node.id): decode and resize the images once (\(jobs))"
        case .pretrain: return "pretrain \(node.name) \(node.id) (\(jobs))"
        default: return "stage \(node.name) \(node.id) (\(jobs))"
        }
    }

    /// The dependency graph as lines: each job, what it runs and what it waits for.
    public func graphLines(ids: (Int) -> String) -> [String] {
        jobs.enumerated().flatMap { index, job -> [String] in
            let waits = job.after.isEmpty ? "starts at once"
                : "after " + job.after.map { ids($0.job) + ($0.task.map { "_\($0)" } ?? "") }.joined(separator: ", ")
            let head = "\(ids(index))  \(job.name)  (\(waits))"
            if job.isArray {
                return [head] + job.labels.enumerated().map { "    task \($0.offset): \($0.element)" }
            }
            return [head, "    \(job.labels[0])"]
        }
    }
}
