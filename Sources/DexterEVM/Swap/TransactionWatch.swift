import BigInt
import DexterCrypto

/// Where a sent transaction stands, as the node sees it now.
public enum TransactionState: Sendable, Hashable, CustomStringConvertible {
    /// The node holds it, unmined.
    case pending
    /// The node knows nothing of it: dropped from the pool, replaced, or reorged out and not re-added.
    case dropped
    /// In a canonical block, `confirmations` deep (1 = in the latest block).
    case mined(TransactionReceipt, confirmations: UInt64)

    public var description: String {
        switch self {
        case .pending: "pending"
        case .dropped: "dropped"
        case .mined(let receipt, let depth):
            "mined in block \(receipt.blockNumber) (\(depth) confirmation\(depth == 1 ? "" : "s"), \(receipt.succeeded ? "success" : "failed"))"
        }
    }
}

/// Reads where transactions stand. A receipt whose block is no longer the canonical block at its height is a reorg
/// in progress: the transaction counts as pending again until the node says otherwise.
public struct TransactionWatch: Sendable {
    public let client: EVMRPCClient

    public init(client: EVMRPCClient) { self.client = client }

    public func state(of hash: [UInt8]) async throws(EVMRPCError) -> TransactionState {
        let hashText = JSONValue.string(HexData.format(hash))
        let answer = try await client.call("eth_getTransactionReceipt", [hashText])
        guard !answer.isNull else {
            let known = try await client.call("eth_getTransactionByHash", [hashText])
            return known.isNull ? .dropped : .pending
        }
        let receipt = try TransactionReceipt(answer)
        let latest = try await client.call("eth_blockNumber").uint64()
        let canonical = try await client.call("eth_getBlockByNumber", [.string(Quantity.format(BigUInt(receipt.blockNumber))), false])
        // No block there any more, or another block: the receipt's block left the chain.
        guard !canonical.isNull, try canonical.member("hash").data(count: 32) == receipt.blockHash,
              latest >= receipt.blockNumber else { return .pending }
        return .mined(receipt, confirmations: latest - receipt.blockNumber + 1)
    }

    /// Polls until the transaction is `depth` blocks deep, seen dropped on two polls in a row (a node behind a load
    /// balancer may not know a transaction the instant it was sent), or `attempts` polls have passed (then the last
    /// state seen). `pause` runs between polls: a sleep in production, mining a block in a test.
    public func wait(for hash: [UInt8], depth: UInt64, attempts: Int,
                     pause: @Sendable () async -> Void) async throws(EVMRPCError) -> TransactionState {
        var state = TransactionState.pending
        var droppedBefore = false
        for attempt in 0..<max(attempts, 1) {
            state = try await self.state(of: hash)
            switch state {
            case .dropped where droppedBefore: return state
            case .mined(_, let confirmations) where confirmations >= depth: return state
            default: break
            }
            if case .dropped = state { droppedBefore = true } else { droppedBefore = false }
            if attempt + 1 < attempts { await pause() }
        }
        return state
    }
}
