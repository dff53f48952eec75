// ReportWriter: the end of a run — each finished job interpreted over its validation set, then report.html.

import Foundation

public enum ReportWriter {
    /// Writes `jobs/<id>/interpretation.json` for every job with a trained model.
    public static func interpretJobs(run: URL) throws {
        let jobs = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("jobs").path)) ?? []
        for job in jobs.sorted() where FileManager.default.fileExists(atPath:
            run.appendingPathComponent("jobs/\(job)/model.safetensors").path) {
            try RunStore(existing: run).writeRecord("jobs/\(job)/interpretation.json",
                                                    try Interpretation.make(run: run, job: job))
        }
    }

    /// Interpretation and report after a run finished. A report that cannot be made does not make
    /// the finished run fail: it says why, and `runner report` can try again.
    public static func finish(run: URL, log: (String) -> Void) {
        do {
            try interpretJobs(run: run)
            log("report \(try RunReport.write(run: run).path)")
        } catch {
            log("warning: no report.html (\(error)); `runner report \(run.path)` tries again")
        }
    }
}
