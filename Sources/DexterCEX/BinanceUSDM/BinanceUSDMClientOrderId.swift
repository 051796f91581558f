import DexterCore

/// dexter's client order ids on Binance USDⓈ-M: `newClientOrderId` allows `^[\.A-Z\:/a-z0-9_-]{1,36}$`. dexter's own
/// ids (`mj3k2x1a-a17-2`) fit and travel as they are. Any other id travels as `.x` followed by its UTF-8 bytes in
/// base64url without padding (whose alphabet Binance allows), at most 25 bytes; an id that itself starts with `.x` is
/// encoded too, so every id Binance echoes turns back into exactly one of dexter's.
public enum BinanceUSDMClientOrderId {
    static let marker = ".x"

    /// Binance's form of dexter's id, or nil when it cannot have one (more than 25 bytes and not already valid).
    public static func encode(_ id: String) -> String? {
        if isValid(id), !id.hasPrefix(marker) { return id }
        let encoded = marker + base64url(Array(id.utf8))
        return isValid(encoded) && !id.isEmpty ? encoded : nil
    }

    /// dexter's id for the one Binance echoes; an id of another tool comes back unchanged.
    public static func decode(_ venueId: String) -> String {
        guard venueId.hasPrefix(marker), let bytes = unbase64url(venueId.dropFirst(marker.count)),
              let text = String(validating: bytes, as: UTF8.self),
              // Only what `encode` makes: another spelling of the same bytes, or an id that travels as it is, is not.
              encode(text) == venueId else { return venueId }
        return text
    }

    /// `^[\.A-Z\:/a-z0-9_-]{1,36}$` (New Order, `newClientOrderId`).
    public static func isValid(_ id: String) -> Bool {
        (1...36).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func base64url(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for slot in 0...chunk.count { out.append(alphabet[Int(value >> (18 - 6 * slot) & 63)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unbase64url(_ text: Substring) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt32(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = Array(values[index..<min(index + 4, values.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | $1.element << (18 - 6 * $1.offset) }
            for slot in 0..<(chunk.count - 1) { out.append(UInt8(value >> (16 - 8 * slot) & 0xFF)) }
            // Unused low bits must be zero, so each id has one spelling only.
            let unused = (UInt32(1) << (24 - 8 * (chunk.count - 1))) - 1
            if chunk.count < 4, value & unused != 0 { return nil }
            index += 4
        }
        return out
    }
}
