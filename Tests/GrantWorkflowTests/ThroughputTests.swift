import Foundation
import GrantWorkflow
import Testing

@Suite("Throughput (set GRANTWORKFLOW_BENCH=1, run with -c release)") struct ThroughputTests {
    @Test(
        "event payloads decode and evolve fast enough for rebuilds",
        .enabled(if: ProcessInfo.processInfo.environment["GRANTWORKFLOW_BENCH"] == "1"))
    func decodeThroughput() throws {
        let log = busyWorld().log
        let stored = log.map { ($0.type, $0.schemaVersion, $0.payload) }
        let rounds = max(1, 1_000_000 / stored.count)
        let start = ContinuousClock.now
        var count = 0
        for _ in 0..<rounds {
            for (type, version, payload) in stored {
                _ = try DomainEvent.decode(type: type, schemaVersion: version, payload: payload)
                count += 1
            }
        }
        let decodeSeconds = (ContinuousClock.now - start) / .seconds(1)
        let evolveStart = ContinuousClock.now
        var state = WorkflowState()
        for event in log { Workflow.evolve(event, into: &state) }
        let evolveSeconds = (ContinuousClock.now - evolveStart) / .seconds(1)
        print("decoded \(count) events in \(decodeSeconds) s: \(Int(Double(count) / decodeSeconds)) events/s")
        print("evolved \(log.count) events in \(evolveSeconds) s")
    }
}
