/// A command that cannot go on, with the message the operator sees after "Error:".
/// (ArgumentParser's ValidationError would also print the usage, which is noise when the
/// arguments were fine and the file or server was not.)
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
