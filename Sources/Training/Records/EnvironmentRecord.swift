// EnvironmentRecord: env.json — what a run ran on and with: versions, processor, threads, seed, git commit, datasets.

public struct EnvironmentRecord: Codable, Equatable, Sendable {
    public struct Archive: Codable, Equatable, Sendable {
        public var url: String
        public var sha256: String
    }

    /// The dataset archives the run fetched or found in the cache, by URL.
    public var archives: [Archive]
    /// Runner's cache folder (downloaded weights and datasets).
    public var cache: String
    public var swift: String
    public var openblas: String
    public var cpu: String
    public var threads: Int
    public var seed: Int
    public var os: String
    public var gitCommit: String

    enum CodingKeys: String, CodingKey {
        case archives, cache, swift, openblas, cpu, threads, seed, os
        case gitCommit = "git_commit"
    }
}
