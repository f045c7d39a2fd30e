import Foundation

/// JSON decoding that refuses object keys the type never reads, and control characters in any string.
///
/// Foundation's `JSONDecoder` skips keys it does not know, so a misspelt `"maxErrorRat"` or
/// `"revison"` quietly becomes a default the operator never asked for. Rather than listing each
/// body's keys by hand, the decoder is wrapped: every keyed container records the keys present in its
/// JSON object and the keys the type asked about (`decode`, `decodeIfPresent`, `contains`). Keys
/// present but never asked about are unknown. Values, errors and coding paths are still
/// `JSONDecoder`'s own, so a type error reads exactly as before.
public enum StrictJSON {
    /// Decodes `T`, then throws `NightjarError.invalidArgument` naming the first unknown key's path
    /// ("rules.maxErrorRat: unknown field; rules has maxErrorRate, minRequests, ...").
    /// A string holding a control character is refused naming its path (see `PrintableText`): every
    /// control-plane body passes here, and none of their strings is meant to hold one.
    /// A `DecodingError` from the value itself is thrown unchanged.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, using decoder: JSONDecoder) throws -> T {
        let ledger = KeyLedger()
        decoder.userInfo[KeyLedger.userInfoKey] = ledger
        let value = try decoder.decode(Strict<T>.self, from: data).value
        if let unknown = ledger.firstUnknown() {
            let place = unknown.parent.isEmpty ? "the body" : unknown.parent
            let known = unknown.known.isEmpty ? "" : "; \(place) has \(unknown.known.joined(separator: ", "))"
            throw NightjarError.invalidArgument("\(unknown.path): unknown field\(known)")
        }
        return value
    }

    /// "inputs[0].datatype" for a coding path; "" at the top level.
    public static func dottedPath(_ codingPath: [any CodingKey]) -> String {
        let path = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        return path.hasPrefix(".") ? String(path.dropFirst()) : path
    }
}

/// The entry point: `JSONDecoder` hands it its own decoder, which is wrapped before `T` sees it.
private struct Strict<T: Decodable>: Decodable {
    let value: T
    init(from decoder: any Decoder) throws {
        guard let ledger = decoder.userInfo[KeyLedger.userInfoKey] as? KeyLedger else {
            value = try T(from: decoder)
            return
        }
        value = try RecordingDecoder(inner: decoder, ledger: ledger).decodeValue(T.self)
    }
}

/// What each JSON object held and what was asked of it, by dotted path.
/// `@unchecked Sendable` only because `JSONDecoder.userInfo` wants Sendable values: a ledger is made
/// for one `decode` call, which runs synchronously on the caller's thread, and never escapes it.
private final class KeyLedger: @unchecked Sendable {
    static let userInfoKey = CodingUserInfoKey(rawValue: "nightjar.strictJSON.ledger")!
    private var present: [String: [String]] = [:]
    private var read: [String: Set<String>] = [:]
    private var order: [String] = []

    func saw(_ keys: [String], at codingPath: [any CodingKey]) throws {
        let path = StrictJSON.dottedPath(codingPath)
        // Keys are printed too (a tag's name), so they are held to the same rule as string values.
        for key in keys { try PrintableText.validate(key, field: path.isEmpty ? "a key of the body" : "a key of \(path)") }
        if present[path] == nil { order.append(path) }
        present[path] = keys
    }

    func asked(_ key: any CodingKey, at codingPath: [any CodingKey]) {
        read[StrictJSON.dottedPath(codingPath), default: []].insert(key.stringValue)
    }

    func firstUnknown() -> (path: String, parent: String, known: [String])? {
        for parent in order {
            let known = read[parent] ?? []
            if let key = present[parent]?.first(where: { !known.contains($0) }) {
                return (parent.isEmpty ? key : "\(parent).\(key)", parent, known.sorted())
            }
        }
        return nil
    }
}

/// Any key of a JSON object, to list what the object holds whatever keys the type knows.
private struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init?(intValue: Int) { self.init(index: intValue) }
    init(index: Int) { stringValue = "\(index)"; intValue = index }
}

/// `JSONDecoder` reports a number that does not fit its type (99.5 for an Int) as "The given data was
/// not valid JSON." at the top level, losing the field; the wrapper knows the field, so it says which.
/// Every string of a strict body is checked for control characters here too, where its path is known.
private func pathed<T>(_ codingPath: [any CodingKey], _ read: () throws -> T) throws -> T {
    let value: T
    do {
        value = try read()
    } catch let error as DecodingError {
        throw error
    } catch {
        throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
    }
    if let text = value as? String { try PrintableText.validate(text, field: StrictJSON.dottedPath(codingPath)) }
    return value
}

/// Values with no keys inside, and types `JSONDecoder` decodes by its own strategies (dates as
/// ISO 8601): these go straight to the inner decoder.
private func isLeaf(_ type: Any.Type) -> Bool {
    type == String.self || type == Bool.self || type == Double.self || type == Float.self || type == Int.self
        || type == Int64.self || type == Int32.self || type == UInt.self || type == UInt64.self || type == UInt32.self
        || type == Int8.self || type == Int16.self || type == UInt8.self || type == UInt16.self
        || type == Date.self || type == Data.self || type == URL.self || type == Decimal.self
}

private struct RecordingDecoder: Decoder {
    let inner: any Decoder
    let ledger: KeyLedger
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { inner.userInfo }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        isLeaf(T.self) ? try inner.singleValueContainer().decode(T.self) : try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let container = try inner.container(keyedBy: type)
        try ledger.saw(try inner.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue), at: codingPath)
        return KeyedDecodingContainer(RecordingKeyedContainer(inner: container, decoder: inner, ledger: ledger))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.unkeyedContainer(), ledger: ledger)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(inner: try inner.singleValueContainer(), decoder: self)
    }
}

private struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let inner: KeyedDecodingContainer<Key>
    let decoder: any Decoder
    let ledger: KeyLedger
    var codingPath: [any CodingKey] { inner.codingPath }
    var allKeys: [Key] { inner.allKeys }

    private func ask(_ key: Key) { ledger.asked(key, at: codingPath) }

    private func leaf<T>(_ key: Key, _ read: () throws -> T) throws -> T {
        ask(key)
        return try pathed(codingPath + [key], read)
    }

    func contains(_ key: Key) -> Bool { ask(key); return inner.contains(key) }
    func decodeNil(forKey key: Key) throws -> Bool { ask(key); return try inner.decodeNil(forKey: key) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try leaf(key) { try inner.decode(type, forKey: key) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try leaf(key) { try inner.decode(type, forKey: key) } }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        // A missing key goes to the inner container too, for JSONDecoder's own "keyNotFound".
        guard !isLeaf(T.self), inner.contains(key) else { return try leaf(key) { try inner.decode(type, forKey: key) } }
        ask(key)
        return try T(from: RecordingDecoder(inner: try inner.superDecoder(forKey: key), ledger: ledger))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        ask(key)
        return try RecordingDecoder(inner: try inner.superDecoder(forKey: key), ledger: ledger).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        ask(key)
        return RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(forKey: key), ledger: ledger)
    }

    func superDecoder() throws -> any Decoder {
        RecordingDecoder(inner: try inner.superDecoder(), ledger: ledger)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ask(key)
        return RecordingDecoder(inner: try inner.superDecoder(forKey: key), ledger: ledger)
    }
}

private struct RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    var inner: any UnkeyedDecodingContainer
    let ledger: KeyLedger
    var codingPath: [any CodingKey] { inner.codingPath }
    var count: Int? { inner.count }
    var isAtEnd: Bool { inner.isAtEnd }
    var currentIndex: Int { inner.currentIndex }

    /// The path of the element about to be read.
    private var here: [any CodingKey] { codingPath + [AnyKey(index: currentIndex)] }

    mutating func decodeNil() throws -> Bool { try inner.decodeNil() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try pathed(here) { try inner.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try pathed(here) { try inner.decode(type) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // At the end, the inner container throws JSONDecoder's own "unkeyed container is at end".
        guard !isLeaf(T.self), !inner.isAtEnd else { return try pathed(here) { try inner.decode(type) } }
        return try T(from: RecordingDecoder(inner: try inner.superDecoder(), ledger: ledger))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try RecordingDecoder(inner: try inner.superDecoder(), ledger: ledger).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyedContainer(inner: try inner.nestedUnkeyedContainer(), ledger: ledger)
    }

    mutating func superDecoder() throws -> any Decoder {
        RecordingDecoder(inner: try inner.superDecoder(), ledger: ledger)
    }
}

private struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let inner: any SingleValueDecodingContainer
    let decoder: RecordingDecoder
    var codingPath: [any CodingKey] { inner.codingPath }

    private func leaf<T>(_ read: () throws -> T) throws -> T { try pathed(codingPath, read) }

    func decodeNil() -> Bool { inner.decodeNil() }
    func decode(_ type: Bool.Type) throws -> Bool { try leaf { try inner.decode(type) } }
    func decode(_ type: String.Type) throws -> String { try leaf { try inner.decode(type) } }
    func decode(_ type: Double.Type) throws -> Double { try leaf { try inner.decode(type) } }
    func decode(_ type: Float.Type) throws -> Float { try leaf { try inner.decode(type) } }
    func decode(_ type: Int.Type) throws -> Int { try leaf { try inner.decode(type) } }
    func decode(_ type: Int8.Type) throws -> Int8 { try leaf { try inner.decode(type) } }
    func decode(_ type: Int16.Type) throws -> Int16 { try leaf { try inner.decode(type) } }
    func decode(_ type: Int32.Type) throws -> Int32 { try leaf { try inner.decode(type) } }
    func decode(_ type: Int64.Type) throws -> Int64 { try leaf { try inner.decode(type) } }
    func decode(_ type: UInt.Type) throws -> UInt { try leaf { try inner.decode(type) } }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try leaf { try inner.decode(type) } }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try leaf { try inner.decode(type) } }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try leaf { try inner.decode(type) } }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try leaf { try inner.decode(type) } }

    /// The same JSON value, read as a type of its own (a wrapper type decoding its single value).
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        isLeaf(T.self) ? try leaf { try inner.decode(type) } : try T(from: decoder)
    }
}
