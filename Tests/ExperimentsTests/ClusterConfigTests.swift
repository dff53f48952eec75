// ClusterConfigTests: the `cluster` section — what it accepts, what it refuses and where, and that it cannot be swept.

@testable import Experiments
import XCTest

final class ClusterConfigTests: ConfigTestCase {
    func testEverySettingIsRead() throws {
        let loaded = try XCTUnwrap(load(Self.minimal + """

            cluster: {partition: gpu, account: lab, time: "2:00:00", cpus_per_task: 8, mem: 16G, extra: [--qos=high]}
            """))
        XCTAssertEqual(loaded.config.cluster, ClusterConfig(partition: "gpu", account: "lab", time: "2:00:00",
                                                            cpusPerTask: 8, mem: "16G", extra: ["--qos=high"]))
        // resolved.yaml keeps the section, so a resubmission asks for the same.
        XCTAssertTrue(loaded.resolvedYAML.contains("cluster:"), loaded.resolvedYAML)
        let again = try XCTUnwrap(load(loaded.resolvedYAML))
        XCTAssertEqual(again.config.cluster, loaded.config.cluster)
    }

    func testSlurmTimeForms() {
        for good in ["30", "30:00", "2:00:00", "1-0", "1-12:00", "1-12:00:00"] {
            XCTAssertTrue(ClusterConfig.isTime(good), good)
        }
        for bad in ["", "2h", "1:2:3:4", "-5", "1-", "a:00", "1-2-3"] {
            XCTAssertFalse(ClusterConfig.isTime(bad), bad)
        }
    }

    func testABadTimeIsLocated() {
        expectError(Self.minimal + "\ncluster:\n  time: 2h", "cluster.time: expected a Slurm time limit", at: 10, 9)
    }

    func testABadMemoryIsLocated() {
        expectError(Self.minimal + "\ncluster:\n  mem: lots", "cluster.mem: expected a Slurm memory size", at: 10, 8)
    }

    func testCPUsMustBePositive() {
        expectError(Self.minimal + "\ncluster:\n  cpus_per_task: 0", "cluster.cpus_per_task: expected an integer from 1",
                    at: 10, 18)
    }

    func testExtraOptionsMustBeOptions() {
        expectError(Self.minimal + "\ncluster:\n  extra: [qos=high]", "cluster.extra.0: expected a list of sbatch options",
                    at: 10, 11)
    }

    func testAPartitionWithASpaceIsRefused() {
        expectError(Self.minimal + "\ncluster:\n  partition: 'a b'", "cluster.partition: expected a Slurm name", at: 10, 14)
    }

    func testAnUnknownKeyGetsDidYouMean() {
        expectError(Self.minimal + "\ncluster:\n  partiton: gpu", "did you mean `partition`?", at: 10, 3)
    }

    func testClusterSettingsCannotBeSwept() {
        expectError(Self.minimal + "\nsweep:\n  cluster.mem: [8G, 16G]", "cluster` settings apply to the whole submission",
                    at: 10, 3)
    }
}
