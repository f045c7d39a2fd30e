/// Text that operators' terminals will print (reasons in the audit log, version descriptions): a
/// control character in it, such as a newline or an ESC starting a colour sequence, would corrupt the
/// screen of whoever reads it later, so it is refused when it arrives rather than escaped when shown.
public enum PrintableText {
    /// Throws `invalidArgument` naming `field` and the first control character (Unicode category Cc:
    /// C0, DEL and C1, newlines and tabs included).
    public static func validate(_ text: String, field: String) throws(NightjarError) {
        var position = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                let code = String(scalar.value, radix: 16, uppercase: true)
                throw .invalidArgument("\(field): contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) "
                    + "at position \(position); text here must be printable, on one line")
            }
            position += 1
        }
    }
}
