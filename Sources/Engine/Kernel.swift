import NightjarCore

/// One node's computation, built once at load time with its attributes already checked.
protocol Kernel: Sendable {
    /// Inputs in the node's order (`nil` for an omitted optional input); returns the node's outputs in order.
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value]

    /// The same, drawing float outputs from `arena` where the kernel knows how.
    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value]

    /// The same, appending the outputs to `outputs`: what a run calls, so that a step's outputs
    /// travel in the run's reused results array rather than one allocated per step.
    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError)

    /// True when every float output comes from the arena or is otherwise new: never an input's or
    /// an initializer's buffer passed through. Only such outputs are handed back to the arena when
    /// they die; anything else may share its buffer with a value still alive.
    var writesFreshOutputs: Bool { get }
}

extension Kernel {
    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value] {
        try run(inputs)
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        outputs.append(contentsOf: try run(inputs, arena: &arena))
    }

    var writesFreshOutputs: Bool { false }
}

/// Kernels that write into an arena: the plain `run` is the same work on a throwaway arena
/// (the load-time rehearsal and direct calls in tests).
protocol ArenaKernel: Kernel {}

extension ArenaKernel {
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        var arena = TensorArena()
        return try run(inputs, arena: &arena)
    }

    var writesFreshOutputs: Bool { true }
}

/// Kernels with one output, which they return as it is: no array is made for it on a run.
protocol SingleOutputKernel: Kernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value
}

extension SingleOutputKernel {
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        var arena = TensorArena()
        return [try output(inputs, arena: &arena)]
    }

    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value] {
        [try output(inputs, arena: &arena)]
    }

    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError) {
        outputs.append(try output(inputs, arena: &arena))
    }
}

/// Single-output kernels whose output comes from the arena (see `ArenaKernel`).
protocol SingleOutputArenaKernel: SingleOutputKernel, ArenaKernel {}

extension SingleOutputArenaKernel {
    // Both parents have these; one answer here, the same as theirs.
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        var arena = TensorArena()
        return [try output(inputs, arena: &arena)]
    }

    var writesFreshOutputs: Bool { true }
}

/// Kernels with several outputs, which they append to the run's results array as they make them.
protocol AppendingKernel: Kernel {
    func run(_ inputs: [Value?], arena: inout TensorArena, appendingTo outputs: inout [Value]) throws(NightjarError)
}

extension AppendingKernel {
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        var arena = TensorArena()
        return try run(inputs, arena: &arena)
    }

    func run(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> [Value] {
        var outputs: [Value] = []
        try run(inputs, arena: &arena, appendingTo: &outputs)
        return outputs
    }
}

/// Appending kernels whose outputs all come from the arena or are otherwise new (see `ArenaKernel`).
protocol AppendingArenaKernel: AppendingKernel, ArenaKernel {}

extension AppendingArenaKernel {
    // Both parents have these; one answer here, the same as theirs.
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        var arena = TensorArena()
        return try run(inputs, arena: &arena)
    }

    var writesFreshOutputs: Bool { true }
}

/// Shared input handling for kernels, so each operator's file holds only its own arithmetic.
struct KernelInputs {
    let values: [Value?]
    let op: String

    func tensor(_ index: Int) throws(NightjarError) -> Tensor {
        guard index < values.count, let value = values[index] else {
            throw .invalidArgument("\(op): input \(index) is missing")
        }
        guard case .tensor(let t) = value else {
            throw .invalidArgument("\(op): input \(index) must be a tensor, not a sequence of maps")
        }
        return t
    }

    /// Input `index` as a matrix of floats `[rows, columns]`; a 1-D input is one row.
    func floatMatrix(_ index: Int) throws(NightjarError) -> (values: [Float], rows: Int, columns: Int) {
        let t = try tensor(index)
        try Shapes.check(t, op: op)
        let values = try t.floatValues(op: op)
        switch t.shape.count {
        case 1: return (values, 1, t.shape[0])
        case 2: return (values, t.shape[0], t.shape[1])
        default: throw .invalidArgument("\(op) expects a 1-D or 2-D input, got shape \(t.shape)")
        }
    }
}

extension Tensor {
    /// Elements converted to Float, as the ai.onnx.ml operators do with numeric inputs.
    func floatValues(op: String) throws(NightjarError) -> [Float] {
        switch data {
        case .float(let v): return v
        case .double(let v): return v.map { Float($0) }
        case .int64(let v): return v.map { Float($0) }
        case .int32(let v): return v.map { Float($0) }
        case .bool, .string:
            throw .invalidArgument("\(op) expects a numeric input, got \(dataType.rawValue)")
        }
    }
}
