import NightjarCore

/// `Identity`: passes its input through.
struct IdentityKernel: SingleOutputKernel {
    func output(_ inputs: [Value?], arena: inout TensorArena) throws(NightjarError) -> Value {
        guard let first = inputs.first, let value = first else { throw .invalidArgument("Identity: input 0 is missing") }
        return value
    }
}
