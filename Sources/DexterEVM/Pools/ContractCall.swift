import BigInt
import DexterCrypto

/// A contract read through `eth_call`: the function's signature, its arguments, and the types its answer decodes to.
/// Calls are pinned to one block, so that every read of one pool's state sees the same chain.
public struct ContractCall: Sendable, Hashable {
    public let contract: EthereumAddress
    /// "getPool(address,address,uint24)".
    public let function: String
    public let data: [UInt8]
    public let returns: [ABIType]

    public init(_ contract: EthereumAddress, _ name: String, _ arguments: [(ABIType, ABIValue)] = [],
                returns: [ABIType]) throws(ABIError) {
        self.contract = contract
        function = name + ABIType.tuple(arguments.map(\.0)).description
        data = try ABI.call(name, arguments.map(\.0), arguments.map(\.1))
        self.returns = returns
    }

    public func rpc(at block: UInt64) -> RPCCall {
        RPCCall("eth_call", [["to": .string(contract.checksummed), "data": .string(HexData.format(data))],
                             .string(Quantity.format(BigUInt(block)))])
    }

    /// The answer's values; an answer that does not decode (a missing contract answers "0x") is malformed.
    public func decode(_ result: RPCResult) throws(EVMRPCError) -> [ABIValue] {
        let bytes = try result.data()
        do {
            return try ABI.decode(bytes, as: returns)
        } catch {
            throw .malformed(endpoint: result.endpoint, method: "eth_call \(function) on \(contract)", field: "result",
                             problem: bytes.isEmpty ? "empty (no contract there?)" : error.description)
        }
    }
}

extension EVMRPCClient {
    /// The calls at `block`, each decoded, in one batch (several past `maxBatch`: providers cap a batch's size);
    /// the first failure fails them all.
    public func read(_ calls: [ContractCall], at block: UInt64, maxBatch: Int = 100)
        async throws(EVMRPCError) -> [[ABIValue]] {
        var values: [[ABIValue]] = []
        for start in stride(from: 0, to: calls.count, by: maxBatch) {
            let chunk = Array(calls[start..<min(start + maxBatch, calls.count)])
            let outcomes = try await batch(chunk.map { $0.rpc(at: block) })
            for (call, outcome) in zip(chunk, outcomes) { values.append(try call.decode(try outcome.get())) }
        }
        return values
    }

    /// The latest block's number.
    public func blockNumber() async throws(EVMRPCError) -> UInt64 { try await call("eth_blockNumber").uint64() }
}

/// Reading decoded ABI values as the types a reader expects; a mismatch cannot happen after a strict decode, but is
/// reported rather than trapped.
enum ABIRead {
    static func uint(_ value: ABIValue) -> BigUInt? {
        if case .uint(let number) = value { return number }
        return nil
    }

    static func int(_ value: ABIValue) -> BigInt? {
        if case .int(let number) = value { return number }
        return nil
    }

    static func address(_ value: ABIValue) -> EthereumAddress? {
        if case .address(let address) = value { return address }
        return nil
    }

    static func bool(_ value: ABIValue) -> Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }
}
