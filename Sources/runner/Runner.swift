// Runner: the command-line entry point; each subcommand calls into the libraries.

import ArgumentParser
import Foundation
import Tensors

@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Declarative, reproducible transfer-learning experiments for image classifiers.",
        subcommands: [Run.self, LRFind.self, Runs.self, Compare.self, Validate.self, Plan.self, Summary.self, Forward.self, DataCommand.self, Bench.self])

    static func main() {
        MemoryPolicy.retainFreedMemory()
        // Progress lines must reach a pipe or a CI log as they happen, not when the buffer fills.
        setvbuf(stdout, nil, _IOLBF, 0)
        main(nil)
    }
}
