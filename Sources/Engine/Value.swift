import Foundation
import NightjarCore

/// A value flowing through a graph: a dense tensor, or the rows of maps that `ZipMap` produces
/// (ONNX `seq(map(int64|string, float))`).
public enum Value: Sendable, Equatable {
    case tensor(Tensor)
    case maps(MapRows)

    /// Any value as a tensor that can travel in JSON: tensors as they are, map rows as a BYTES
    /// tensor holding one JSON object per row (`{"0":0.1,"1":0.9}`), which is how OIP carries them.
    public func servedTensor() -> Tensor {
        switch self {
        case .tensor(let t): return t
        case .maps(let rows): return Tensor(shape: [rows.rowCount], data: .string(rows.jsonRows()))
        }
    }
}

/// Rows of `key → probability` maps sharing one key set, stored flat, row-major.
public struct MapRows: Sendable, Equatable {
    public var keys: ClassLabels
    public var values: [Float]

    public init(keys: ClassLabels, values: [Float]) {
        self.keys = keys
        self.values = values
    }

    public var rowCount: Int { keys.count == 0 ? 0 : values.count / keys.count }

    /// Row `i` as a dictionary keyed by the printed key.
    public func row(_ i: Int) -> [String: Float] {
        let texts = keys.texts
        var out: [String: Float] = [:]
        for (k, key) in texts.enumerated() { out[key] = values[i * texts.count + k] }
        return out
    }

    func jsonRows() -> [String] {
        let texts = keys.texts.map { key -> String in
            let data = (try? JSONEncoder().encode(key)) ?? Data("\"?\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        return (0..<rowCount).map { i in
            let pairs = texts.enumerated().map { k, key in "\(key):\(values[i * texts.count + k])" }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }
}
