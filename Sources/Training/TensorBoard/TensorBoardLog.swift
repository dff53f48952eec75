// TensorBoardLog: one job's TensorBoard event file (jobs/<id>/tb/events.out.tfevents.<time>.<host>) — what TensorBoard plots.

import Foundation

/// Written anew each time a job's nodes are walked (a run, a resume, `runner exec`), like
/// metrics.jsonl: the earlier event files of the job are removed first, so TensorBoard never sees a
/// step twice. Wall times are real; steps count training batches across the job's stages.
final class TensorBoardLog {
    let folder: URL
    private let writer: TFRecordWriter
    private let clock: () -> Double

    init(folder: URL, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.folder = folder
        self.clock = clock
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        for old in try manager.contentsOfDirectory(atPath: folder.path) where old.hasPrefix("events.out.tfevents.") {
            try manager.removeItem(at: folder.appendingPathComponent(old))
        }
        let now = clock()
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        writer = try TFRecordWriter(path: folder.appendingPathComponent("events.out.tfevents.\(Int(now)).\(host)").path)
        try writer.write(SummaryEvent.fileVersion(wallTime: now))
    }

    func scalars(step: Int, _ values: [(tag: String, value: Double)]) throws {
        try writer.write(SummaryEvent.scalars(wallTime: clock(), step: Int64(step), values))
    }

    func text(step: Int, tag: String, _ text: String) throws {
        try writer.write(SummaryEvent.text(wallTime: clock(), step: Int64(step), tag: tag, text))
    }

    func sessionStart(hparams: [(name: String, value: SummaryEvent.HParam)], group: String) throws {
        try writer.write(SummaryEvent.sessionStart(wallTime: clock(), hparams: hparams, group: group))
    }

    func sessionEnd(success: Bool) throws {
        try writer.write(SummaryEvent.sessionEnd(wallTime: clock(), success: success))
    }
}
