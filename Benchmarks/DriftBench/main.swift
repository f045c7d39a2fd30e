// Times feeding live traffic into a drift window: `nightjar-drift-bench [FEATURES] [ROWS]`.
// A profile of FEATURES numeric features (default 30) is built from 10,000 reference rows; then ROWS
// rows (default 200,000) are added three ways: as a [1, FEATURES] request tensor (what the worker
// does per request), value by value through column indices, and as a [64, FEATURES] batch.
// Prints one JSON line with nanoseconds per row for each (wall time; for the tensor case also this
// thread's CPU time, which other processes on a busy machine do not inflate). Rows are prepared outside the timed loops.
import Drift
import Foundation
import NightjarCore

let args = CommandLine.arguments
let features = args.count > 1 ? Int(args[1]) ?? 30 : 30
let rows = args.count > 2 ? Int(args[2]) ?? 200_000 : 200_000
guard features > 0, rows > 0 else {
    FileHandle.standardError.write(Data("usage: nightjar-drift-bench [FEATURES] [ROWS]\n".utf8))
    exit(2)
}

func normal() -> Double {
    let u = Double.random(in: Double.ulpOfOne..<1), v = Double.random(in: 0..<1)
    return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
}

var reference: [String: ColumnValues] = [:]
for j in 0..<features {
    reference["x[\(j)]"] = .numeric((0..<10_000).map { _ in normal() * Double(j + 1) })
}
let profile: ReferenceProfile
do {
    profile = try ReferenceProfile.build(columns: reference)
} catch {
    FileHandle.standardError.write(Data("nightjar-drift-bench: \(error)\n".utf8))
    exit(1)
}

let distinctRows = 1024
let values = (0..<(distinctRows * features)).map { i in Float(normal() * Double(i % features + 1)) }
let tensors = (0..<distinctRows).map { r in
    Tensor(shape: [1, features], data: .float(Array(values[(r * features)..<((r + 1) * features)])))
}
let batch = Tensor(shape: [64, features], data: .float(Array(values[0..<(64 * features)])))
let doubles = values.map(Double.init)
let now = Date()
let clock = ContinuousClock()

func nanoseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
}

/// CPU time of this thread: on a shared, loaded machine wall time also counts other processes.
func threadCPUNanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

// Warm every bucket's storage once so the timed loops measure steady state.
var window = DriftWindow(profile: profile)
for r in 0..<distinctRows { window.add(tensor: tensors[r], named: "x", at: now) }

var start = clock.now
var cpuStart = threadCPUNanoseconds()
for r in 0..<rows { window.add(tensor: tensors[r % distinctRows], named: "x", at: now) }
let perTensorRow = nanoseconds(clock.now - start) / Double(rows)
let cpuPerTensorRow = (threadCPUNanoseconds() - cpuStart) / Double(rows)

let indices = (0..<features).compactMap { window.columnIndex(named: "x[\($0)]") }
start = clock.now
for r in 0..<rows {
    let base = (r % distinctRows) * features
    for j in 0..<features { window.add(doubles[base + j], columnAt: indices[j], at: now) }
}
let perIndexedRow = nanoseconds(clock.now - start) / Double(rows)

let batches = max(rows / 64, 1)
start = clock.now
for _ in 0..<batches { window.add(tensor: batch, named: "x", at: now) }
let perBatchedRow = nanoseconds(clock.now - start) / Double(batches * 64)

start = clock.now
let report = DriftReport.compare(profile: profile, window: window, at: now)
let reportMicros = nanoseconds(clock.now - start) / 1e3

print("{\"features\": \(features), \"rows\": \(rows), \"ns_per_row_tensor\": \(Int(perTensorRow.rounded())), "
    + "\"cpu_ns_per_row_tensor\": \(Int(cpuPerTensorRow.rounded())), "
    + "\"ns_per_row_indexed\": \(Int(perIndexedRow.rounded())), \"ns_per_row_batch64\": \(Int(perBatchedRow.rounded())), "
    + "\"report_us\": \(Int(reportMicros.rounded())), \"report_columns\": \(report.columns.count)}")
