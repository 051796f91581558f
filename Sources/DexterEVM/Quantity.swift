import BigInt
import DexterCrypto

/// The two hex encodings of Ethereum's JSON-RPC (execution-apis, "Value encoding"): a QUANTITY is an integer with no
/// leading zeros ("0x0", "0x41"), DATA is bytes with two digits each ("0x", "0x004200"). A node that sends either
/// wrongly is answering something other than what was asked, so reading is strict and says what is wrong.
public enum Quantity {
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let problem: String
        public var description: String { "\"\(text.prefix(80))\" is not a JSON-RPC quantity: \(problem)" }

        public init(text: String, problem: String) {
            self.text = text
            self.problem = problem
        }
    }

    public static func parse(_ text: String) throws(Malformed) -> BigUInt {
        guard text.hasPrefix("0x") else { throw Malformed(text: text, problem: "no 0x prefix") }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty else { throw Malformed(text: text, problem: "no digits (zero is 0x0)") }
        guard digits.count == 1 || digits.first != "0" else { throw Malformed(text: text, problem: "leading zero") }
        guard digits.count <= 64 else { throw Malformed(text: text, problem: "more than 256 bits") }
        guard digits.allSatisfy(\.isHexDigit), let value = BigUInt(String(digits), radix: 16) else {
            throw Malformed(text: text, problem: "not a hex digit")
        }
        return value
    }

    public static func format(_ value: BigUInt) -> String { "0x" + String(value, radix: 16) }
}

public enum HexData {
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let problem: String
        public var description: String { "\"\(text.prefix(80))\" is not JSON-RPC data: \(problem)" }

        public init(text: String, problem: String) {
            self.text = text
            self.problem = problem
        }
    }

    public static func parse(_ text: String) throws(Malformed) -> [UInt8] {
        guard text.hasPrefix("0x") else { throw Malformed(text: text, problem: "no 0x prefix") }
        guard text.utf8.count % 2 == 0 else { throw Malformed(text: text, problem: "an odd number of digits") }
        do { return try Hex.decode(text) } catch { throw Malformed(text: text, problem: "not hex") }
    }

    public static func format(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
}
