/// Recursive Length Prefix, Ethereum's serialisation: byte strings and lists of items.
public indirect enum RLPItem: Sendable, Hashable {
    case bytes([UInt8])
    case list([RLPItem])

    /// An unsigned integer as RLP writes it: big-endian, no leading zeros, zero as the empty string.
    public static func integer<Value: BinaryInteger>(_ value: Value) -> RLPItem {
        precondition(value >= 0, "RLP integers are unsigned")
        var bytes: [UInt8] = []
        var remaining = value
        while remaining > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: remaining & 0xFF), at: 0)
            remaining >>= 8
        }
        return .bytes(bytes)
    }
}

/// Why bytes are not canonical RLP. The decoder refuses every non-canonical form, not just truncated input, since
/// two encodings of one value would give two hashes of one transaction.
public enum RLPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing to decode.
    case empty
    /// The input ends before the length its prefix announces.
    case truncated(offset: Int)
    /// Bytes remain after the first complete item.
    case trailingBytes(offset: Int)
    /// A single byte below 0x80 wrapped in a string prefix (0x81 0x00…0x7f).
    case nonCanonicalSingleByte(offset: Int)
    /// A long-form length with leading zero bytes.
    case leadingZerosInLength(offset: Int)
    /// A long-form length below 56, which the short form must carry.
    case nonOptimalLength(offset: Int)
    /// A length that does not fit in memory.
    case lengthOverflow(offset: Int)

    public var description: String {
        switch self {
        case .empty: return "RLP: empty input"
        case .truncated(let offset): return "RLP: input ends early (item at byte \(offset))"
        case .trailingBytes(let offset): return "RLP: unexpected bytes after the item, from byte \(offset)"
        case .nonCanonicalSingleByte(let offset): return "RLP: a single byte below 0x80 must encode itself (byte \(offset))"
        case .leadingZerosInLength(let offset): return "RLP: length with leading zeros (byte \(offset))"
        case .nonOptimalLength(let offset): return "RLP: long length form for a length under 56 (byte \(offset))"
        case .lengthOverflow(let offset): return "RLP: length too large (byte \(offset))"
        }
    }
}

public enum RLP {
    public static func encode(_ item: RLPItem) -> [UInt8] {
        var output: [UInt8] = []
        encode(item, into: &output)
        return output
    }

    private static func encode(_ item: RLPItem, into output: inout [UInt8]) {
        switch item {
        case .bytes(let bytes):
            if bytes.count == 1 && bytes[0] < 0x80 {
                output.append(bytes[0])
            } else {
                appendLength(bytes.count, offset: 0x80, into: &output)
                output += bytes
            }
        case .list(let items):
            var payload: [UInt8] = []
            for element in items { encode(element, into: &payload) }
            appendLength(payload.count, offset: 0xC0, into: &output)
            output += payload
        }
    }

    private static func appendLength(_ length: Int, offset: UInt8, into output: inout [UInt8]) {
        if length < 56 {
            output.append(offset + UInt8(length))
            return
        }
        var lengthBytes: [UInt8] = []
        var remaining = length
        while remaining > 0 {
            lengthBytes.insert(UInt8(remaining & 0xFF), at: 0)
            remaining >>= 8
        }
        output.append(offset + 55 + UInt8(lengthBytes.count))
        output += lengthBytes
    }

    /// Decodes exactly one item that spans all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        guard !bytes.isEmpty else { throw .empty }
        let (item, end) = try decodeItem(bytes, at: 0, limit: bytes.count)
        guard end == bytes.count else { throw .trailingBytes(offset: end) }
        return item
    }

    private static func decodeItem(_ bytes: [UInt8], at start: Int, limit: Int) throws(RLPError) -> (RLPItem, Int) {
        guard start < limit else { throw .truncated(offset: start) }
        let prefix = bytes[start]
        switch prefix {
        case 0x00...0x7F:
            return (.bytes([prefix]), start + 1)
        case 0x80...0xBF:
            let (length, payloadStart) = try readLength(bytes, at: start, limit: limit, offset: 0x80)
            let payload = Array(bytes[payloadStart..<(payloadStart + length)])
            if length == 1 && payload[0] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
            return (.bytes(payload), payloadStart + length)
        default:
            let (length, payloadStart) = try readLength(bytes, at: start, limit: limit, offset: 0xC0)
            var items: [RLPItem] = []
            var cursor = payloadStart
            let end = payloadStart + length
            while cursor < end {
                let (item, next) = try decodeItem(bytes, at: cursor, limit: end)
                items.append(item)
                cursor = next
            }
            return (.list(items), end)
        }
    }

    /// The payload length and where the payload starts, checking canonical form and bounds.
    private static func readLength(_ bytes: [UInt8], at start: Int, limit: Int, offset: UInt8) throws(RLPError) -> (Int, Int) {
        let prefix = bytes[start]
        let short = Int(prefix - offset)
        if short <= 55 {
            guard start + 1 + short <= limit else { throw .truncated(offset: start) }
            return (short, start + 1)
        }
        let lengthOfLength = short - 55
        guard start + 1 + lengthOfLength <= limit else { throw .truncated(offset: start) }
        guard bytes[start + 1] != 0 else { throw .leadingZerosInLength(offset: start) }
        guard lengthOfLength <= 7 else { throw .lengthOverflow(offset: start) }
        var length = 0
        for index in 0..<lengthOfLength { length = length << 8 | Int(bytes[start + 1 + index]) }
        guard length >= 56 else { throw .nonOptimalLength(offset: start) }
        let payloadStart = start + 1 + lengthOfLength
        guard length <= limit - payloadStart else { throw .truncated(offset: start) }
        return (length, payloadStart)
    }
}
