import BigInt
import DexterCrypto

extension SwapExecutor {
    /// Wraps the gas token into `token` (WETH9 `deposit()` with value) when the wallet holds less than `needed` of it:
    /// only the shortfall, and waits for it to be mined. The wallet's gas-token balance must cover it; if not, the
    /// node's estimate says so (a node error, not a revert).
    func ensureWrapped(_ token: EthereumAddress, needed: BigUInt, patience: Patience,
                       report: @Sendable (SwapEvent) async -> Void) async throws(SwapError) {
        let held = try await balance(of: wallet, token: token, at: nil)
        guard held < needed else { return }
        let shortfall = needed - held
        let latest = try await node { () async throws(EVMRPCError) in try await FeeBlock.latest(client) }
        let (transaction, hash, route) = try await oneAtATime { () async throws(SwapError) in
            let (transaction, _) = try await prepare(to: token, data: WETHCall.deposit, value: shortfall, latest: latest)
            let (hash, route) = try await send(transaction, purpose: .original, latestBlock: latest.number)
            return (transaction, hash, route)
        }
        let receipt: TransactionReceipt
        do {
            receipt = try await confirm(hash, nonce: transaction.nonce,
                                        patience: Patience(confirmations: 1, polls: patience.polls, pause: patience.pause),
                                        report: { _ in })
        } catch {
            throw .wrapFailed(token: token, hash: hash, state: "\(error)")
        }
        guard receipt.succeeded else { throw .wrapFailed(token: token, hash: hash, state: "mined with status 0") }
        await report(.wrapped(token: token, amount: shortfall, hash: hash, route: route))
    }
}
