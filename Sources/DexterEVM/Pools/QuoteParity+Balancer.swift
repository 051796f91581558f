import BigInt
import DexterCrypto

extension QuoteParity {
    /// The Balancer V2 quotes of `swaps` (exact input, `tokenIn` to `tokenOut` of the pool) from `state`, each equal to
    /// the Vault's own `queryBatchSwap(GIVEN_IN, [one step], [tokenIn, tokenOut], funds)` at `state.block`: the
    /// negated delta of the token out is what the swap pays.
    public func balancer(_ state: BalancerPoolState, vault: EthereumAddress,
                         swaps: [(swap: Swap, tokenOut: EthereumAddress)]) async throws(QuoteParityError) -> [BigUInt] {
        var ours: [BigUInt] = []
        for (swap, tokenOut) in swaps {
            guard let i = state.index(of: swap.tokenIn), let j = state.index(of: tokenOut), i != j else {
                throw .dexterRefused(pool: state.name, amountIn: swap.amountIn,
                                     reason: "\(swap.tokenIn) → \(tokenOut): not two of its tokens")
            }
            do { ours.append(try state.amountOut(i: i, j: j, amountIn: swap.amountIn)) } catch {
                throw .dexterRefused(pool: state.name, amountIn: swap.amountIn, reason: "\(error)")
            }
        }
        let step = ABIType.tuple([.fixedBytes(32), .uint(bits: 256), .uint(bits: 256), .uint(bits: 256), .bytes])
        let funds = ABIType.tuple([.address, .bool, .address, .bool])
        let calls = swaps.map { swap, tokenOut in
            try! ContractCall(vault, "queryBatchSwap", [
                (.uint(bits: 8), .uint(0)),  // SwapKind.GIVEN_IN
                (.array(step, count: nil),
                 .array([.tuple([.fixedBytes(state.poolId), .uint(0), .uint(1), .uint(swap.amountIn), .bytes([])])])),
                (.array(.address, count: nil), .array([.address(swap.tokenIn), .address(tokenOut)])),
                (funds, .tuple([.address(vault), .bool(false), .address(vault), .bool(false)])),
            ], returns: [.array(.int(bits: 256), count: nil)])
        }
        let theirs: [[ABIValue]]
        do throws(EVMRPCError) { theirs = try await client.read(calls, at: state.block) } catch {
            throw .chainFailed(pool: state.name, error)
        }
        for (index, entry) in swaps.enumerated() {
            guard case .array(let deltas) = theirs[index][0], deltas.count == 2, let delta = ABIRead.int(deltas[1]),
                  delta <= 0 else {
                throw .chainFailed(pool: state.name, .malformed(endpoint: "", method: "queryBatchSwap", field: "result",
                                                                problem: "not two deltas, the second paid out"))
            }
            if delta.magnitude != ours[index] {
                throw .mismatch(ParityAlert(
                    pool: state.name, address: state.address, block: state.block, tokenIn: entry.swap.tokenIn,
                    amountIn: entry.swap.amountIn, source: "Vault.queryBatchSwap", dexterOut: ours[index],
                    chainOut: delta.magnitude, dexterSqrtPriceAfter: nil, chainSqrtPriceAfter: nil))
            }
        }
        return ours
    }
}
