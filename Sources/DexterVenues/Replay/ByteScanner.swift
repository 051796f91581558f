import DexterCore

/// A forward cursor over one line of a recording, for the few JSON and CSV shapes replay reads. It does not
/// build a document: it seeks a key and reads the value after it, which keeps parsing near memory speed. The venue
/// connectors (DexterCEX) read live wire messages with it too, through `ByteScanner+JSON.swift`.
package struct ByteScanner {
    package let bytes: UnsafeBufferPointer<UInt8>
    package var position: Int
    package let end: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = end
    }

    package var isAtEnd: Bool { position >= end }

    package func peek() -> UInt8? { position < end ? bytes[position] : nil }

    /// Moves past the next occurrence of `pattern`; false (and no move) if it does not occur.
    package mutating func seek(_ pattern: StaticString) -> Bool {
        let count = pattern.utf8CodeUnitCount
        let start = pattern.utf8Start
        let first = start[0]
        var index = position
        while index + count <= end {
            if bytes[index] == first {
                var matched = 1
                while matched < count && bytes[index + matched] == start[matched] { matched += 1 }
                if matched == count {
                    position = index + count
                    return true
                }
            }
            index += 1
        }
        return false
    }

    /// True, moving past it, if the next bytes are `pattern`.
    package mutating func consume(_ pattern: StaticString) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard position + count <= end else { return false }
        for offset in 0..<count where bytes[position + offset] != pattern.utf8Start[offset] { return false }
        position += count
        return true
    }

    package mutating func skip(_ byte: UInt8) -> Bool {
        guard position < end, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// An unsigned integer.
    package mutating func integer() -> UInt64? {
        var value: UInt64 = 0
        let start = position
        while position < end, case let digit = bytes[position] &- 48, digit < 10 {
            value = value &* 10 &+ UInt64(digit)
            position += 1
        }
        return position > start && position - start <= 19 ? value : nil
    }

    /// A non-negative decimal with up to 18 fractional digits, exactly; digits past the 18th are truncated.
    /// Digits gather in a UInt64 while they fit (19 of them: every price and size on the wire) and only then in
    /// Int128, which multiplies far slower.
    package mutating func decimal() -> FixedDecimal? {
        var small: UInt64 = 0
        var smallDigits = 0
        var wide: Int128 = 0
        var isWide = false
        var fractionDigits = -1
        let start = position
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: ".") {
                guard fractionDigits < 0 else { return nil }
                fractionDigits = 0
            } else if case let digit = byte &- 48, digit < 10 {
                if fractionDigits < FixedDecimal.fractionDigits {
                    if !isWide && smallDigits < 19 {
                        small = small &* 10 &+ UInt64(digit)
                        smallDigits += 1
                    } else {
                        if !isWide {
                            wide = Int128(small)
                            isWide = true
                        }
                        guard wide < Int128(1) << 100 else { return nil }
                        wide = wide * 10 + Int128(digit)
                    }
                    if fractionDigits >= 0 { fractionDigits += 1 }
                } else if fractionDigits < 0 {
                    return nil
                }
            } else {
                break
            }
            position += 1
        }
        guard position > start else { return nil }
        let raw = isWide ? wide : Int128(small)
        let scale = FixedDecimal.fractionDigits - max(fractionDigits, 0)
        let (scaled, overflow) = raw.multipliedReportingOverflow(by: Self.powersOfTen[scale])
        return overflow ? nil : FixedDecimal(raw: scaled)
    }

    /// A decimal inside double quotes: "61837.63000000".
    package mutating func quotedDecimal() -> FixedDecimal? {
        guard skip(UInt8(ascii: "\"")), let value = decimal(), skip(UInt8(ascii: "\"")) else { return nil }
        return value
    }

    /// Bytes up to (not including) `terminator`, moving past it.
    package mutating func bytes(until terminator: UInt8) -> Range<Int>? {
        let start = position
        while position < end {
            if bytes[position] == terminator {
                defer { position += 1 }
                return start..<position
            }
            position += 1
        }
        return nil
    }

    package static let powersOfTen: [Int128] = (0...FixedDecimal.fractionDigits).map { FixedDecimal.pow10($0) }
}
