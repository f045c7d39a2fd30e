import Engine
import Foundation
import NightjarCore
import Testing

/// Damaged models must be refused with an error, never crash the process that loads them: a
/// worker loads whatever the registry hands it. Mutations are seeded, so a failure reproduces.
@Suite struct RobustnessTests {
    /// Small fixtures covering each family of operators the engine runs.
    static let seeds = [
        "tree_dt_classifier_binary", "mlp_classifier_binary_zipmap", "svm_svc_rbf_binary", "pipeline_column_transformer",
        "pipeline_imputer_minmax_logreg", "logreg_string_labels_zipmap", "scaler_logreg_multi_zipmap", "invalid_tree_cycle",
        "torch_cnn2d", "torch_transformer_gelu",
    ]

    @Test(arguments: seeds)
    func mutatedModelsLoadOrThrowButNeverTrap(_ name: String) throws {
        let original = try Data(contentsOf: Fixture.directory.appendingPathComponent(name + ".onnx"))
        var rng = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        var loaded = 0, refused = 0
        for _ in 0..<500 {
            let bytes = Self.mutate(original, &rng)
            do {
                let session = try InferenceSession(modelData: bytes)
                loaded += 1
                // A model that loads must also answer or refuse a request cleanly.
                _ = try? session.run(Self.sampleInputs(session.schema))
            } catch {
                refused += 1
                #expect(!String(describing: error).isEmpty)
            }
        }
        #expect(loaded + refused == 500)
        #expect(refused > 0, "\(name): no mutation was refused, so the mutations are not reaching the decoder")
    }

    /// One random damage: bit flips, truncation, an overwritten byte, swapped or duplicated or
    /// deleted runs of bytes (which moves protobuf fields and lengths around).
    static func mutate(_ data: Data, _ rng: inout SplitMix64) -> Data {
        var b = [UInt8](data)
        guard b.count > 2 else { return data }
        func position() -> Int { Int(rng.next() % UInt64(b.count)) }
        switch rng.next() % 6 {
        case 0:
            for _ in 0...(rng.next() % 4) { let p = position(); b[p] ^= UInt8(1 << (rng.next() % 8)) }
        case 1:
            b.removeSubrange(position()...)
        case 2:
            let values: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, UInt8(truncatingIfNeeded: rng.next())]
            b[position()] = values[Int(rng.next() % UInt64(values.count))]
        case 3:
            let length = 1 + Int(rng.next() % 16)
            guard b.count > 2 * length else { break }
            let p = Int(rng.next() % UInt64(b.count - 2 * length))
            let q = p + length + Int(rng.next() % UInt64(b.count - p - 2 * length + 1))
            for i in 0..<length { b.swapAt(p + i, q + i) }
        case 4:
            let p = position()
            let run = b[p..<min(b.count, p + 1 + Int(rng.next() % 32))]
            b.insert(contentsOf: run, at: position())
        default:
            let p = position()
            b.removeSubrange(p..<min(b.count, p + 1 + Int(rng.next() % 32)))
        }
        return Data(b)
    }

    /// Inputs shaped as the schema declares (dynamic dimensions as 2), with awkward values.
    static func sampleInputs(_ schema: FeatureSchema) -> [String: Tensor] {
        var inputs: [String: Tensor] = [:]
        for spec in schema.inputs {
            let shape = spec.shape.map { $0 < 0 ? 2 : min($0, 64) }
            let n = shape.reduce(1, *)
            let floats: [Float] = (0..<n).map { [Float.nan, 1, -1, 0.5, 1e30, 0][$0 % 6] }
            switch spec.datatype {
            case .fp32: inputs[spec.name] = Tensor(shape: shape, data: .float(floats))
            case .fp64: inputs[spec.name] = Tensor(shape: shape, data: .double(floats.map { Double($0) }))
            case .int64: inputs[spec.name] = Tensor(shape: shape, data: .int64((0..<n).map { Int64($0 % 3) - 1 }))
            case .int32: inputs[spec.name] = Tensor(shape: shape, data: .int32((0..<n).map { Int32($0 % 3) - 1 }))
            case .bytes: inputs[spec.name] = Tensor(shape: shape, data: .string((0..<n).map { ["red", "XL", ""][$0 % 3] }))
            default: inputs[spec.name] = Tensor(shape: shape, data: .bool((0..<n).map { $0 % 2 == 0 }))
            }
        }
        return inputs
    }

    @Test func aRequestWhoseValuesDoNotFillItsShapeIsRefused() throws {
        let session = try InferenceSession(contentsOf: Fixture.directory.appendingPathComponent("tree_dt_classifier.onnx"))
        #expect(throws: NightjarError.self) {
            _ = try session.run(["X": Tensor(shape: [2, 8], data: .float([1, 2, 3]))])
        }
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so mutations repeat.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
