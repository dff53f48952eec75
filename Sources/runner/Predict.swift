// Predict: `runner predict RUN|JOB_DIR IMAGES…` — a trained job's classes and probabilities for new images.

import ArgumentParser
import Foundation
import Training

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a trained job: its class names and probabilities, preprocessed as the validation set was.",
        discussion: """
            The job's folder (jobs/<id> of a run) holds all it needs: job.yaml, classes.json and \
            model.safetensors; no experiment file or data folder is read.
            """)

    @Argument(help: ArgumentHelp("A run (directory, name/id or name) or a job's folder.", valueName: "run-or-job"))
    var target: String
    @Argument(help: "Image files (JPEG or PNG).") var images: [String]
    @Option(help: "The job, in a run with several.") var job: String?
    @Option(help: "How many classes to show per image.") var top = 1
    @Flag(help: "One JSON object per image: path, then each of the top classes with its probability.") var json = false
    @Flag(help: "Test-time augmentation: average with the left-right mirrored image.") var tta = false
    @Option(help: "Where run directories are.") var runs = "runs"

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard top >= 1 else { throw ValidationError("--top must be 1 or more") }
    }

    func run() throws {
        do {
            let folder = try JobFolder.find(target, job: job, runs: runs)
            let predictor = try Predictor(job: folder)
            let k = min(top, predictor.classes.count)
            for prediction in try predictor.predict(images, tta: tta) {
                let ranked = prediction.probabilities.indices.sorted { prediction.probabilities[$0] > prediction.probabilities[$1] }
                    .prefix(k)
                if json {
                    let object: [String: Any] = ["path": prediction.path, "predictions": ranked.map {
                        ["class": predictor.classes[$0], "probability": prediction.probabilities[$0]] as [String: Any]
                    }]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(prediction.path + ": " + ranked.map {
                        "\(predictor.classes[$0]) " + String(format: "%.4f", prediction.probabilities[$0])
                    }.joined(separator: ", "))
                }
            }
        } catch {
            throw failed(error)
        }
    }
}

/// A job's folder from what the user typed: the folder itself, or a run and its (only, or named) job.
enum JobFolder {
    struct NoSuchJob: Error, CustomStringConvertible {
        var run: String
        var job: String?
        var jobs: [String]

        var description: String {
            (job.map { "\(run) has no job `\($0)`" } ?? "\(run) has \(jobs.count) jobs: choose one with --job")
                + "; jobs: " + (jobs.isEmpty ? "none finished" : jobs.joined(separator: ", "))
        }
    }

    static func find(_ target: String, job: String?, runs: String) throws -> URL {
        let direct = URL(fileURLWithPath: target)
        if job == nil, FileManager.default.fileExists(atPath: direct.appendingPathComponent("job.yaml").path) {
            return direct
        }
        // A folder that is neither a job's nor a run's (a run has jobs/).
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue,
           !FileManager.default.fileExists(atPath: direct.appendingPathComponent("jobs").path) {
            throw Predictor.PredictError.notAJob(path: target, missing: "job.yaml")
        }
        let entry = try RunCatalog.find(target, root: runs)
        let jobs = ((try? FileManager.default.contentsOfDirectory(atPath: entry.path + "/jobs")) ?? []).sorted()
        guard let chosen = job ?? (jobs.count == 1 ? jobs[0] : nil), jobs.contains(chosen) else {
            throw NoSuchJob(run: entry.path, job: job, jobs: jobs)
        }
        return URL(fileURLWithPath: entry.path).appendingPathComponent("jobs/\(chosen)")
    }
}
