import BigInt
import DexterCrypto

/// A transaction receipt (execution-apis "ReceiptInfo"), the fields a swap needs, read strictly.
public struct TransactionReceipt: Sendable, Hashable {
    public let transactionHash: [UInt8]
    public let blockNumber: UInt64
    public let blockHash: [UInt8]
    /// 1 success, 0 failure (post-Byzantium receipts carry `status`).
    public let succeeded: Bool
    public let gasUsed: BigUInt
    public let effectiveGasPrice: BigUInt
    public let logs: [ReceiptLog]

    public init(_ result: RPCResult) throws(EVMRPCError) {
        transactionHash = try result.member("transactionHash").data(count: 32)
        blockNumber = try result.member("blockNumber").uint64()
        blockHash = try result.member("blockHash").data(count: 32)
        let status = try result.member("status").quantity()
        guard status <= 1 else { throw try result.member("status").malformed("status \(status) is neither 0 nor 1") }
        succeeded = status == 1
        gasUsed = try result.member("gasUsed").quantity()
        effectiveGasPrice = try result.member("effectiveGasPrice").quantity()
        logs = try result.member("logs").elements().map { log throws(EVMRPCError) in try ReceiptLog(log) }
    }

    /// What the transaction paid for gas, in wei.
    public var feePaidWei: BigUInt { gasUsed * effectiveGasPrice }
}

/// A log of a receipt: who emitted it and what it says.
public struct ReceiptLog: Sendable, Hashable {
    public let address: EthereumAddress
    public let topics: [[UInt8]]
    public let data: [UInt8]

    public init(_ result: RPCResult) throws(EVMRPCError) {
        address = try result.member("address").address()
        topics = try result.member("topics").elements().map { topic throws(EVMRPCError) in try topic.data(count: 32) }
        data = try result.member("data").data()
    }
}
