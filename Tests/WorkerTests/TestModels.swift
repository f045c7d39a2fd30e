import NightjarCore
import Worker

/// A two-input model computed in Swift, for what the bundled single-input model cannot show:
/// several inputs, a string input, and requested outputs. score = amount × (2 for "NZ", 1 otherwise).
struct ScoringModel: ServableModel {
    let schema = FeatureSchema(
        inputs: [TensorSpec(name: "amount", datatype: .fp64, shape: [-1, 1]),
                 TensorSpec(name: "country", datatype: .bytes, shape: [-1, 1])],
        outputs: [TensorSpec(name: "score", datatype: .fp64, shape: [-1]),
                  TensorSpec(name: "domestic", datatype: .bool, shape: [-1])])

    func predict(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        guard case .double(let amounts)? = inputs["amount"]?.data, case .string(let countries)? = inputs["country"]?.data,
              amounts.count == countries.count else {
            throw NightjarError.invalidArgument("ScoringModel needs amount and country of equal length")
        }
        let scores = zip(amounts, countries).map { $0 * ($1 == "NZ" ? 2 : 1) }
        return ["score": Tensor(shape: [scores.count], data: .double(scores)),
                "domestic": Tensor(shape: [countries.count], data: .bool(countries.map { $0 == "NZ" }))]
    }
}

/// Gives every input back as the output of the same name with `_out` appended, to show each datatype
/// survives the trip through JSON, validation, batching and back.
struct EchoModel: ServableModel {
    let schema: FeatureSchema

    init(types: [DataType]) {
        let inputs = types.map { TensorSpec(name: $0.rawValue.lowercased(), datatype: $0, shape: [-1, 2]) }
        schema = FeatureSchema(inputs: inputs, outputs: inputs.map { TensorSpec(name: $0.name + "_out", datatype: $0.datatype, shape: $0.shape) })
    }

    func predict(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: inputs.map { ($0.key + "_out", $0.value) })
    }
}
