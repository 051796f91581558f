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
        let (hash, route, _) = try await sendAndConfirm(to: token, data: WETHCall.deposit, value: shortfall, patience: patience,
                                                        signed: { await report(.sideTransactionSigned(hash: $0)) }) {
            hash, state in .wrapFailed(token: token, hash: hash, state: state)
        }
        await report(.wrapped(token: token, amount: shortfall, hash: hash, route: route))
    }
}
