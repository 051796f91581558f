import BigInt
import DexterCrypto

/// Speed-up, cancel, gap repair and the chain's count: the Orders panel's keys and the engine's periodic check.
extension SwapExecutor {
    /// Market fees now, for a replacement to match if they are above its bump.
    func marketFees() async throws(SwapError) -> (maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt) {
        let latest = try await node { () async throws(EVMRPCError) in try await FeeBlock.latest(client) }
        let history = try await node { () async throws(EVMRPCError) in
            try FeeHistory(try await client.call("eth_feeHistory", ["0x5", "latest", [50]]))
        }
        // A 21,000-gas estimate: only the per-gas fees are used.
        var uncapped = feePolicy
        uncapped.maxFeePerGasCap = (BigUInt(1) << 256) - 1
        do {
            let quote = try FeePlanner.quote(history: history, latestBaseFee: latest.baseFee, latestGasUsed: latest.gasUsed,
                                             latestGasLimit: latest.gasLimit, gasEstimate: 21_000, policy: uncapped)
            return (quote.maxFeePerGas, quote.maxPriorityFeePerGas)
        } catch { throw .fees(error) }
    }

    /// Same nonce, same call, both fees × 1.125 rounded up (or the market's, if higher), capped by the policy; run
    /// by `eth_call` at the latest block first (a swap the market has moved past would only burn the higher fee), and
    /// told to `beforeSubmit` before a byte leaves (whoever must find it after a crash writes it down there). Refused
    /// once a cancel was sent at the nonce: speeding that up would send the swap again.
    public func speedUp(nonce: BigUInt, beforeSubmit: (SentTransaction) async -> Void = { _ in }) async throws(SwapError)
        -> (hash: [UInt8], route: SubmissionRoute, sent: SentTransaction) {
        guard let previous = nonces.attempts(at: nonce).last, let original = pendingTransaction(at: nonce) else {
            throw .nothingPending(nonce: nonce)
        }
        guard previous.purpose != .cancel else { throw .cancelPending(nonce: nonce) }
        let market = try await marketFees()
        let faster: EthereumTransaction
        do { faster = try Replacement.speedUp(original, replacing: previous, market: market, cap: feePolicy.maxFeePerGasCap) } catch {
            throw .fees(error)
        }
        try await simulate(faster)
        let block = try await node { () async throws(EVMRPCError) in try await client.call("eth_blockNumber").uint64() }
        var signed: SentTransaction?
        let (hash, route) = try await send(faster, purpose: .speedUp, latestBlock: block) { sent, _ in
            signed = sent
            await beforeSubmit(sent)
        }
        guard let signed else { throw .nothingPending(nonce: nonce) }
        return (hash, route, signed)
    }

    /// A 0-value transfer to ourselves at the same nonce, fees bumped: the pending swap can no longer be mined. Told to
    /// `beforeSubmit` before a byte leaves, as a speed-up is.
    public func cancel(nonce: BigUInt, beforeSubmit: (SentTransaction) async -> Void = { _ in }) async throws(SwapError)
        -> (hash: [UInt8], route: SubmissionRoute) {
        guard let previous = nonces.attempts(at: nonce).last else {
            throw .nothingPending(nonce: nonce)
        }
        return try await sendCancel(nonce: nonce, replacing: previous, purpose: .cancel, beforeSubmit: beforeSubmit)
    }

    func sendCancel(nonce: BigUInt, replacing previous: SentTransaction?, purpose: SentTransaction.Purpose,
                    beforeSubmit: (SentTransaction) async -> Void = { _ in }) async throws(SwapError)
        -> (hash: [UInt8], route: SubmissionRoute) {
        let market = try await marketFees()
        let cancel: EthereumTransaction
        do {
            cancel = try Replacement.cancel(wallet: wallet, chainId: BigUInt(client.chainId), nonce: nonce, replacing: previous,
                                            market: market, cap: feePolicy.maxFeePerGasCap)
        } catch { throw .fees(error) }
        let block = try await node { () async throws(EVMRPCError) in try await client.call("eth_blockNumber").uint64() }
        return try await send(cancel, purpose: purpose, latestBlock: block) { sent, _ in await beforeSubmit(sent) }
    }

    /// Reads the chain's counts, moves mined nonces aside (and back, after a reorg), and repairs gaps: a nonce of
    /// ours the node lacks while later ones wait is sent again, or filled with a cancel when we hold nothing for it.
    @discardableResult
    public func reconcile() async throws(SwapError) -> (mined: [BigUInt], unmined: [BigUInt], repaired: [GapRepair]) {
        let address = JSONValue.string(wallet.checksummed)
        let latestCount = try await node { () async throws(EVMRPCError) in
            try await client.call("eth_getTransactionCount", [address, "latest"]).quantity()
        }
        let pendingCount = try await node { () async throws(EVMRPCError) in
            try await client.call("eth_getTransactionCount", [address, "pending"]).quantity()
        }
        let moved = nonces.chainCountChanged(to: latestCount)
        let repairs = nonces.gapRepairs(nodePendingCount: pendingCount)
        let block = try await node { () async throws(EVMRPCError) in try await client.call("eth_blockNumber").uint64() }
        for repair in repairs {
            switch repair {
            case .rebroadcast(_, let raw):
                do { _ = try await submitter.submit(raw: raw, latestBlock: block) } catch {
                    // Already known is what a rebroadcast of something the node holds answers: fine.
                    if case .refused(_, .alreadyKnown) = error { continue }
                    throw .submission(error)
                }
            case .fill(let nonce):
                _ = try await sendCancel(nonce: nonce, replacing: nil, purpose: .gapFill)
            }
        }
        return (moved.mined, moved.unmined, repairs)
    }
}
