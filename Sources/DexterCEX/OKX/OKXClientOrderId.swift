import DexterCore

/// dexter's client order ids on OKX. OKX allows 1–32 case-sensitive letters and digits in `clOrdId` (no `-` or `_`,
/// unlike Binance), while dexter's ids read `<run>-a<sequence>-<leg>`. The mapping is reversible, so an id seen in
/// a push, a query or `orders-pending` turns back into dexter's: lower-case letters and digits stay as they are;
/// every other character becomes an upper-case escape — `-` X, `_` Y, `.` W, `:` V, `/` U, and an upper-case letter
/// L becomes `Q` L. Every upper-case letter of an encoded id therefore starts an escape. dexter's usual ids keep their
/// length (`mj3k2x1a-a17-2` → `mj3k2x1aXa17X2`); one longer than 32 once encoded is refused before it is sent.
public enum OKXClientOrderId {
    static let escapes: [Character: Character] = ["-": "X", "_": "Y", ".": "W", ":": "V", "/": "U"]
    static let unescapes: [Character: Character] = Dictionary(uniqueKeysWithValues: escapes.map { ($1, $0) })

    /// OKX's `clOrdId` for dexter's id, or nil when it cannot be one (a character outside Binance's set, which
    /// dexter's ids keep to, or longer than 32 once encoded).
    public static func encode(_ id: String) -> String? {
        var encoded = ""
        for character in id {
            guard character.isASCII else { return nil }
            if character.isLowercase || character.isNumber {
                encoded.append(character)
            } else if character.isUppercase {
                encoded += "Q" + String(character)
            } else if let escape = escapes[character] {
                encoded.append(escape)
            } else {
                return nil
            }
        }
        return isValid(encoded) ? encoded : nil
    }

    /// dexter's id for an OKX `clOrdId`; one dexter did not make (another tool's, which no escape explains) comes
    /// back unchanged.
    public static func decode(_ clOrdId: String) -> String {
        var decoded = ""
        var escaped = false
        for character in clOrdId {
            if escaped {
                guard character.isUppercase, character.isASCII else { return clOrdId }
                decoded.append(character)
                escaped = false
            } else if character == "Q" {
                escaped = true
            } else if character.isUppercase {
                guard let original = unescapes[character] else { return clOrdId }
                decoded.append(original)
            } else {
                decoded.append(character)
            }
        }
        return escaped ? clOrdId : decoded
    }

    /// OKX's rule: 1–32 ASCII letters and digits.
    public static func isValid(_ clOrdId: String) -> Bool {
        (1...32).contains(clOrdId.utf8.count) && clOrdId.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: false
            }
        }
    }
}
