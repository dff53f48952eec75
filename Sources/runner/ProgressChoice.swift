// ProgressChoice: the `--progress` option of the commands that train — auto, tty or plain.

import ArgumentParser
import Training

/// `--progress`: how training progress is shown (`--quiet` shows none).
enum ProgressChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, tty, plain

    var mode: ProgressReporter.Mode {
        switch self {
        case .auto: return .automatic
        case .tty: return .tty
        case .plain: return .plain
        }
    }
}
