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
    /// What decides the numbers (absent in runs from before they were recorded): `reproducible` or
    /// `fast` (see Numerics); `cpu` above is OpenBLAS's kernel family.
    public var numerics: String?
    /// The processor's widest vector unit and how Runner was compiled (native or portable): they
    /// change speed, and under reproducible numerics nothing else.
    public var processorVectors: String?
    public var build: String?

    enum CodingKeys: String, CodingKey {
        case archives, cache, swift, openblas, cpu, threads, seed, os, numerics, build
        case gitCommit = "git_commit"
        case processorVectors = "processor_vectors"
    }
}
