import BigInt
import DexterCrypto

/// dexter's exact-input quote from a pool state read from the chain, held against the chain's own quote at the same
/// block: QuoterV2's `quoteExactInputSingle` for V3, the router's `getAmountsOut` for V2. They must agree to the wei
/// (and for V3, on the price after the swap too); any difference is an alert carrying both numbers, and the quote is
/// not returned.
public struct QuoteParity: Sendable {
    public let client: EVMRPCClient

    public init(client: EVMRPCClient) { self.client = client }

    /// One exact-input swap to check: `amountIn` of `tokenIn`.
    public struct Swap: Sendable, Hashable {
        public let tokenIn: EthereumAddress
        public let amountIn: BigUInt

        public init(tokenIn: EthereumAddress, amountIn: BigUInt) {
            self.tokenIn = tokenIn
            self.amountIn = amountIn
        }
    }

    /// The V3 quotes of `swaps` from `state`, each equal to QuoterV2's at `state.block` (one batch of quoter calls).
    public func v3(_ state: V3PoolState, quoter: EthereumAddress, swaps: [Swap])
        async throws(QuoteParityError) -> [V3PoolState.Quote] {
        var ours: [V3PoolState.Quote] = []
        for swap in swaps {
            do {
                ours.append(try state.quoteExactInput(swap.amountIn, tokenIn: swap.tokenIn))
            } catch {
                throw .dexterRefused(pool: state.name, amountIn: swap.amountIn, reason: error.description)
            }
        }
        let calls = swaps.map { swap in
            let tokenOut = swap.tokenIn == state.token0.address ? state.token1.address : state.token0.address
            return try! ContractCall(quoter, "quoteExactInputSingle", [
                (.tuple([.address, .address, .uint(bits: 256), .uint(bits: 24), .uint(bits: 160)]),
                 .tuple([.address(swap.tokenIn), .address(tokenOut), .uint(swap.amountIn), .uint(BigUInt(state.fee)),
                         .uint(0)])),
            ], returns: [.uint(bits: 256), .uint(bits: 160), .uint(bits: 32), .uint(bits: 256)])
        }
        let theirs: [[ABIValue]]
        do throws(EVMRPCError) { theirs = try await client.read(calls, at: state.block) } catch {
            throw .chainFailed(pool: state.name, error)
        }
        for (index, swap) in swaps.enumerated() {
            let chainOut = ABIRead.uint(theirs[index][0]) ?? 0, chainPrice = ABIRead.uint(theirs[index][1]) ?? 0
            if chainOut != ours[index].amountOut || chainPrice != ours[index].sqrtPriceX96After {
                throw .mismatch(ParityAlert(
                    pool: state.name, address: state.address, block: state.block, tokenIn: swap.tokenIn,
                    amountIn: swap.amountIn, source: "QuoterV2.quoteExactInputSingle", dexterOut: ours[index].amountOut,
                    chainOut: chainOut, dexterSqrtPriceAfter: ours[index].sqrtPriceX96After, chainSqrtPriceAfter: chainPrice))
            }
        }
        return ours
    }

    /// The V2 quotes of `swaps` from `state`, each equal to `router.getAmountsOut(amountIn, [tokenIn, tokenOut])`.
    public func v2(_ state: V2PairState, router: EthereumAddress, swaps: [Swap]) async throws(QuoteParityError) -> [BigUInt] {
        let name = "\(state.dex) \(state.pairName)"
        var ours: [BigUInt] = []
        for swap in swaps {
            do {
                ours.append(try state.amountOut(swap.amountIn, tokenIn: swap.tokenIn))
            } catch {
                throw .dexterRefused(pool: name, amountIn: swap.amountIn, reason: "\(error)")
            }
        }
        let calls = swaps.map { swap in
            let tokenOut = swap.tokenIn == state.token0.address ? state.token1.address : state.token0.address
            return try! ContractCall(router, "getAmountsOut", [
                (.uint(bits: 256), .uint(swap.amountIn)),
                (.array(.address, count: nil), .array([.address(swap.tokenIn), .address(tokenOut)])),
            ], returns: [.array(.uint(bits: 256), count: nil)])
        }
        let theirs: [[ABIValue]]
        do throws(EVMRPCError) { theirs = try await client.read(calls, at: state.block) } catch {
            throw .chainFailed(pool: name, error)
        }
        for (index, swap) in swaps.enumerated() {
            guard case .array(let amounts) = theirs[index][0], amounts.count == 2, let chainOut = ABIRead.uint(amounts[1])
            else { throw .chainFailed(pool: name, .malformed(endpoint: "", method: "getAmountsOut", field: "result",
                                                             problem: "not two amounts")) }
            if chainOut != ours[index] {
                throw .mismatch(ParityAlert(
                    pool: name, address: state.address, block: state.block, tokenIn: swap.tokenIn, amountIn: swap.amountIn,
                    source: "getAmountsOut", dexterOut: ours[index], chainOut: chainOut, dexterSqrtPriceAfter: nil,
                    chainSqrtPriceAfter: nil))
            }
        }
        return ours
    }
}

/// dexter's quote and the chain's disagree: both numbers, the pool, the block, the swap.
public struct ParityAlert: Sendable, Hashable, CustomStringConvertible {
    public let pool: String
    public let address: EthereumAddress
    public let block: UInt64
    public let tokenIn: EthereumAddress
    public let amountIn: BigUInt
    /// Which chain quote: "QuoterV2.quoteExactInputSingle", "getAmountsOut".
    public let source: String
    public let dexterOut: BigUInt
    public let chainOut: BigUInt
    public let dexterSqrtPriceAfter: BigUInt?
    public let chainSqrtPriceAfter: BigUInt?

    public var description: String {
        var text = "\(pool) at block \(block): \(amountIn) of \(tokenIn) in → dexter \(dexterOut), \(source) \(chainOut)"
        if let ours = dexterSqrtPriceAfter, let theirs = chainSqrtPriceAfter, ours != theirs {
            text += "; sqrtPriceX96 after: dexter \(ours), chain \(theirs)"
        }
        return text
    }
}

public enum QuoteParityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Both quoted, and the numbers differ: dexter's state is not the chain's. Not a trade.
    case mismatch(ParityAlert)
    /// dexter's state cannot price the swap (past the ticks read, more than the pool holds).
    case dexterRefused(pool: String, amountIn: BigUInt, reason: String)
    /// The chain's quote failed (a revert, no answer).
    case chainFailed(pool: String, EVMRPCError)

    public var description: String {
        switch self {
        case .mismatch(let alert): "quote parity alert: \(alert)"
        case .dexterRefused(let pool, let amount, let reason): "\(pool): dexter cannot quote \(amount) in: \(reason)"
        case .chainFailed(let pool, let error): "\(pool): the chain's quote failed: \(error)"
        }
    }
}
