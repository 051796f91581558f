import BigInt
import DexterCrypto
import DexterVenues
import Foundation

/// An object key as read from the wire; matches a string literal in a `switch` without building a `String`.
struct AggregatorKey {
    let bytes: UnsafeBufferPointer<UInt8>

    static func ~= (name: StaticString, key: AggregatorKey) -> Bool {
        let count = name.utf8CodeUnitCount
        guard key.bytes.count == count else { return false }
        for offset in 0..<count where key.bytes[offset] != name.utf8Start[offset] { return false }
        return true
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Reads one aggregator answer field by field in one forward pass (ByteScanner underneath, as DexterCEX's
/// WireReader, which DexterEVM may not import), every failure an `AggregatorParseError` naming the field.
/// Both APIs write token amounts as decimal integer strings of up to 256 bits; they are read into BigUInt exactly,
/// and anything else (a sign, a point, an exponent, a leading zero, a bare number) is refused.
struct AggregatorReader {
    var scanner: ByteScanner
    let source: String
    let message: String

    /// Runs `body` over the bytes of `data`; only whitespace may follow the value it reads.
    static func read<Value>(_ data: some ContiguousBytes, source: String, message: String,
                            _ body: (inout AggregatorReader) throws(AggregatorParseError) -> Value)
        throws(AggregatorParseError) -> Value {
        let result: Result<Value, AggregatorParseError> = data.withUnsafeBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            var reader = AggregatorReader(scanner: ByteScanner(bytes, from: 0, to: bytes.count), source: source,
                                          message: message)
            do throws(AggregatorParseError) {
                let value = try body(&reader)
                reader.scanner.skipWhitespace()
                guard reader.scanner.isAtEnd else {
                    throw reader.failure(nil, "unexpected bytes after the end of the answer")
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func failure(_ field: String?, _ problem: String) -> AggregatorParseError {
        AggregatorParseError(source: source, message: message, field: field, offset: scanner.position,
                             problem: problem)
    }

    func missing(_ field: String) -> AggregatorParseError { failure(field, "missing") }

    // MARK: Structure

    mutating func openObject(_ field: String? = nil) throws(AggregatorParseError) {
        scanner.skipWhitespace()
        guard scanner.skip(UInt8(ascii: "{")) else { throw failure(field, "expected an object") }
    }

    /// The next key of the open object, nil at its end.
    mutating func nextKey(_ isFirst: inout Bool) throws(AggregatorParseError) -> AggregatorKey? {
        switch scanner.nextKey(isFirst: &isFirst) {
        case .key(let range): return AggregatorKey(bytes: UnsafeBufferPointer(rebasing: scanner.bytes[range]))
        case .end: return nil
        case .element, .malformed: throw failure(nil, "expected a \"key\": value pair or the end of the object")
        }
    }

    mutating func openArray(_ field: String) throws(AggregatorParseError) {
        scanner.skipWhitespace()
        guard scanner.skip(UInt8(ascii: "[")) else { throw failure(field, "expected an array") }
    }

    /// True at the next element of the open array, false at its end.
    mutating func nextElement(_ isFirst: inout Bool, _ field: String) throws(AggregatorParseError) -> Bool {
        switch scanner.nextElement(isFirst: &isFirst) {
        case .element: return true
        case .end: return false
        case .key, .malformed: throw failure(field, "expected an element or the end of the array")
        }
    }

    mutating func skipValue(_ key: AggregatorKey) throws(AggregatorParseError) {
        guard scanner.skipValue() else { throw failure(key.text, "malformed value") }
    }

    /// True, consuming it, if the value here is `null`.
    mutating func null() -> Bool { scanner.consume("null") }

    // MARK: Values

    mutating func string(_ field: String) throws(AggregatorParseError) -> String {
        guard let range = scanner.string() else { throw failure(field, "expected a string") }
        guard let text = scanner.text(range) else { throw failure(field, "malformed escape in string") }
        return text
    }

    mutating func bool(_ field: String) throws(AggregatorParseError) -> Bool {
        if scanner.consume("true") { return true }
        if scanner.consume("false") { return false }
        throw failure(field, "expected true or false")
    }

    /// A bare JSON integer, not negative, that fits 64 bits (1inch's `gas`, 0x's `chainId`).
    mutating func unsigned(_ field: String) throws(AggregatorParseError) -> UInt64 {
        let start = scanner.position
        guard let value = scanner.integer() else { throw failure(field, "expected a non-negative integer") }
        if let next = scanner.peek(),
           next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            scanner.position = start
            throw failure(field, "expected an integer, not a fraction or an exponent")
        }
        if scanner.bytes[start] == UInt8(ascii: "0") && scanner.position - start > 1 {
            scanner.position = start
            throw failure(field, "leading zero")
        }
        return value
    }

    /// A token amount, gas or wei figure: a decimal integer string ("1000000"), at most 2²⁵⁶ − 1.
    mutating func baseUnits(_ field: String) throws(AggregatorParseError) -> BigUInt {
        let start = scanner.position
        guard let range = scanner.string() else { throw failure(field, "expected a decimal integer string") }
        let digits = UnsafeBufferPointer(rebasing: scanner.bytes[range])
        func refuse(_ problem: String) -> AggregatorParseError {
            AggregatorParseError(source: source, message: message, field: field, offset: start, problem: problem)
        }
        guard !digits.isEmpty else { throw refuse("empty amount") }
        guard digits.allSatisfy({ $0 &- 48 < 10 }) else { throw refuse("not a decimal integer of base units") }
        guard digits.count == 1 || digits[0] != UInt8(ascii: "0") else { throw refuse("leading zero") }
        guard digits.count <= 78, let value = BigUInt(String(decoding: digits, as: UTF8.self), radix: 10),
              value.bitWidth <= 256 else { throw refuse("more than 256 bits") }
        return value
    }

    /// A 20-byte address, "0x" and 40 hex digits: lowercase, uppercase, or mixed case that passes EIP-55.
    mutating func address(_ field: String) throws(AggregatorParseError) -> EthereumAddress {
        let start = scanner.position
        let text = try string(field)
        guard text.utf8.count == 42, text.hasPrefix("0x") else {
            scanner.position = start
            throw failure(field, "not an address: \"0x\" and 40 hex digits")
        }
        do {
            return try EthereumAddress(parsing: text)
        } catch {
            scanner.position = start
            throw failure(field, "\(error)")
        }
    }

    /// Calldata: "0x" and whole bytes of hex.
    mutating func hexData(_ field: String) throws(AggregatorParseError) -> [UInt8] {
        let start = scanner.position
        let text = try string(field)
        do {
            return try HexData.parse(text)
        } catch {
            scanner.position = start
            throw failure(field, error.problem)
        }
    }

    /// A value that may be `null`: nil for it, else `read`.
    mutating func optional<Value>(_ read: (inout AggregatorReader) throws(AggregatorParseError) -> Value)
        throws(AggregatorParseError) -> Value? {
        null() ? nil : try read(&self)
    }
}
