// ConfigOptions: the experiment file and its `--set` overrides, shared by the subcommands that read one.

import ArgumentParser
import Diagnostics
import Experiments
import Foundation

struct ConfigOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).") var config: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: --set schedule.1.epochs=3 (repeatable).",
                                                         valueName: "key.path=value"))
    var overrides: [String] = []

    /// Loads the file; on errors prints them all and exits with status 2.
    func load(checkFiles: Bool) throws -> LoadedConfig {
        do {
            return try ConfigLoader.load(path: config, overrides: overrides, options: .init(checkFiles: checkFiles))
        } catch {
            throw reported(error.errors)
        }
    }
}

/// Prints configuration errors to standard error and returns the exit code 2 to throw.
func reported(_ errors: [ConfigError]) -> ExitCode {
    FileHandle.standardError.write(Data((TerminalText.message(ConfigErrors(errors).description) + "\n").utf8))
    return ExitCode(2)
}

/// Prints any other error plainly (no usage text) and returns exit code 1.
func failed(_ error: Error) -> ExitCode {
    let text = FileSystemError.message(error) ?? TerminalText.message("\(error)")
    FileHandle.standardError.write(Data("error: \(text)\n".utf8))
    return ExitCode(1)
}
