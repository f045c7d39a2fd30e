import NightjarCore

/// `Identity`: passes its input through.
struct IdentityKernel: Kernel {
    func run(_ inputs: [Value?]) throws(NightjarError) -> [Value] {
        guard let first = inputs.first, let value = first else { throw .invalidArgument("Identity: input 0 is missing") }
        return [value]
    }
}
