import BigInt
import DexterCrypto

/// The latest block's fields that price gas and date a deadline.
struct FeeBlock: Sendable, Hashable {
    let number: UInt64
    let timestamp: BigUInt
    let baseFee: BigUInt
    let gasUsed: BigUInt
    let gasLimit: BigUInt

    static func latest(_ client: EVMRPCClient) async throws(EVMRPCError) -> FeeBlock {
        let block = try await client.call("eth_getBlockByNumber", ["latest", false])
        guard !block.isNull else { throw block.malformed("null: no latest block") }
        return FeeBlock(number: try block.member("number").uint64(), timestamp: try block.member("timestamp").quantity(),
                        baseFee: try block.member("baseFeePerGas").quantity(), gasUsed: try block.member("gasUsed").quantity(),
                        gasLimit: try block.member("gasLimit").quantity())
    }
}

extension FeeHistory {
    /// From `eth_feeHistory`'s result, strictly (the reward rows as quantities, the ratios as the floats they are).
    public init(_ result: RPCResult) throws(EVMRPCError) {
        let oldest = try result.member("oldestBlock").quantity()
        let baseFees = try result.member("baseFeePerGas").elements().map { fee throws(EVMRPCError) in try fee.quantity() }
        let ratios = try result.member("gasUsedRatio").elements().map { ratio throws(EVMRPCError) -> Double in
            guard case .number(let text) = ratio.value, let value = Double(text) else { throw ratio.malformed("not a number") }
            return value
        }
        let rewards = try (result.optionalMember("reward")?.elements() ?? []).map { row throws(EVMRPCError) in
            try row.elements().map { reward throws(EVMRPCError) in try reward.quantity() }
        }
        guard baseFees.count == ratios.count + 1 else {
            throw try result.member("baseFeePerGas").malformed("\(baseFees.count) base fees for \(ratios.count) blocks")
        }
        guard rewards.isEmpty || rewards.count == ratios.count else {
            throw try result.member("gasUsedRatio").malformed("\(rewards.count) reward rows for \(ratios.count) blocks")
        }
        self.init(oldestBlock: oldest, baseFeePerGas: baseFees, gasUsedRatio: ratios, reward: rewards)
    }
}

extension NodeCallError {
    /// The read side's error object: hex data as it came, or nested data found in its JSON text.
    public init(_ object: RPCErrorObject) {
        let nested = object.otherData.flatMap { try? NodeCallError(json: Array("{\"code\":0,\"message\":\"\",\"data\":\($0)}".utf8)) }
        self.init(code: object.code, message: object.message, revertData: object.data ?? nested?.revertData)
    }
}

extension SwapExecutor {
    func node<T>(_ body: () async throws(EVMRPCError) -> T) async throws(SwapError) -> T {
        do { return try await body() } catch { throw .node(error) }
    }

    /// A call whose node error is a revert refuses the trade with the reason; other errors stay node errors.
    func reverting<T>(_ stage: String, _ body: () async throws(EVMRPCError) -> T) async throws(SwapError) -> T {
        do { return try await body() } catch {
            if case .rpc(let object) = error, let reason = NodeCallError(object).revert(errors: errors) {
                throw .refused(stage: stage, reason: reason)
            }
            throw .node(error)
        }
    }

    /// A uint256 view call at `block` (latest when nil).
    func uint(call contract: EthereumAddress, data: [UInt8], at block: UInt64?) async throws(SwapError) -> BigUInt {
        let tag: JSONValue = block.map { .string(Quantity.format(BigUInt($0))) } ?? "latest"
        let answer = try await node { () async throws(EVMRPCError) in
            try await client.call("eth_call", [["to": .string(contract.checksummed), "data": .string(HexData.format(data))], tag])
        }
        let bytes = try await node { () async throws(EVMRPCError) in try answer.data() }
        do { return try UIntAnswer.decode(bytes) } catch {
            throw .node(answer.malformed("\(contract) answered \(bytes.count) bytes: \(error.reason)"))
        }
    }

    func balance(of owner: EthereumAddress, token: EthereumAddress, at block: UInt64?) async throws(SwapError) -> BigUInt {
        let data: [UInt8]
        do { data = try ERC20Call.balanceOf(owner) } catch { throw .calldata(error) }
        return try await uint(call: token, data: data, at: block)
    }

    /// Why a mined transaction failed: the same call replayed at the block before it (where its state began).
    func replay(_ transaction: EthereumTransaction, atBlock block: UInt64) async throws(SwapError) -> RevertReason? {
        let request: [String: JSONValue] = [
            "from": .string(wallet.checksummed), "to": .string(transaction.to?.checksummed ?? ""),
            "data": .string(HexData.format(transaction.data)), "gas": .string(Quantity.format(transaction.gasLimit)),
        ]
        do {
            _ = try await client.call("eth_call", [.object(request), .string(Quantity.format(BigUInt(block)))])
            return nil
        } catch {
            if case .rpc(let object) = error { return NodeCallError(object).revert(errors: errors) }
            throw .node(error)
        }
    }

    /// The swap's fill among the receipt's logs of `pool` (a Balancer Vault's: the one of the plan's pool id).
    func fill(in receipt: TransactionReceipt, pool: EthereumAddress, venue: SwapPlan.Venue, hash: [UInt8]) throws(SwapError)
        -> SwapFill {
        for log in receipt.logs where log.address == pool {
            do {
                if let fill = try SwapFill.decode(address: log.address, topics: log.topics, data: log.data),
                   venue.owns(fill) {
                    return fill
                }
            } catch { throw .swapLog(error) }
        }
        throw .noSwapLog(pool: pool, hash: hash)
    }
}
