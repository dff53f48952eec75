// Exec: `runner exec RUN_DIR NODE_ID` — one node of a run, as a Slurm job runs it.

import ArgumentParser
import Experiments
import Foundation
import Training

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one cache, pretrain or stage node of a run directory (what each Slurm job of `runner submit` does).",
        discussion: """
            The stages before the node must be finished in runs/.cache. The node trains with the run's \
            planned thread count; under Slurm, SLURM_CPUS_PER_TASK must equal it. SIGTERM (Slurm's \
            signal before the time limit, or a preemption) stops at the next batch boundary with a \
            checkpoint, and a job under Slurm requeues itself to continue from it.
            """)

    @Argument(help: ArgumentHelp("The run directory runner submit made.", valueName: "run")) var target: String
    @Argument(help: "The node's id, as plan.json and runner status name it.") var node: String
    @Option(help: "Seconds between checkpoints within a stage; 0 writes one after every batch.")
    var checkpointInterval: Double = 60
    @OptionGroup var numerics: NumericsOption

    func validate() throws {
        guard checkpointInterval >= 0 else { throw ValidationError("--checkpoint-interval must be 0 or more seconds") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let execution = NodeExecution(run: URL(fileURLWithPath: target).standardizedFileURL, node: node)
        execution.checkpointInterval = checkpointInterval
        execution.slurmCPUs = environment["SLURM_CPUS_PER_TASK"].flatMap { Int($0) }
        Interruption.shared.install { notice in FileHandle.standardError.write(Data((notice + "\n").utf8)) }
        execution.interruptRequested = { Interruption.shared.requested }
        do {
            let outcome = try execution.execute()
            print("node \(node): " + (outcome.trained ? "trained" : "done")
                  + (outcome.finishedJobs.isEmpty ? "" : "; finished job \(outcome.finishedJobs.joined(separator: ", "))")
                  + (outcome.finishedRun ? "; the run is complete" : ""))
        } catch let errors as ConfigErrors {
            throw reported(errors.errors)
        } catch let stopped as RunStopped where stopped.interrupted {
            FileHandle.standardError.write(Data("\(stopped.error); checkpoint written to \(stopped.checkpoint)\n".utf8))
            // Under Slurm: back into the queue, to continue from the checkpoint (not after a cancel).
            // Said first: the requeue ends this process.
            if let job = environment["SLURM_JOB_ID"] {
                FileHandle.standardError.write(Data("requeueing Slurm job \(job) to continue from the checkpoint\n".utf8))
                if !SlurmClient().requeueIfRunning(job) {
                    FileHandle.standardError.write(Data("not requeued: the job is not running (cancelled?)\n".utf8))
                }
            } else {
                FileHandle.standardError.write(Data("continue with this command again\n".utf8))
            }
            throw ExitCode(130)
        } catch {
            throw failed(error)
        }
    }
}
