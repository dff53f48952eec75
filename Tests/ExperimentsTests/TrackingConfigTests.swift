// TrackingConfigTests: the `tracking` section — an MLflow server's address read, anything else refused where it is written, never swept.

@testable import Experiments
import XCTest

final class TrackingConfigTests: ConfigTestCase {
    func testTheServerAndExperimentAreRead() throws {
        let loaded = try XCTUnwrap(load(Self.minimal + "\ntracking: {mlflow: 'http://127.0.0.1:5000', experiment: pets}"))
        XCTAssertEqual(loaded.config.tracking, TrackingConfig(mlflow: "http://127.0.0.1:5000", experiment: "pets"))
        // resolved.yaml keeps it, so `runner exec` on a Slurm node logs to the same server.
        let again = try XCTUnwrap(load(loaded.resolvedYAML))
        XCTAssertEqual(again.config.tracking, loaded.config.tracking)
    }

    func testServerAddresses() {
        for good in ["http://127.0.0.1:5000", "https://mlflow.example.com/prefix", "HTTP://host"] {
            XCTAssertTrue(TrackingConfig.isServerAddress(good), good)
        }
        for bad in ["", "mlruns", "file:///tmp/mlruns", "http://", "http:///x", "http://a b", "databricks"] {
            XCTAssertFalse(TrackingConfig.isServerAddress(bad), bad)
        }
    }

    func testALocalFolderIsRefusedWithWhatToDo() {
        expectError(Self.minimal + "\ntracking:\n  mlflow: ./mlruns", "tracking.mlflow: expected an MLflow tracking server's"
                    + " http:// or https:// address", at: 10, 11)
        expectError(Self.minimal + "\ntracking:\n  mlflow: ./mlruns", "start `mlflow server`", at: 10, 11)
    }

    func testTheServerIsRequired() {
        expectError(Self.minimal + "\ntracking:\n  experiment: pets", "tracking.mlflow: missing required key `mlflow`", at: 10, 3)
    }

    func testAnUnknownKeyGetsDidYouMean() {
        expectError(Self.minimal + "\ntracking:\n  mlflow: http://h\n  experimnt: pets", "did you mean `experiment`?",
                    at: 11, 3)
    }

    func testTrackingCannotBeSwept() {
        expectError(Self.minimal + "\nsweep:\n  tracking.experiment: [a, b]", "`tracking` settings apply to the whole run",
                    at: 10, 3)
    }
}
