// ReportJob: what the report shows of one job, read back from its folder — batches, epochs, stages, interpretation.

import Foundation

/// Everything is read from the run directory, so `runner report` works on any finished run.
struct ReportJob {
    var id: String
    var overrides: [String]
    var batches: [BatchLine] = []
    var epochs: [EpochLine] = []
    var stages: [StageRecord] = []
    var interpretation: Interpretation?
    var final: FinalRecord?

    init(run: URL, id: String, overrides: [String]) throws {
        self.id = id
        self.overrides = overrides
        let folder = run.appendingPathComponent("jobs/\(id)")
        if let text = try? String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let data = Data(line.utf8)
                if line.contains("\"event\":\"batch\"") {
                    batches.append(try RunJSON.decode(BatchLine.self, from: data))
                } else {
                    epochs.append(try RunJSON.decode(EpochLine.self, from: data))
                }
            }
        }
        stages = Self.read([StageRecord].self, folder.appendingPathComponent("stages.json")) ?? []
        interpretation = Self.read(Interpretation.self, folder.appendingPathComponent("interpretation.json"))
        final = Self.read(FinalRecord.self, folder.appendingPathComponent("final.json"))
    }

    private static func read<T: Decodable>(_ type: T.Type, _ url: URL) -> T? {
        (try? Data(contentsOf: url)).flatMap { try? RunJSON.decode(type, from: $0) }
    }

    /// Where each stage starts on the step axis (batches before it).
    var stageStarts: [(name: String, step: Int)] {
        batches.indices.filter { $0 == 0 || batches[$0 - 1].stage != batches[$0].stage }.map { (batches[$0].stage, $0) }
    }

    /// The step (1-based batch count) at the end of each epoch line.
    var epochSteps: [Int] {
        var ends: [String: Int] = [:]
        for (index, line) in batches.enumerated() { ends["\(line.stage)/\(line.epoch)"] = index + 1 }
        return epochs.map { ends["\($0.stage)/\($0.epoch)"] ?? 0 }
    }
}
