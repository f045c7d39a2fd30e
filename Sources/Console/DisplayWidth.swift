/// How many terminal cells a character takes: two for wide characters (CJK ideographs, kana,
/// Hangul, fullwidth forms, emoji shown as emoji), one for everything else the console draws.
///
/// The rule is written out rather than asked of Glibc's `wcwidth`, whose answer depends on the
/// process locale (in the "C" locale every non-ASCII character is -1), so tests and the running
/// console would disagree. It follows Unicode's East Asian Width "W" and "F" blocks and the
/// Emoji_Presentation property, which is what `wcwidth` in a UTF-8 locale reports for them.
enum DisplayWidth {
    /// The blocks whose characters are wide (East Asian Width W or F).
    static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,    // Hangul Jamo initial consonants
        0x2329...0x232A,    // angle brackets
        0x2E80...0x303E,    // CJK radicals, Kangxi radicals, CJK symbols and punctuation
        0x3041...0x33FF,    // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
        0x3400...0x4DBF,    // CJK unified ideographs extension A
        0x4E00...0x9FFF,    // CJK unified ideographs
        0xA000...0xA4CF,    // Yi
        0xA960...0xA97F,    // Hangul Jamo extended A
        0xAC00...0xD7A3,    // Hangul syllables
        0xF900...0xFAFF,    // CJK compatibility ideographs
        0xFE10...0xFE19,    // vertical forms
        0xFE30...0xFE6F,    // CJK compatibility forms, small form variants
        0xFF00...0xFF60,    // fullwidth forms
        0xFFE0...0xFFE6,    // fullwidth signs
        0x1B000...0x1B2FF,  // Kana supplement and extensions
        0x1F200...0x1F2FF,  // enclosed ideographic supplement
        0x20000...0x2FFFD,  // CJK extensions B to F
        0x30000...0x3FFFD,  // CJK extension G and beyond
    ]

    /// 2 for a wide character, else 1. Unprintable characters count 1: `CellBuffer` shows each as
    /// one placeholder cell.
    static func of(_ scalar: Unicode.Scalar) -> Int {
        if scalar.isASCII { return 1 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return wideRanges.contains { $0.contains(scalar.value) } ? 2 : 1
    }

    /// The cells `text` takes when `CellBuffer.put` writes it (one character per Unicode scalar, each
    /// as `CellBuffer.shown` draws it).
    static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of(CellBuffer.shown($1)) }
    }
}
