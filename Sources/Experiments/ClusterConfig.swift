// ClusterConfig: `cluster` — where and with what `runner submit` asks Slurm to run each node (partition, account, time, CPUs, memory).

/// The settings of every `sbatch` that `runner submit` makes; its command-line flags override them.
/// They apply to the whole submission, so they cannot be swept. `cpus_per_task` is also the thread
/// count the nodes train with, so it is part of each stage's identity like `train.threads`.
public struct ClusterConfig: Equatable, Sendable {
    public var partition: String?
    public var account: String?
    /// Slurm's time format: minutes, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`.
    public var time: String?
    public var cpusPerTask: Int?
    /// Slurm's memory format: a number with an optional K, M, G or T suffix (megabytes without one).
    public var mem: String?
    /// More `sbatch` options, each `--name` or `--name=value`, passed as written (e.g. `--qos=high`).
    public var extra: [String] = []

    public init(partition: String? = nil, account: String? = nil, time: String? = nil, cpusPerTask: Int? = nil,
                mem: String? = nil, extra: [String] = []) {
        self.partition = partition
        self.account = account
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.mem = mem
        self.extra = extra
    }

    enum Key: String, ConfigKey {
        case partition, account, time, mem, extra
        case cpusPerTask = "cpus_per_task"
    }

    static let schema = ConfigSchema.fields(Key.self)

    static func read(_ node: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> ClusterConfig? {
        guard let f = r.fields(node, path, Key.self) else { return nil }
        var c = ClusterConfig()
        let name = "a Slurm name without spaces"
        if let n = f[.partition] { c.partition = r.string(n, f.path(.partition), expected: name).flatMap { word($0, n, f.path(.partition), r) } }
        if let n = f[.account] { c.account = r.string(n, f.path(.account), expected: name).flatMap { word($0, n, f.path(.account), r) } }
        if let n = f[.time] {
            c.time = r.string(n, f.path(.time)).flatMap { isTime($0) ? $0 : nil }
            if c.time == nil, n.scalar?.text.isEmpty == false {
                r.fail(n, f.path(.time), expected: "a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS",
                       suggestion: "e.g. 2:00:00 for two hours")
            }
        }
        if let n = f[.cpusPerTask] { c.cpusPerTask = r.int(n, f.path(.cpusPerTask), min: 1, max: 4096) }
        if let n = f[.mem] {
            let text = n.scalar?.text ?? ""
            c.mem = isMemory(text) ? text : nil
            if c.mem == nil {
                r.fail(n, f.path(.mem), expected: "a Slurm memory size: a whole number with an optional K, M, G or T",
                       suggestion: "e.g. 16G")
            }
        }
        if let n = f[.extra] {
            let expected = "a list of sbatch options, each `--name` or `--name=value`"
            if let items = n.items {
                c.extra = items.enumerated().compactMap { i, item in
                    guard let text = item.scalar?.text, isOption(text) else {
                        r.fail(item, f.path(.extra) + i, expected: expected, suggestion: "e.g. --qos=high")
                        return nil
                    }
                    return text
                }
            } else {
                r.fail(n, f.path(.extra), expected: expected)
            }
        }
        return c
    }

    private static func word(_ text: String, _ n: ConfigNode, _ path: ConfigPath, _ r: ConfigReader) -> String? {
        guard text.allSatisfy({ !$0.isWhitespace && $0 != "'" && $0 != "\"" }) else {
            r.fail(n, path, expected: "a Slurm name without spaces or quotes")
            return nil
        }
        return text
    }

    /// Slurm's `--time` forms; minutes alone may be any whole number.
    public static func isTime(_ text: String) -> Bool {
        let digits = { (part: Substring) in !part.isEmpty && part.count <= 4 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { return false }
        let clock = dayParts.last.map { $0.split(separator: ":", omittingEmptySubsequences: false) } ?? []
        guard clock.allSatisfy(digits) else { return false }
        if dayParts.count == 2 { return digits(dayParts[0]) && (1...3).contains(clock.count) }
        return (1...3).contains(clock.count)
    }

    public static func isMemory(_ text: String) -> Bool {
        var number = Substring(text)
        if let last = number.last, "KMGTkmgt".contains(last) { number = number.dropLast() }
        return !number.isEmpty && number.allSatisfy { $0.isASCII && $0.isNumber }
    }

    public static func isOption(_ text: String) -> Bool {
        text.hasPrefix("--") && text.count > 2 && !text.contains(where: { $0 == "\n" || $0 == "'" })
    }

    var node: ConfigNode {
        .map([
            ("partition", partition.map(ConfigNode.string)), ("account", account.map(ConfigNode.string)),
            ("time", time.map(ConfigNode.string)), ("cpus_per_task", cpusPerTask.map(ConfigNode.int)),
            ("mem", mem.map(ConfigNode.string)), ("extra", extra.isEmpty ? nil : .list(extra.map(ConfigNode.string))),
        ])
    }
}
