import DexterCore

/// dexter's client order ids as Coinbase's `client_order_id`. The docs ask only for a unique string (their examples
/// are UUIDs; SDKs send their own formats) and say nothing of its alphabet or length, so dexter keeps to what is safe
/// in any JSON body, URL and log: ids of 1–64 letters, digits, `-` and `_` (dexter's `<run>-a<sequence>-<leg>`) travel
/// as they are. Anything else — another character, or an id that would read as an encoded one — is sent as `hx-`
/// followed by the lowercase hex of its UTF-8 bytes, when that fits in 64 characters; longer ones are refused before
/// they are sent. The mapping is reversible, so an id seen in a user-channel update, a query or a listing turns back
/// into dexter's. The id is Coinbase's idempotency key: an order under an id Coinbase has seen is never created again.
public enum CoinbaseClientOrderId {
    static let maxLength = 64
    static let prefix = "hx-"

    static func isPlainByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    /// Coinbase's `client_order_id` for dexter's id, or nil when it cannot be one.
    public static func encode(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count <= maxLength, bytes.allSatisfy(isPlainByte), !id.hasPrefix(prefix) { return id }
        guard prefix.utf8.count + 2 * bytes.count <= maxLength else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var encoded = Array(prefix.utf8)
        for byte in bytes {
            encoded.append(digits[Int(byte >> 4)])
            encoded.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// dexter's id for a `client_order_id`; one dexter did not encode (another tool's) comes back unchanged.
    public static func decode(_ clientOrderId: String) -> String {
        guard clientOrderId.hasPrefix(prefix) else { return clientOrderId }
        let hex = Array(clientOrderId.utf8.dropFirst(prefix.utf8.count))
        guard !hex.isEmpty, hex.count % 2 == 0 else { return clientOrderId }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let high = value(hex[index]), let low = value(hex[index + 1]) else { return clientOrderId }
            bytes.append(high << 4 | low)
        }
        guard let id = String(validating: bytes, as: UTF8.self), encode(id) == clientOrderId else { return clientOrderId }
        return id
    }
}
