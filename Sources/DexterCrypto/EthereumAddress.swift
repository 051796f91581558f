/// A 20-byte Ethereum address, written with its EIP-55 mixed-case checksum.
public struct EthereumAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case notHex(String)
        case wrongLength(String, Int)
        case badChecksum(String, expected: String)

        public var description: String {
            switch self {
            case .notHex(let text): return "\"\(text)\" is not an address: not hex"
            case .wrongLength(let text, let count): return "\"\(text)\" is not an address: \(count) bytes, expected 20"
            case .badChecksum(let text, let expected):
                return "\"\(text)\" fails its EIP-55 checksum (expected \(expected)): a mistyped character?"
            }
        }
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 20, "an address is 20 bytes")
        self.bytes = bytes
    }

    /// Parses 0x-hex. All-lowercase or all-uppercase carries no checksum; mixed case must match EIP-55 exactly.
    public init(parsing text: String) throws(ParseError) {
        let decoded: [UInt8]
        do { decoded = try Hex.decode(text) } catch { throw .notHex(text) }
        guard decoded.count == 20 else { throw .wrongLength(text, decoded.count) }
        self.init(bytes: decoded)
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        let isMixed = digits != digits.lowercased() && digits != digits.uppercased()
        if isMixed && "0x" + digits != checksummed { throw .badChecksum(text, expected: checksummed) }
    }

    /// EIP-55: a hex letter is upper case where the matching nibble of keccak256(lowercase hex) is 8 or more.
    public var checksummed: String {
        let lower = Hex.encode(bytes, prefix: false)
        let hash = Keccak256.hash(Array(lower.utf8))
        var text = "0x"
        for (index, character) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            text.append(character.isLetter && nibble >= 8 ? Character(character.uppercased()) : character)
        }
        return text
    }

    public var description: String { checksummed }
}
