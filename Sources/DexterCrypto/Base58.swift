/// Base58 with the Bitcoin alphabet, as Solana writes keys, addresses and blockhashes.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let indexes: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let character: Character
        public var description: String { "\"\(text.prefix(64))\" is not base58: '\(character)' is not in the alphabet" }
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits: [UInt8] = []  // base-58 digits, least significant first
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        return String(repeating: "1", count: zeros) + String(decoding: digits.reversed().map { alphabet[Int($0)] }, as: UTF8.self)
    }

    public static func decode(_ text: String) throws(DecodeError) -> [UInt8] {
        let characters = Array(text.utf8)
        let zeros = characters.prefix { $0 == UInt8(ascii: "1") }.count
        var bytes: [UInt8] = []  // least significant first
        for character in characters.dropFirst(zeros) {
            guard character < 128, indexes[Int(character)] >= 0 else {
                throw DecodeError(text: text, character: Character(Unicode.Scalar(character)))
            }
            var carry = Int(indexes[Int(character)])
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}

/// Solana's compact-u16 length prefix: 7 bits a byte, low groups first, at most three bytes.
public enum ShortVec {
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case tooLarge(Int)
        case truncated
        case tooLong
        public var description: String {
            switch self {
            case .tooLarge(let value): return "short-vec: \(value) does not fit three bytes"
            case .truncated: return "short-vec: input ends inside the length"
            case .tooLong: return "short-vec: a length takes at most three bytes"
            }
        }
    }

    public static func encode(_ value: Int) throws(Failure) -> [UInt8] {
        guard (0..<0x20_0000).contains(value) else { throw .tooLarge(value) }
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining > 0
        return bytes
    }

    /// The value and how many bytes it took.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(Failure) -> (value: Int, length: Int) {
        var value = 0
        for (offset, byte) in bytes.prefix(3).enumerated() {
            value |= Int(byte & 0x7F) << (7 * offset)
            if byte & 0x80 == 0 { return (value, offset + 1) }
        }
        throw bytes.count >= 3 ? .tooLong : .truncated
    }
}
