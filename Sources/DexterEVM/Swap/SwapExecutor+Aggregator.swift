import BigInt
import DexterCrypto

extension SwapExecutor {
    /// Sends a checked aggregator transaction the way `execute(_:patience:report:)` sends a direct swap: the wrapped
    /// gas token wrapped when it is sold and short, the spender approved when short, eth_estimateGas and the eth_call
    /// of the signed transaction at the latest block (a revert refuses it with the decoded reason), the nonce, the
    /// configured route, the confirmations. The fill is the Transfer logs of the receipt.
    public func execute(_ swap: AggregatorSwapPlan, patience: Patience,
                        report: @Sendable (SwapEvent) async -> Void = { _ in }) async throws(SwapError) -> SwapResult {
        if let wrappedNative, swap.tokenIn == wrappedNative {
            try await ensureWrapped(wrappedNative, needed: swap.amountIn, patience: patience, report: report)
        }
        try await ensureAllowance(token: swap.tokenIn, spender: swap.spender, needed: swap.amountIn, patience: patience,
                                  report: report)
        let latest = try await node { () async throws(EVMRPCError) in try await FeeBlock.latest(client) }
        let call = swap.transaction
        let (transaction, fees, balanceBefore, hash, route) = try await simulateAndSend(
            to: call.to, data: call.data, value: call.value, latest: latest, amountOutMinimum: swap.minimumOut,
            recipient: swap.recipient, tokenOut: swap.tokenOut, report: report)
        let receipt = try await confirm(hash, nonce: transaction.nonce, patience: patience, report: report)
        let moved = TransferFill(receipt.logs, tokenIn: swap.tokenIn, tokenOut: swap.tokenOut, wallet: swap.recipient)
        if canceled(receipt, sent: hash, nonce: transaction.nonce, unknownMeansCanceled: moved.amountIn == 0) {
            // A cancel took the nonce (a 0-value transfer to ourselves): nothing was sold.
            return SwapResult(hash: receipt.transactionHash, nonce: transaction.nonce, route: route, receipt: receipt,
                              outcome: .canceled, fees: fees)
        }
        guard receipt.succeeded else {
            let reason = try await replay(transaction, atBlock: receipt.blockNumber - 1)
            return SwapResult(hash: hash, nonce: transaction.nonce, route: route, receipt: receipt, outcome: .failed(reason),
                              fees: fees)
        }
        let balanceAfter = try await balance(of: swap.recipient, token: swap.tokenOut, at: receipt.blockNumber)
        let change = balanceAfter >= balanceBefore ? balanceAfter - balanceBefore : 0
        let fill = SwapFill(pool: call.to, amountIn: moved.amountIn, tokenInIndex: 0, amountOut: moved.amountOut,
                            sqrtPriceX96After: nil)
        return SwapResult(hash: receipt.transactionHash, nonce: transaction.nonce, route: route, receipt: receipt,
                          outcome: .filled(fill, balanceChange: change), fees: fees)
    }
}
