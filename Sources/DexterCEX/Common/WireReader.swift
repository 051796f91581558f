import DexterCore
import DexterVenues
import Foundation

/// A venue message that could not be read: which venue, which kind of message, which field, where, and what was
/// wrong, so a trader reading the log knows whether the venue changed its format or the bytes were cut.
public struct WireParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let venue: String
    /// The message kind being read: "depthUpdate", "exchangeInfo", "order response"…
    public let message: String
    /// The field, where one is to blame.
    public let field: String?
    /// Byte offset in the message where reading stopped.
    public let offset: Int
    public let problem: String

    public var description: String {
        let place = field.map { "field \"\($0)\" at byte \(offset)" } ?? "byte \(offset)"
        return "\(venue) \(message): \(place): \(problem)"
    }
}

/// One level of a book side as the venue sent it; quantity zero removes the level.
public struct PriceLevel: Sendable, Hashable {
    public let price: FixedDecimal
    public let quantity: FixedDecimal

    public init(price: FixedDecimal, quantity: FixedDecimal) {
        self.price = price
        self.quantity = quantity
    }
}

/// An object key as read from the wire; matches a string literal in a `switch` without building a `String`.
struct WireKey {
    let bytes: UnsafeBufferPointer<UInt8>

    static func ~= (name: StaticString, key: WireKey) -> Bool {
        let count = name.utf8CodeUnitCount
        guard key.bytes.count == count else { return false }
        for offset in 0..<count where key.bytes[offset] != name.utf8Start[offset] { return false }
        return true
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Reads one JSON message field by field, every failure a `WireParseError` naming the field. Parsers are pure
/// functions over bytes built on it: no allocation beyond the values they return, one pass, no recursion that a
/// deep message could exhaust.
struct WireReader {
    var scanner: ByteScanner
    let venue: String
    var message: String

    init(_ bytes: UnsafeBufferPointer<UInt8>, venue: String, message: String) {
        scanner = ByteScanner(bytes, from: 0, to: bytes.count)
        self.venue = venue
        self.message = message
    }

    /// Runs `body` over the bytes of `data` ([UInt8], Data, a slice of either).
    static func read<Value>(_ data: some ContiguousBytes, venue: String, message: String,
                            _ body: (inout WireReader) throws(WireParseError) -> Value) throws(WireParseError) -> Value {
        let result: Result<Value, WireParseError> = data.withUnsafeBytes { raw in
            var reader = WireReader(raw.assumingMemoryBound(to: UInt8.self), venue: venue, message: message)
            do throws(WireParseError) {
                let value = try body(&reader)
                try reader.finish()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func failure(_ field: String?, _ problem: String) -> WireParseError {
        WireParseError(venue: venue, message: message, field: field, offset: scanner.position, problem: problem)
    }

    func missing(_ field: StaticString) -> WireParseError { failure("\(field)", "missing") }

    /// Only whitespace may follow the message.
    mutating func finish() throws(WireParseError) {
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw failure(nil, "unexpected bytes after the end of the message") }
    }

    // MARK: Structure

    mutating func openObject(_ field: StaticString? = nil) throws(WireParseError) {
        scanner.skipWhitespace()
        guard scanner.skip(UInt8(ascii: "{")) else { throw failure(field.map { "\($0)" }, "expected an object") }
    }

    /// The next key of the open object, nil at its end.
    mutating func nextKey(_ isFirst: inout Bool) throws(WireParseError) -> WireKey? {
        switch scanner.nextKey(isFirst: &isFirst) {
        case .key(let range): return WireKey(bytes: UnsafeBufferPointer(rebasing: scanner.bytes[range]))
        case .end: return nil
        case .element, .malformed: throw failure(nil, "expected a \"key\": value pair or the end of the object")
        }
    }

    mutating func openArray(_ field: StaticString) throws(WireParseError) {
        guard scanner.skip(UInt8(ascii: "[")) else { throw failure("\(field)", "expected an array") }
    }

    /// True at the next element of the open array, false at its end.
    mutating func nextElement(_ isFirst: inout Bool, _ field: StaticString) throws(WireParseError) -> Bool {
        switch scanner.nextElement(isFirst: &isFirst) {
        case .element: return true
        case .end: return false
        case .key, .malformed: throw failure("\(field)", "expected an element or the end of the array")
        }
    }

    mutating func skipValue(_ key: WireKey) throws(WireParseError) {
        guard scanner.skipValue() else { throw failure(key.text, "malformed value") }
    }

    /// The bytes of the value here, copied, the cursor past it: a payload whose kind is known only later.
    mutating func rawValue(_ field: StaticString) throws(WireParseError) -> [UInt8] {
        let start = scanner.position
        guard scanner.skipValue() else { throw failure("\(field)", "malformed value") }
        return Array(scanner.bytes[start..<scanner.position])
    }

    /// True, consuming it, if the value here is `null`.
    mutating func null() -> Bool { scanner.consume("null") }

    // MARK: Values

    mutating func string(_ field: StaticString) throws(WireParseError) -> String {
        guard let range = scanner.string() else { throw failure("\(field)", "expected a string") }
        guard let text = scanner.text(range) else { throw failure("\(field)", "malformed escape in string") }
        return text
    }

    /// A string, or nil for `null`.
    mutating func optionalString(_ field: StaticString) throws(WireParseError) -> String? {
        null() ? nil : try string(field)
    }

    mutating func integer(_ field: StaticString) throws(WireParseError) -> Int64 {
        guard let value = scanner.signedInteger() else { throw failure("\(field)", "expected an integer") }
        return value
    }

    /// An unsigned update id or sequence number.
    mutating func updateId(_ field: StaticString) throws(WireParseError) -> UInt64 {
        guard scanner.peek() != UInt8(ascii: "-"), let value = scanner.integer() else {
            throw failure("\(field)", "expected a non-negative integer")
        }
        return value
    }

    /// An exact decimal, from a string ("0.35130000") or a bare number; never through `Double`.
    mutating func decimal(_ field: StaticString) throws(WireParseError) -> FixedDecimal {
        guard let value = scanner.signedDecimal() else { throw failure("\(field)", "expected a decimal number") }
        guard scanner.peek() == UInt8(ascii: "e") || scanner.peek() == UInt8(ascii: "E") else { return value }
        return try scaled(value, field)
    }

    /// A bare number's exponent ("1.5e-05", venues that print floats write small ones so), applied exactly: a value
    /// that would need more than 18 fraction digits, or overflow, is refused rather than rounded.
    private mutating func scaled(_ value: FixedDecimal, _ field: StaticString) throws(WireParseError) -> FixedDecimal {
        scanner.position += 1
        let negative = scanner.skip(UInt8(ascii: "-"))
        if !negative { _ = scanner.skip(UInt8(ascii: "+")) }
        guard let exponent = scanner.integer(), exponent <= 36 else { throw failure("\(field)", "malformed exponent") }
        let power = FixedDecimal.pow10(Int(exponent))
        if negative {
            guard value.raw % power == 0 else { throw failure("\(field)", "more than 18 fraction digits") }
            return FixedDecimal(raw: value.raw / power)
        }
        let (raw, overflow) = value.raw.multipliedReportingOverflow(by: power)
        guard !overflow else { throw failure("\(field)", "number out of range") }
        return FixedDecimal(raw: raw)
    }

    /// A decimal that may not be negative: prices, quantities, fees.
    mutating func amount(_ field: StaticString) throws(WireParseError) -> FixedDecimal {
        let value = try decimal(field)
        guard !value.isNegative else { throw failure("\(field)", "negative amount \(value)") }
        return value
    }

    mutating func bool(_ field: StaticString) throws(WireParseError) -> Bool {
        if scanner.consume("true") { return true }
        if scanner.consume("false") { return false }
        throw failure("\(field)", "expected true or false")
    }

    /// Milliseconds since the epoch, as a timestamp; refused outside years 1970…2262 (where nanoseconds overflow).
    mutating func milliseconds(_ field: StaticString) throws(WireParseError) -> Timestamp {
        let value = try integer(field)
        guard (0...9_000_000_000_000).contains(value) else { throw failure("\(field)", "time \(value) ms out of range") }
        return Timestamp(milliseconds: value)
    }

    /// `[["price","quantity"],…]`: a book side as Binance and most venues send it.
    mutating func priceLevels(_ field: StaticString) throws(WireParseError) -> [PriceLevel] {
        try openArray(field)
        var levels: [PriceLevel] = []
        var first = true
        while try nextElement(&first, field) {
            try openArray(field)
            scanner.skipWhitespace()
            let price = try amount(field)
            scanner.skipWhitespace()
            guard scanner.skip(UInt8(ascii: ",")) else { throw failure("\(field)", "expected [price, quantity]") }
            scanner.skipWhitespace()
            let quantity = try amount(field)
            scanner.skipWhitespace()
            guard scanner.skip(UInt8(ascii: "]")) else { throw failure("\(field)", "expected [price, quantity]") }
            levels.append(PriceLevel(price: price, quantity: quantity))
        }
        return levels
    }
}
