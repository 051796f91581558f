import BigInt
import Foundation

/// A Solidity ABI type, parsed from its canonical text ("uint256", "bytes32[]", "(address,uint8)[2]").
public indirect enum ABIType: Sendable, Hashable, CustomStringConvertible {
    case uint(bits: Int)
    case int(bits: Int)
    case address
    case bool
    case fixedBytes(Int)
    case bytes
    case string
    case array(ABIType, count: Int?)
    case tuple([ABIType])

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "ABI type \"\(text)\": \(reason)" }
    }

    public init(parsing text: String) throws(ParseError) {
        var parser = ABITypeParser(text: text)
        self = try parser.parseWhole()
    }

    /// A dynamic type's encoding is referenced by an offset in its parent's head.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string: return true
        case .array(let element, let count): return count == nil || element.isDynamic
        case .tuple(let members): return members.contains(where: \.isDynamic)
        default: return false
        }
    }

    /// Bytes a static type occupies in the head; 32 for every dynamic type's offset.
    var headSize: Int {
        switch self {
        case .array(let element, let count?) where !isDynamic: return count * element.headSize
        case .tuple(let members) where !isDynamic: return members.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    public var description: String {
        switch self {
        case .uint(let bits): return "uint\(bits)"
        case .int(let bits): return "int\(bits)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let size): return "bytes\(size)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let element, let count): return "\(element)[\(count.map(String.init) ?? "")]"
        case .tuple(let members): return "(" + members.map(\.description).joined(separator: ",") + ")"
        }
    }
}

private struct ABITypeParser {
    let text: String
    let characters: [Character]
    var position = 0

    init(text: String) {
        self.text = text
        self.characters = Array(text)
    }

    mutating func parseWhole() throws(ABIType.ParseError) -> ABIType {
        let type = try parseType()
        guard position == characters.count else { throw fail("unexpected '\(characters[position])' at \(position)") }
        return type
    }

    func fail(_ reason: String) -> ABIType.ParseError { ABIType.ParseError(text: text, reason: reason) }

    mutating func parseType() throws(ABIType.ParseError) -> ABIType {
        var type: ABIType
        if position < characters.count, characters[position] == "(" {
            position += 1
            var members: [ABIType] = []
            if position < characters.count, characters[position] == ")" {
                position += 1
            } else {
                while true {
                    members.append(try parseType())
                    guard position < characters.count else { throw fail("unclosed tuple") }
                    let separator = characters[position]
                    position += 1
                    if separator == ")" { break }
                    guard separator == "," else { throw fail("expected ',' or ')' at \(position - 1)") }
                }
            }
            type = .tuple(members)
        } else {
            let start = position
            while position < characters.count, characters[position].isLetter || characters[position].isNumber { position += 1 }
            type = try elementary(String(characters[start..<position]))
        }
        while position < characters.count, characters[position] == "[" {
            position += 1
            let start = position
            while position < characters.count, characters[position].isNumber { position += 1 }
            let digits = String(characters[start..<position])
            guard position < characters.count, characters[position] == "]" else { throw fail("unclosed array bracket") }
            position += 1
            if digits.isEmpty {
                type = .array(type, count: nil)
            } else {
                guard let count = Int(digits), count > 0 else { throw fail("array length \(digits) must be positive") }
                type = .array(type, count: count)
            }
        }
        return type
    }

    func elementary(_ name: String) throws(ABIType.ParseError) -> ABIType {
        func bits(_ digits: Substring) throws(ABIType.ParseError) -> Int {
            if digits.isEmpty { return 256 }
            guard let bits = Int(digits), bits >= 8, bits <= 256, bits % 8 == 0 else {
                throw fail("integer width \(digits) is not a multiple of 8 from 8 to 256")
            }
            return bits
        }
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "function": return .fixedBytes(24)
        default: break
        }
        if name.hasPrefix("uint") { return .uint(bits: try bits(name.dropFirst(4))) }
        if name.hasPrefix("int") { return .int(bits: try bits(name.dropFirst(3))) }
        if name.hasPrefix("bytes"), let size = Int(name.dropFirst(5)), (1...32).contains(size) { return .fixedBytes(size) }
        throw fail(name.isEmpty ? "missing type name" : "unknown type \"\(name)\"")
    }
}

/// A value of an ABI type.
public indirect enum ABIValue: Sendable, Hashable {
    case uint(BigUInt)
    case int(BigInt)
    case address(EthereumAddress)
    case bool(Bool)
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    case array([ABIValue])
    case tuple([ABIValue])
}

public struct ABIError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public var description: String { "ABI: \(reason)" }
}

/// The contract ABI's head/tail encoding (Solidity docs, "Formal Specification of the Encoding").
public enum ABI {
    /// Encodes values as a tuple of the given types: a call's arguments or a return value.
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        guard values.count == types.count else { throw ABIError(reason: "\(values.count) values for \(types.count) types") }
        var encoder = ABIEncoder()
        return try encoder.encodeTuple(values, types)
    }

    /// The first four bytes of keccak256 of the canonical signature, e.g. "transfer(address,uint256)".
    public static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).prefix(4)) }

    /// Call data: selector followed by the encoded arguments.
    public static func call(_ name: String, _ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        let signature = name + ABIType.tuple(types).description
        return selector(signature) + (try encode(values, as: types))
    }

    /// Decodes a tuple of the given types. Strict: padding must be zero, booleans 0 or 1, integers in range,
    /// offsets and lengths inside the data.
    public static func decode(_ data: [UInt8], as types: [ABIType]) throws(ABIError) -> [ABIValue] {
        let decoder = ABIDecoder(data: data)
        return try decoder.decodeTuple(types, base: 0)
    }
}

private struct ABIEncoder {
    func word(_ value: BigUInt) -> [UInt8] {
        let bytes = Array(value.serialize())
        return [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
    }

    func padded(_ bytes: [UInt8]) -> [UInt8] {
        let remainder = bytes.count % 32
        return remainder == 0 ? bytes : bytes + [UInt8](repeating: 0, count: 32 - remainder)
    }

    mutating func encodeTuple(_ values: [ABIValue], _ types: [ABIType]) throws(ABIError) -> [UInt8] {
        guard values.count == types.count else { throw ABIError(reason: "tuple of \(types.count) given \(values.count) values") }
        let headLength = types.reduce(0) { $0 + $1.headSize }
        var head: [UInt8] = []
        var tail: [UInt8] = []
        for (value, type) in zip(values, types) {
            let encoded = try encode(value, type)
            if type.isDynamic {
                head += word(BigUInt(headLength + tail.count))
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    mutating func encode(_ value: ABIValue, _ type: ABIType) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.uint(let bits), .uint(let number)):
            guard number.bitWidth <= bits else { throw ABIError(reason: "\(number) does not fit uint\(bits)") }
            return word(number)
        case (.int(let bits), .int(let number)):
            let limit = BigInt(1) << (bits - 1)
            guard number >= -limit, number < limit else { throw ABIError(reason: "\(number) does not fit int\(bits)") }
            // Two's complement over 256 bits.
            return word(number >= 0 ? number.magnitude : (BigUInt(1) << 256) - number.magnitude)
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return word(flag ? 1 : 0)
        case (.fixedBytes(let size), .fixedBytes(let bytes)):
            guard bytes.count == size else { throw ABIError(reason: "\(bytes.count) bytes for bytes\(size)") }
            return padded(bytes)
        case (.bytes, .bytes(let bytes)):
            return word(BigUInt(bytes.count)) + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return word(BigUInt(bytes.count)) + padded(bytes)
        case (.array(let element, let count), .array(let elements)):
            if let count, elements.count != count {
                throw ABIError(reason: "\(elements.count) elements for \(type)")
            }
            let body = try encodeTuple(elements, Array(repeating: element, count: elements.count))
            return count == nil ? word(BigUInt(elements.count)) + body : body
        case (.tuple(let members), .tuple(let elements)):
            return try encodeTuple(elements, members)
        default:
            throw ABIError(reason: "value \(value) is not a \(type)")
        }
    }
}

private struct ABIDecoder {
    let data: [UInt8]

    func word(at offset: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard offset >= 0, offset <= data.count - 32 else { throw ABIError(reason: "word at \(offset) runs past \(data.count) bytes") }
        return data[offset..<offset + 32]
    }

    /// Reads a word that is a length or an offset; it must be small enough to index the data.
    func index(at offset: Int) throws(ABIError) -> Int {
        let value = BigUInt(Data(try word(at: offset)))
        guard value <= BigUInt(data.count) else { throw ABIError(reason: "offset or length \(value) at \(offset) exceeds the data") }
        return Int(value)
    }

    func decodeTuple(_ types: [ABIType], base: Int) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        values.reserveCapacity(types.count)
        var cursor = base
        for type in types {
            if type.isDynamic {
                let target = base + (try index(at: cursor))
                values.append(try decode(type, at: target))
            } else {
                values.append(try decode(type, at: cursor))
            }
            cursor += type.headSize
        }
        return values
    }

    func decode(_ type: ABIType, at offset: Int) throws(ABIError) -> ABIValue {
        switch type {
        case .uint(let bits):
            let number = BigUInt(Data(try word(at: offset)))
            guard number.bitWidth <= bits else { throw ABIError(reason: "value at \(offset) overflows uint\(bits)") }
            return .uint(number)
        case .int(let bits):
            let raw = BigUInt(Data(try word(at: offset)))
            let number = raw.bitWidth == 256 ? -BigInt((BigUInt(1) << 256) - raw) : BigInt(raw)
            let limit = BigInt(1) << (bits - 1)
            guard number >= -limit, number < limit else { throw ABIError(reason: "value at \(offset) overflows int\(bits)") }
            return .int(number)
        case .address:
            let bytes = try word(at: offset)
            guard bytes.prefix(12).allSatisfy({ $0 == 0 }) else { throw ABIError(reason: "address at \(offset) has dirty high bytes") }
            return .address(EthereumAddress(bytes: Array(bytes.suffix(20))))
        case .bool:
            let bytes = try word(at: offset)
            guard bytes.prefix(31).allSatisfy({ $0 == 0 }), bytes.last! <= 1 else { throw ABIError(reason: "bool at \(offset) is not 0 or 1") }
            return .bool(bytes.last! == 1)
        case .fixedBytes(let size):
            let bytes = try word(at: offset)
            guard bytes.dropFirst(size).allSatisfy({ $0 == 0 }) else { throw ABIError(reason: "bytes\(size) at \(offset) has dirty padding") }
            return .fixedBytes(Array(bytes.prefix(size)))
        case .bytes, .string:
            let length = try index(at: offset)
            let start = offset + 32
            let paddedLength = (length + 31) / 32 * 32
            guard start + paddedLength <= data.count else { throw ABIError(reason: "\(length) bytes at \(offset) run past the data") }
            guard data[(start + length)..<(start + paddedLength)].allSatisfy({ $0 == 0 }) else {
                throw ABIError(reason: "\(type) at \(offset) has dirty padding")
            }
            let bytes = Array(data[start..<start + length])
            if case .bytes = type { return .bytes(bytes) }
            guard let text = String(validating: bytes, as: UTF8.self) else { throw ABIError(reason: "string at \(offset) is not UTF-8") }
            return .string(text)
        case .array(let element, let count):
            if let count {
                return .array(try decodeTuple(Array(repeating: element, count: count), base: offset))
            }
            let length = try index(at: offset)
            // Every element needs at least one word, so a huge length cannot make us allocate before failing.
            guard length * 32 <= data.count - offset - 32 else { throw ABIError(reason: "array length \(length) at \(offset) exceeds the data") }
            return .array(try decodeTuple(Array(repeating: element, count: length), base: offset + 32))
        case .tuple(let members):
            return .tuple(try decodeTuple(members, base: offset))
        }
    }
}
