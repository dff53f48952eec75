// Export: `runner export mlflow RUN` — a run directory into an MLflow tracking server.

import ArgumentParser
import Foundation
import Training

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export runs to other tools.", subcommands: [ExportMLflow.self])
}

struct ExportMLflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlflow",
        abstract: "Log a run into MLflow through its REST API: a parent run per Runner run, a nested run per job with"
            + " its params, metrics (steps and timestamps), tags and artifacts.")

    @Argument(help: ArgumentHelp("A run: its directory, name/id, or name (its latest run).", valueName: "run"))
    var target: String
    @Option(help: "The tracking server (default: $MLFLOW_TRACKING_URI), e.g. http://127.0.0.1:5000.") var trackingURI: String?
    @Option(help: "The experiment (default: the config's name); created when missing.") var experiment: String?
    @Option(help: "Where run directories are.") var runs = "runs"

    func run() throws {
        guard let uri = trackingURI ?? ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"], !uri.isEmpty else {
            throw ValidationError("give --tracking-uri (or set MLFLOW_TRACKING_URI)")
        }
        guard uri.hasPrefix("http://") || uri.hasPrefix("https://") else {
            throw ValidationError("--tracking-uri \(uri): expected an http:// or https:// tracking server")
        }
        do {
            let entry = try RunCatalog.find(target, root: runs)
            let result = try MLflowExport.export(run: URL(fileURLWithPath: entry.path), client: MLflowClient(trackingURI: uri),
                                                 experiment: experiment)
            print("exported \(entry.path) to \(uri): experiment \(result.experimentID), run \(result.parentRunID) with "
                  + "\(result.jobRunIDs.count) job run\(result.jobRunIDs.count == 1 ? "" : "s")")
        } catch {
            throw failed(error)
        }
    }
}
