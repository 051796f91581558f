import BigInt
import DexterCrypto

extension QuoteParity {
    /// The Curve quotes of `swaps` (`tokenIn` to `tokenOut`, both coins of the pool) from `state`, each equal to the
    /// pool's own `get_dy(i, j, dx)` at `state.block` (one batch). Returned is what `exchange` would pay, which is
    /// what a trade gets; the check holds dexter's `get_dy` against the chain's, in whichever of Curve's two
    /// generations of rounding the pool uses (`CurvePoolState.GetDy`).
    public func curve(_ state: CurvePoolState, swaps: [(swap: Swap, tokenOut: EthereumAddress)])
        async throws(QuoteParityError) -> [BigUInt] {
        var ours: [(i: Int, j: Int, getDy: CurvePoolState.GetDy, exchange: BigUInt)] = []
        for (swap, tokenOut) in swaps {
            guard let i = state.index(of: swap.tokenIn), let j = state.index(of: tokenOut), i != j else {
                throw .dexterRefused(pool: state.name, amountIn: swap.amountIn,
                                     reason: "\(swap.tokenIn) → \(tokenOut): not two of its coins")
            }
            do {
                ours.append((i, j, try state.getDy(i: i, j: j, dx: swap.amountIn),
                             try state.exchangeOut(i: i, j: j, dx: swap.amountIn)))
            } catch {
                throw .dexterRefused(pool: state.name, amountIn: swap.amountIn, reason: "\(error)")
            }
        }
        let calls = zip(swaps, ours).map { entry, ours in
            try! ContractCall(state.address, "get_dy", [(.int(bits: 128), .int(BigInt(ours.i))),
                                                       (.int(bits: 128), .int(BigInt(ours.j))),
                                                       (.uint(bits: 256), .uint(entry.swap.amountIn))],
                              returns: [.uint(bits: 256)])
        }
        let theirs: [[ABIValue]]
        do throws(EVMRPCError) { theirs = try await client.read(calls, at: state.block) } catch {
            throw .chainFailed(pool: state.name, error)
        }
        for (index, entry) in swaps.enumerated() {
            let chainOut = ABIRead.uint(theirs[index][0]) ?? 0
            let quote = ours[index].getDy
            if !quote.matches(chainOut) {
                let dexterOut = quote.scaledBeforeFee == quote.feeBeforeScaling || chainOut > quote.feeBeforeScaling
                    ? quote.scaledBeforeFee : quote.feeBeforeScaling
                throw .mismatch(ParityAlert(
                    pool: state.name, address: state.address, block: state.block, tokenIn: entry.swap.tokenIn,
                    amountIn: entry.swap.amountIn, source: "get_dy(\(ours[index].i),\(ours[index].j))",
                    dexterOut: dexterOut, chainOut: chainOut, dexterSqrtPriceAfter: nil, chainSqrtPriceAfter: nil))
            }
        }
        return ours.map(\.exchange)
    }
}
