// LiveTracking: `tracking:` while a run trains — each job's records sent to MLflow at its epoch ends; a failure stops the sending, never the training.

import Experiments
import Foundation

/// The server being down or refusing a request is said once; the run trains on and keeps every
/// record in its directory, and `runner export mlflow` later sends what the server missed into
/// the same MLflow runs.
final class LiveTracking {
    let tracker: MLflowTracker
    let settings: TrackingConfig
    private let say: (String) -> Void
    private let warn: (String) -> Void
    private(set) var failure: Error?
    /// The job runs this process opened.
    private var jobs: [MLflowJobRun] = []

    /// `say`: progress lines; `warn`: what must be seen even with --quiet.
    init(run: URL, settings: TrackingConfig, say: @escaping (String) -> Void, warn: @escaping (String) -> Void) {
        tracker = MLflowTracker(run: run, client: MLflowClient(trackingURI: settings.mlflow), experiment: settings.experiment)
        self.settings = settings
        self.say = say
        self.warn = warn
    }

    /// The command that sends the rest.
    var exportCommand: String {
        "runner export mlflow \(tracker.run.path) --tracking-uri \(settings.mlflow)"
            + (settings.experiment.map { " --experiment \($0)" } ?? "")
    }

    /// Runs `body` unless sending has stopped; its error stops it, with one warning.
    func attempt<T>(_ body: () throws -> T) -> T? {
        guard failure == nil else { return nil }
        do {
            return try body()
        } catch {
            failure = error
            warn("warning: MLflow logging stopped: \(error)")
            warn("  training goes on and every record stays in the run directory; `\(exportCommand)` sends the rest")
            return nil
        }
    }

    /// The parent run, announced with where to look.
    func open() {
        attempt {
            let parent = try tracker.parentRun(reopen: true)
            say("mlflow \(settings.mlflow) experiment \(tracker.experiment), run \(parent.runID)")
        }
    }

    func job(_ id: String, overrides: [String], config: ExperimentConfig) -> MLflowJobRun? {
        let job = attempt { try tracker.jobRun(id, overrides: overrides, config: config, reopen: true) }
        if let job { jobs.append(job) }
        return job
    }

    /// A Slurm node failed: the jobs it walked and the parent say so (other nodes may still be
    /// training other jobs); a resubmission sets them running again.
    func stop(status: String) {
        attempt {
            for job in jobs where job.record.status == "RUNNING" { try job.end(status: status, endTime: MLflowTracker.now) }
            try tracker.client.end(run: try tracker.parentRun(reopen: false).runID, status: status,
                                   endTime: MLflowTracker.now)
        }
    }

    /// The run ended with `status` (FINISHED, FAILED, KILLED); a stopped log is recalled here, where
    /// the user looks last.
    func finish(status: String) {
        attempt { try tracker.finish(status: status) }
        if failure != nil { warn("MLflow has only part of this run: `\(exportCommand)` sends the rest") }
    }
}
