// Times the engine on one model: `nightjar-bench MODEL.onnx INPUT_NAME FEATURES BATCH ITERATIONS`.
// FEATURES is one row's shape: a number for tabular rows, `CxHxW` for an image (`1x16x16`).
// Prints one JSON line: {"mean_us": …, "batch": …}. Inputs are prepared outside the timed loop.
import Engine
import Foundation
import NightjarCore

let args = CommandLine.arguments
let row = args.count == 6 ? args[3].split(separator: "x").compactMap { Int($0) } : []
guard args.count == 6, !row.isEmpty, row.allSatisfy({ $0 > 0 }), let batch = Int(args[4]), let iterations = Int(args[5]) else {
    FileHandle.standardError.write(Data("usage: nightjar-bench MODEL.onnx INPUT_NAME FEATURES BATCH ITERATIONS\n".utf8))
    exit(2)
}
do {
    let session = try InferenceSession(contentsOf: URL(fileURLWithPath: args[1]))
    var generator = SystemRandomNumberGenerator()
    let values = (0..<(row.reduce(batch, *))).map { _ in Float.random(in: -3...3, using: &generator) }
    let inputs = [args[2]: Tensor(shape: [batch] + row, data: .float(values))]
    for _ in 0..<min(100, iterations) { _ = try session.run(inputs) }
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<iterations { _ = try session.run(inputs) }
    let elapsed = clock.now - start
    let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
    print("{\"mean_us\": \(micros / Double(iterations)), \"batch\": \(batch)}")
} catch {
    FileHandle.standardError.write(Data("nightjar-bench: \(error)\n".utf8))
    exit(1)
}
