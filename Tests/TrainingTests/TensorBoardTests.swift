// TensorBoardTests: the event files each job writes — CRC-32C and TFRecord framing, every batch once across stages and resumes, and TensorBoard itself reading them (issue 14).

import Experiments
import Foundation
import TestSupport
@testable import Training
import XCTest

final class TensorBoardTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tensorboard-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: Framing

    func testCRC32CMatchesTheRFC3720Vectors() {
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }), 0x113F_DB5C)
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        // TensorFlow's mask: rotate right by 15, add 0xa282ead8.
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    func testRecordsRoundTripAndADamagedByteIsCaught() throws {
        let payloads: [[UInt8]] = [[], Array("brain.Event:2".utf8), (0..<300).map { UInt8($0 % 256) }]
        var data = Data()
        for payload in payloads { data.append(TFRecordWriter.frame(payload)) }
        XCTAssertEqual(try TFRecordReader.records(data), payloads)
        // length (8) + its CRC (4) + payload + its CRC (4)
        XCTAssertEqual(data.count, payloads.map { 16 + $0.count }.reduce(0, +))
        var damaged = data
        damaged[16 + 12 + 3] ^= 0x01
        XCTAssertThrowsError(try TFRecordReader.records(damaged)) { error in
            XCTAssertEqual(error as? TFRecordReader.ReadError, .badChecksum(offset: 16, what: "payload"))
        }
        XCTAssertThrowsError(try TFRecordReader.records(data.dropLast(2)))
    }

    // MARK: What a run writes

    private func yaml(sweep: Bool) -> String {
        """
        version: 1
        name: board
        data: {source: generated, variant: target, classes: 3, images_per_class: 8, size: 32, batch_size: 4,
               augment: none}
        model: {arch: resnet18, meta: [8, 6]}
        schedule:
          - {name: frozen, freeze_to: -1, epochs: 2, lr: 1e-3}
          - {name: unfrozen, freeze_to: 0, epochs: 1, lr: slice(1e-5, 1e-3)}
        """ + (sweep ? "\nsweep: {schedule.0.lr: [1e-3, 2e-3]}\n" : "\n")
    }

    private func runner(sweep: Bool = false) throws -> ExperimentRunner {
        let loaded = try ConfigLoader.load(yaml: yaml(sweep: sweep), path: "board.yaml", options: .init(checkFiles: false))
        let runner = ExperimentRunner(loaded: loaded, runsRoot: root.appendingPathComponent("runs").path, threads: 2)
        runner.progress = ProgressReporter(mode: .quiet)
        return runner
    }

    /// The job's event files and their events.
    private func events(_ run: URL, job: String = "main") throws -> (files: [String], events: [EventReader.Event]) {
        let folder = run.appendingPathComponent("jobs/\(job)/tb")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        let events = try files.flatMap { name in
            try TFRecordReader.records(Data(contentsOf: folder.appendingPathComponent(name))).map(EventReader.event)
        }
        return (files, events)
    }

    private func steps(_ events: [EventReader.Event], _ tag: String) -> [Int] {
        events.filter { $0.scalars[tag] != nil }.map(\.step)
    }

    func testEveryBatchIsOneStepAcrossStagesWithEpochMetricsAndStageTexts() throws {
        let run = try runner().run()
        let (files, events) = try events(run)
        XCTAssertEqual(files.count, 1)
        XCTAssertTrue(try XCTUnwrap(files.first).hasPrefix("events.out.tfevents."))
        XCTAssertEqual(events.first?.fileVersion, "brain.Event:2")
        // 20 of the 24 images train, at batch 4: 5 batches an epoch; 2 + 1 epochs.
        let losses = steps(events, "train/loss")
        XCTAssertEqual(losses, Array(1...15))
        XCTAssertEqual(steps(events, "epoch/valid_loss"), [5, 10, 15])
        XCTAssertEqual(steps(events, "train/lr/group_2"), Array(1...15))
        XCTAssertEqual(events.filter { $0.texts["stages"] != nil }.map(\.step), [0, 10])
        XCTAssertTrue(events.contains { $0.texts["stages"]?.hasPrefix("stage unfrozen: freeze_to 0") == true })
        // The logged valid losses are those of metrics.jsonl (as floats).
        let lines = try String(contentsOf: run.appendingPathComponent("jobs/main/metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(events.compactMap { $0.scalars["epoch/valid_loss"] },
                       lines.compactMap { ($0?["valid_loss"] as? Double).map(Float.init) })
        XCTAssertFalse(events.contains { $0.hparamsTag != nil }, "one job, nothing swept: no hparams session")
    }

    func testAnInterruptedRunResumedLogsEveryStepOnce() throws {
        let first = try runner()
        first.checkpointInterval = 0
        var polls = 0
        first.interruptRequested = {
            polls += 1
            return polls == 6
        }
        XCTAssertThrowsError(try first.run())
        let second = try runner()
        second.resume = true
        let run = try second.run()
        let (files, events) = try events(run)
        XCTAssertEqual(files.count, 1, "the resumed run writes the job's events anew: \(files)")
        XCTAssertEqual(steps(events, "train/loss"), Array(1...15))
        XCTAssertEqual(steps(events, "epoch/valid_loss"), [5, 10, 15])
        // The same values an uninterrupted run logs, batch by batch.
        let whole = try runner()
        whole.force = true
        let wholeRun = try whole.run()
        XCTAssertEqual(try self.events(wholeRun).events.compactMap { $0.scalars["train/loss"] },
                       events.compactMap { $0.scalars["train/loss"] })
    }

    func testASweepWritesAnHParamsSessionPerJob() throws {
        let run = try runner(sweep: true).run()
        for (job, lr) in [("lr=1e-3", 1e-3), ("lr=2e-3", 2e-3)] {
            let events = try events(run, job: job).events
            let start = try XCTUnwrap(events.first { $0.hparamsTag == "_hparams_/session_start_info" }, job)
            XCTAssertEqual(start.hparams["schedule.0.lr"], .number(lr))
            XCTAssertTrue(events.last?.hparamsTag == "_hparams_/session_end_info", job)
        }
    }

    // MARK: TensorBoard itself

    /// TensorBoard's own reader (EventAccumulator) sees the tags, steps and values, and a real
    /// `tensorboard` server's HParams plugin lists both jobs of a sweep with their swept value.
    func testTensorBoardReadsTheCurvesAndTheHParamsComparison() throws {
        let python = try ExternalTool.python(importing: "tensorboard", test: name)
        let run = try runner(sweep: true).run()
        let script = root.appendingPathComponent("check.py")
        try """
            import json, socket, subprocess, sys, time, urllib.request
            from tensorboard.backend.event_processing import event_accumulator as ea
            run = sys.argv[1]
            out = {}
            for job in ["lr=1e-3", "lr=2e-3"]:
                acc = ea.EventAccumulator(run + "/jobs/" + job + "/tb", size_guidance={ea.SCALARS: 0, ea.TENSORS: 0})
                acc.Reload()
                out[job] = {"scalars": sorted(acc.Tags()["scalars"]),
                            "loss_steps": [e.step for e in acc.Scalars("train/loss")],
                            "valid": [[e.step, e.value] for e in acc.Scalars("epoch/valid_loss")]}
            sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
            server = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", run, "--host", "127.0.0.1",
                                       "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                body = json.dumps({"experimentName": "", "allowedStatuses": ["STATUS_SUCCESS"], "colParams": [],
                                   "startIndex": 0, "sliceSize": 10}).encode()
                groups = None
                for _ in range(120):
                    try:
                        request = urllib.request.Request("http://127.0.0.1:%d/data/plugin/hparams/session_groups" % port,
                                                         data=body, headers={"Content-Type": "application/json"})
                        groups = json.load(urllib.request.urlopen(request, timeout=5))
                        if len(groups.get("sessionGroups", [])) == 2: break
                    except Exception:
                        pass
                    time.sleep(0.5)
                out["groups"] = sorted([[g["hparams"], len(g["metricValues"])] for g in (groups or {}).get("sessionGroups", [])],
                                       key=lambda g: json.dumps(g))
            finally:
                server.terminate(); server.wait(timeout=30)
            print(json.dumps(out))
            """.write(to: script, atomically: true, encoding: .utf8)
        let result = try ExternalTool.run(python, [script.path, run.path])
        XCTAssertEqual(result.status, 0, result.output)
        let line = try XCTUnwrap(result.output.split(separator: "\n").last, result.output)
        let out = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for job in ["lr=1e-3", "lr=2e-3"] {
            let seen = try XCTUnwrap(out[job] as? [String: Any])
            XCTAssertEqual(seen["scalars"] as? [String], ["epoch/error_rate", "epoch/train_loss",
                                                         "epoch/valid_loss", "train/loss", "train/lr/group_0",
                                                         "train/lr/group_1", "train/lr/group_2", "train/momentum"])
            XCTAssertEqual(seen["loss_steps"] as? [Int], Array(1...15))
            XCTAssertEqual((seen["valid"] as? [[Double]])?.map { Int($0[0]) }, [5, 10, 15])
        }
        let groups = try XCTUnwrap(out["groups"] as? [[Any]], "\(out)")
        XCTAssertEqual(groups.compactMap { ($0.first as? [String: Any])?["schedule.0.lr"] as? Double }.sorted(), [1e-3, 2e-3],
                       "the HParams tab compares the two jobs: \(groups)")
        XCTAssertTrue(groups.allSatisfy { ($0.last as? Int ?? 0) >= 4 }, "each session has its metrics: \(groups)")
    }
}

/// Just enough protobuf decoding to read Runner's events back.
enum EventReader {
    struct Event {
        var wallTime = 0.0
        var step = 0
        var fileVersion: String?
        var scalars: [String: Float] = [:]
        var texts: [String: String] = [:]
        var hparamsTag: String?
        var hparams: [String: SummaryEvent.HParam] = [:]
    }

    enum Field {
        case varint(UInt64), fixed64(UInt64), bytes([UInt8]), fixed32(UInt32)
    }

    static func fields(_ bytes: [UInt8]) -> [(Int, Field)] {
        var result: [(Int, Field)] = []
        var i = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count {
                let byte = bytes[i]
                i += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return value
        }
        func little(_ count: Int) -> UInt64 {
            defer { i += count }
            return bytes[i..<i + count].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        while i < bytes.count {
            let key = varint()
            switch key & 7 {
            case 0: result.append((Int(key >> 3), .varint(varint())))
            case 1: result.append((Int(key >> 3), .fixed64(little(8))))
            case 2:
                let length = Int(varint())
                result.append((Int(key >> 3), .bytes(Array(bytes[i..<i + length]))))
                i += length
            default: result.append((Int(key >> 3), .fixed32(UInt32(little(4)))))
            }
        }
        return result
    }

    static func bytes(_ fields: [(Int, Field)], _ number: Int) -> [UInt8]? {
        for case let (field, .bytes(value)) in fields where field == number { return value }
        return nil
    }

    static func string(_ fields: [(Int, Field)], _ number: Int) -> String? {
        bytes(fields, number).map { String(decoding: $0, as: UTF8.self) }
    }

    static func event(_ record: [UInt8]) -> Event {
        var event = Event()
        let top = fields(record)
        for case let (1, .fixed64(bits)) in top { event.wallTime = Double(bitPattern: bits) }
        for case let (2, .varint(step)) in top { event.step = Int(step) }
        event.fileVersion = string(top, 3)
        for case let (5, .bytes(summary)) in top {
            for case let (1, .bytes(value)) in fields(summary) { read(value, into: &event) }
        }
        return event
    }

    private static func read(_ value: [UInt8], into event: inout Event) {
        let item = fields(value)
        let tag = string(item, 1) ?? ""
        for case let (2, .fixed32(bits)) in item { event.scalars[tag] = Float(bitPattern: bits) }
        let plugin = bytes(item, 9).flatMap { bytes(fields($0), 1) }.map(fields)
        switch plugin.flatMap({ string($0, 1) }) {
        case "text":
            event.texts[tag] = bytes(item, 8).flatMap { string(fields($0), 8) }
        case "hparams":
            event.hparamsTag = tag
            let content = plugin.flatMap { bytes($0, 2) }.map(fields) ?? []
            for entry in bytes(content, 3).map({ fields($0) })?.compactMap({ $0.0 == 1 ? $0.1 : nil }) ?? [] {
                guard case let .bytes(data) = entry else { continue }
                let pair = fields(data)
                guard let name = string(pair, 1), let value = bytes(pair, 2).map(fields) else { continue }
                for case let (2, .fixed64(bits)) in value { event.hparams[name] = .number(Double(bitPattern: bits)) }
                if let text = string(value, 3) { event.hparams[name] = .string(text) }
            }
        default:
            break
        }
    }
}
