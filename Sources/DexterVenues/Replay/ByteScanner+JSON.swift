import DexterCore

/// JSON structure on top of the cursor: an object's keys and an array's elements walked in one forward pass, values
/// not wanted skipped without being built. Every read is bounds-checked and returns nil on bytes that are not what
/// it expects, so a truncated or mutated message ends in an error, never a crash or a loop.
extension ByteScanner {
    /// Where an object or array walk stands.
    package enum MemberStep: Equatable {
        /// An object's key (the bytes between its quotes), the cursor now at its value.
        case key(Range<Int>)
        /// An array's next element, the cursor now at it.
        case element
        /// The closing bracket, consumed.
        case end
        case malformed
    }

    package mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next key of an object whose `{` was consumed; `isFirst` is true before its first member.
    package mutating func nextKey(isFirst: inout Bool) -> MemberStep {
        skipWhitespace()
        if skip(UInt8(ascii: "}")) { return .end }
        if !isFirst {
            guard skip(UInt8(ascii: ",")) else { return .malformed }
            skipWhitespace()
        }
        isFirst = false
        guard let key = string() else { return .malformed }
        skipWhitespace()
        guard skip(UInt8(ascii: ":")) else { return .malformed }
        skipWhitespace()
        return .key(key)
    }

    /// The next element of an array whose `[` was consumed.
    package mutating func nextElement(isFirst: inout Bool) -> MemberStep {
        skipWhitespace()
        if skip(UInt8(ascii: "]")) { return .end }
        if !isFirst {
            guard skip(UInt8(ascii: ",")) else { return .malformed }
            skipWhitespace()
        }
        isFirst = false
        return position < end ? .element : .malformed
    }

    /// A string's raw bytes between its quotes (escapes left as they are), moving past the closing quote.
    package mutating func string() -> Range<Int>? {
        guard skip(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < end {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                defer { position += 1 }
                return start..<position
            case UInt8(ascii: "\\"):
                position += 2
            default:
                position += 1
            }
        }
        position = end
        return nil
    }

    /// The text of a string read by `string()`, its escapes decoded; nil for a broken escape.
    package func text(_ range: Range<Int>) -> String? {
        guard range.lowerBound >= 0, range.upperBound <= end else { return nil }
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else { decoded.append(byte); continue }
            guard index < raw.count else { return nil }
            let escaped = raw[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                guard index + 4 <= raw.count,
                      let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[index..<index + 4]),
                                               as: UTF8.self), radix: 16) else { return nil }
                index += 4
                // A lone surrogate half (never in a venue's ids or messages) becomes U+FFFD.
                decoded.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
            default: return nil
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// True if the bytes in `range` are `name`.
    package func equals(_ range: Range<Int>, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard range.count == count, range.lowerBound >= 0, range.upperBound <= end else { return false }
        for offset in 0..<count where bytes[range.lowerBound + offset] != name.utf8Start[offset] { return false }
        return true
    }

    /// An integer, possibly negative, that fits 64 bits.
    package mutating func signedInteger() -> Int64? {
        let negative = skip(UInt8(ascii: "-"))
        guard let magnitude = integer() else { return nil }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return Int64(exactly: magnitude)
    }

    /// A decimal, possibly negative, bare or in quotes ("-0.00100000", 0.5). Exponents are refused, not guessed.
    package mutating func signedDecimal() -> FixedDecimal? {
        let quoted = skip(UInt8(ascii: "\""))
        let negative = skip(UInt8(ascii: "-"))
        guard let first = peek(), first &- 48 < 10, let value = decimal() else { return nil }
        if quoted { guard skip(UInt8(ascii: "\"")) else { return nil } }
        return negative ? -value : value
    }

    /// Moves past one value of any kind; false if it is malformed or nests deeper than 64 levels.
    package mutating func skipValue() -> Bool {
        // One bit per open bracket: 1 for an object, 0 for an array, so each closer is checked against its opener.
        var kinds: UInt64 = 0
        var depth = 0
        repeat {
            skipWhitespace()
            guard let byte = peek() else { return false }
            switch byte {
            case UInt8(ascii: "\""):
                guard string() != nil else { return false }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < 64 else { return false }
                kinds = kinds << 1 | (byte == UInt8(ascii: "{") ? 1 : 0)
                depth += 1
                position += 1
                continue
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0, (kinds & 1 == 1) == (byte == UInt8(ascii: "}")) else { return false }
                kinds >>= 1
                depth -= 1
                position += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { return false }
                position += 1
                continue
            default:
                // A number or a literal: everything up to the next delimiter.
                let start = position
                while let next = peek(), !Self.isDelimiter(next) { position += 1 }
                guard position > start else { return false }
            }
        } while depth > 0
        return true
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ":"), 0x20, 0x09, 0x0A, 0x0D: true
        default: false
        }
    }
}
