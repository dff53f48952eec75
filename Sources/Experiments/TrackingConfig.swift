// TrackingConfig: `tracking` — an MLflow tracking server that the run logs to while it trains.

/// Logging goes through the server's REST API, so `mlflow` is the server's HTTP address (what
/// `mlflow server` prints, or `MLFLOW_TRACKING_URI` of a remote setup), never a local `mlruns`
/// folder. The section changes where results are sent, not what is trained, so it is not part of
/// any node's identity and cannot be swept.
public struct TrackingConfig: Equatable, Sendable {
    /// `http://host:port[/path]` or `https://…`.
    public var mlflow: String
    /// The MLflow experiment; the config's `name` when unset, as `runner export mlflow` does.
    public var experiment: String?

    public init(mlflow: String, experiment: String? = nil) {
        self.mlflow = mlflow
        self.experiment = experiment
    }

    enum Key: String, ConfigKey {
        case mlflow, experiment
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> TrackingConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        let experiment = f[.experiment].flatMap { r.string($0, f.path(.experiment), expected: "an MLflow experiment name") }
        guard let n = f[.mlflow] else {
            r.missing(.mlflow, in: f, suggestion: "e.g. `mlflow: http://127.0.0.1:5000`, the address `mlflow server` prints")
            return nil
        }
        guard let uri = r.string(n, f.path(.mlflow), expected: "an MLflow tracking server's http(s) address") else {
            return nil
        }
        guard isServerAddress(uri) else {
            r.fail(n, f.path(.mlflow), expected: "an MLflow tracking server's http:// or https:// address",
                   suggestion: "Runner logs through the server's REST API: start `mlflow server` (it serves"
                       + " a local mlruns folder or database too) and give its address, e.g. http://127.0.0.1:5000")
            return nil
        }
        return TrackingConfig(mlflow: uri, experiment: experiment)
    }

    /// `http://` or `https://`, a host, no spaces.
    public static func isServerAddress(_ text: String) -> Bool {
        for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
            let rest = text.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != ":" && $0 != "?" }
            return !host.isEmpty && !text.contains(where: { $0.isWhitespace })
        }
        return false
    }

    var node: ConfigNode {
        .map([("mlflow", .string(mlflow)), ("experiment", experiment.map(ConfigNode.string))])
    }
}
