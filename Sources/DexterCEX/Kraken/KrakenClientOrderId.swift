import DexterCore

/// dexter's client order ids as Kraken's `cl_ord_id`. Kraken takes three forms (docs.kraken.com "Spot Client Order
/// Identifiers"): a long UUID (36 characters, hyphenated), a short UUID (32 hex digits) or free text of at most 18
/// characters; it checks uniqueness among the account's *open* orders only. dexter's ids (`<run>-a<sequence>-<leg>`,
/// `mj3k2x1a-a17-2`) are mostly 18 characters or fewer and travel as they are. A longer one (a long run of sequence
/// numbers) is packed, reversibly, into a long UUID: six bits a character over `0-9 a-z A-Z -` (1…63, zero ending the
/// text), 21 characters at most, the top two bits `10` so that a random UUID of another tool seldom reads as one of
/// dexter's. The mapping is reversible, so an id seen in an execution report or an order query turns back into
/// dexter's; anything else is refused before it is sent.
public enum KrakenClientOrderId {
    /// The characters free text may hold here: letters, digits and `-_.` (dexter's ids keep to them).
    static func isFreeTextByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
        default: false
        }
    }

    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-".utf8)
    static let maxPacked = 21

    /// Kraken's `cl_ord_id` for dexter's id, or nil when it cannot be one.
    public static func encode(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count <= 18 {
            guard bytes.allSatisfy(isFreeTextByte), !looksLikeUUID(id) else { return nil }
            return id
        }
        guard bytes.count <= maxPacked else { return nil }
        // 2 marker bits, then 21 six-bit symbols: 128 bits, high word first.
        var high: UInt64 = 0b10, low: UInt64 = 0
        var bitsInHigh = 2
        func push(_ symbol: UInt64) {
            // Six bits into the 128-bit (high, low) pair, most significant first.
            for shift in stride(from: 5, through: 0, by: -1) {
                let bit = (symbol >> UInt64(shift)) & 1
                if bitsInHigh < 64 {
                    high = (high << 1) | bit
                    bitsInHigh += 1
                } else {
                    low = (low << 1) | bit
                }
            }
        }
        for byte in bytes {
            guard let index = alphabet.firstIndex(of: byte) else { return nil }
            push(UInt64(index + 1))
        }
        for _ in bytes.count..<maxPacked { push(0) }
        let hex = hex16(high) + hex16(low)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
                     hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// dexter's id for a `cl_ord_id`; one dexter did not pack (free text, another tool's UUID) comes back unchanged.
    public static func decode(_ clOrdId: String) -> String {
        guard looksLikeUUID(clOrdId), clOrdId.utf8.count == 36 else { return clOrdId }
        let hex = clOrdId.filter { $0 != "-" }
        guard let high = UInt64(hex.prefix(16), radix: 16), let low = UInt64(hex.suffix(16), radix: 16),
              high >> 62 == 0b10 else { return clOrdId }
        var symbols: [Int] = []
        // Bit positions 2…127 of the 128, six at a time.
        for index in 0..<maxPacked {
            var symbol = 0
            for bit in 0..<6 {
                let position = 2 + index * 6 + bit
                let value = position < 64 ? (high >> UInt64(63 - position)) & 1 : (low >> UInt64(127 - position)) & 1
                symbol = symbol << 1 | Int(value)
            }
            symbols.append(symbol)
        }
        var decoded: [UInt8] = []
        var ended = false
        for symbol in symbols {
            if symbol == 0 {
                ended = true
            } else {
                guard !ended else { return clOrdId }
                decoded.append(alphabet[symbol - 1])
            }
        }
        guard decoded.count > 18 else { return clOrdId }
        let id = String(decoding: decoded, as: UTF8.self)
        return encode(id) == clOrdId.lowercased() ? id : clOrdId
    }

    /// A long (8-4-4-4-12) or short (32 hex digits) UUID's shape.
    static func looksLikeUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func isHex(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
        if bytes.count == 32 { return bytes.allSatisfy(isHex) }
        guard bytes.count == 36 else { return false }
        for (offset, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }

    private static func hex16(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
