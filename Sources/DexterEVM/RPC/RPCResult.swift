import BigInt
import DexterCrypto

/// A result as a node gave it, read field by field: every read is strict (QUANTITY without leading zeros, DATA in
/// whole bytes, addresses of 20 bytes) and a failure is a `malformed` error naming the method, the URL and the path
/// of the field ("result.transactions[3].hash").
public struct RPCResult: Sendable, Hashable {
    public let value: JSONValue
    public let method: String
    /// The URL that answered, redacted.
    public let endpoint: String
    public let path: String

    public init(value: JSONValue, method: String, endpoint: String, path: String = "result") {
        self.value = value
        self.method = method
        self.endpoint = endpoint
        self.path = path
    }

    public func malformed(_ problem: String) -> EVMRPCError {
        .malformed(endpoint: endpoint, method: method, field: path, problem: problem)
    }

    public var isNull: Bool { value == .null }

    /// A member of an object; missing is an error.
    public func member(_ key: String) throws(EVMRPCError) -> RPCResult {
        guard case .object(let members) = value else { throw malformed("\(value.kind) where an object was expected") }
        guard let member = members[key] else {
            throw RPCResult(value: .null, method: method, endpoint: endpoint, path: "\(path).\(key)").malformed("missing")
        }
        return RPCResult(value: member, method: method, endpoint: endpoint, path: "\(path).\(key)")
    }

    /// A member that may be missing or null.
    public func optionalMember(_ key: String) throws(EVMRPCError) -> RPCResult? {
        guard case .object(let members) = value else { throw malformed("\(value.kind) where an object was expected") }
        guard let member = members[key], member != .null else { return nil }
        return RPCResult(value: member, method: method, endpoint: endpoint, path: "\(path).\(key)")
    }

    public func elements() throws(EVMRPCError) -> [RPCResult] {
        guard case .array(let elements) = value else { throw malformed("\(value.kind) where an array was expected") }
        return elements.enumerated().map {
            RPCResult(value: $0.element, method: method, endpoint: endpoint, path: "\(path)[\($0.offset)]")
        }
    }

    public func string() throws(EVMRPCError) -> String {
        guard case .string(let text) = value else { throw malformed("\(value.kind) where a string was expected") }
        return text
    }

    public func bool() throws(EVMRPCError) -> Bool {
        guard case .bool(let flag) = value else { throw malformed("\(value.kind) where a boolean was expected") }
        return flag
    }

    public func quantity() throws(EVMRPCError) -> BigUInt {
        let text = try string()
        do { return try Quantity.parse(text) } catch { throw malformed(error.description) }
    }

    /// A QUANTITY that must fit 64 bits (block numbers, chain ids, gas).
    public func uint64() throws(EVMRPCError) -> UInt64 {
        let number = try quantity()
        guard number.bitWidth <= 64 else { throw malformed("\(number) does not fit 64 bits") }
        return UInt64(number)
    }

    public func data() throws(EVMRPCError) -> [UInt8] {
        let text = try string()
        do { return try HexData.parse(text) } catch { throw malformed(error.description) }
    }

    /// DATA of exactly `count` bytes (a hash is 32).
    public func data(count: Int) throws(EVMRPCError) -> [UInt8] {
        let bytes = try data()
        guard bytes.count == count else { throw malformed("\(bytes.count) bytes where \(count) were expected") }
        return bytes
    }

    public func address() throws(EVMRPCError) -> EthereumAddress {
        let text = try string()
        guard text.hasPrefix("0x") else { throw malformed("no 0x prefix") }
        do { return try EthereumAddress(parsing: text) } catch { throw malformed(error.description) }
    }
}
