import BigInt
import DexterCrypto

/// One exact-input swap to send: which router and pool, how much in, the quote it was approved at and the slippage
/// bound that turns the quote into amountOutMinimum.
public struct SwapPlan: Sendable, Hashable {
    public enum Venue: Sendable, Hashable {
        /// Uniswap V3 SwapRouter `exactInputSingle` through the pool of fee tier `fee`.
        case uniswapV3Single(router: EthereumAddress, fee: UInt32)
        /// Uniswap V3 SwapRouter `exactInput` along a path of pools; `pool` is the last one (it pays tokenOut).
        case uniswapV3Path(router: EthereumAddress, path: V3Path)
        /// A V2 Router02 `swapExactTokensForTokens` along tokenIn → tokenOut.
        case uniswapV2(router: EthereumAddress)
        /// A Curve pool's own `exchange(i, j, dx, min_dy)` (coin indices in the pool's order): exact input only.
        case curve(pool: EthereumAddress, i: Int, j: Int)
        /// A Balancer V2 Vault's `swap` through the pool `poolId`: GIVEN_IN, or GIVEN_OUT for an exact output.
        case balancerVault(vault: EthereumAddress, poolId: [UInt8])

        /// The contract called, and the one the wallet's allowance goes to.
        public var router: EthereumAddress {
            switch self {
            case .uniswapV3Single(let router, _), .uniswapV3Path(let router, _), .uniswapV2(let router): router
            case .curve(let pool, _, _): pool
            case .balancerVault(let vault, _): vault
            }
        }

        /// Whether a fill in the receipt is this swap's: a Curve exchange between its two coins, a Vault swap of its
        /// pool; a Uniswap pool's Swap log is its own.
        func owns(_ fill: SwapFill) -> Bool {
            switch self {
            case .uniswapV3Single, .uniswapV3Path, .uniswapV2: fill.vaultSwap == nil
            case .curve(_, let i, let j): fill.vaultSwap == nil && fill.tokenInIndex == i && fill.tokenOutIndex == j
            case .balancerVault(_, let poolId): fill.vaultSwap?.poolId == poolId
            }
        }
    }

    public var venue: Venue
    /// The pool or pair whose Swap log tells what was filled (of a path, the last: its amount out is the swap's).
    public var pool: EthereumAddress
    public var tokenIn: EthereumAddress
    public var tokenOut: EthereumAddress
    public var amountIn: BigUInt
    /// The output the trade was approved at (QuoterV2 or getAmountsOut, to the wei).
    public var quotedOut: BigUInt
    public var slippage: SlippageBound
    /// Seconds after the latest block's timestamp.
    public var deadlineWindow: UInt64
    public var recipient: EthereumAddress
    /// Set for a buy of an exact quantity: exactly this much of tokenOut, paying at most `amountIn` (V3
    /// `exactOutputSingle`, V2 `swapTokensForExactTokens`); `quotedOut` and the slippage bound are then unused.
    public var exactOutput: BigUInt?

    public init(venue: Venue, pool: EthereumAddress, tokenIn: EthereumAddress, tokenOut: EthereumAddress, amountIn: BigUInt,
                quotedOut: BigUInt, slippage: SlippageBound, deadlineWindow: UInt64 = 120, recipient: EthereumAddress) {
        self.venue = venue
        self.pool = pool
        self.tokenIn = tokenIn
        self.tokenOut = tokenOut
        self.amountIn = amountIn
        self.quotedOut = quotedOut
        self.slippage = slippage
        self.deadlineWindow = deadlineWindow
        self.recipient = recipient
    }

    public var amountOutMinimum: BigUInt { exactOutput ?? slippage.minimumOutput(quote: quotedOut) }

    /// An exact-output swap: exactly `amountOut` of `tokenOut` for at most `amountInMaximum` of `tokenIn`.
    public static func buying(_ amountOut: BigUInt, of tokenOut: EthereumAddress, payingAtMost amountInMaximum: BigUInt,
                              of tokenIn: EthereumAddress, venue: Venue, pool: EthereumAddress, deadlineWindow: UInt64 = 120,
                              recipient: EthereumAddress) -> SwapPlan {
        var plan = SwapPlan(venue: venue, pool: pool, tokenIn: tokenIn, tokenOut: tokenOut, amountIn: amountInMaximum,
                            quotedOut: amountOut, slippage: .none, deadlineWindow: deadlineWindow, recipient: recipient)
        plan.exactOutput = amountOut
        return plan
    }

    /// The router call, with amountOutMinimum from the bound and the deadline after `blockTimestamp`.
    public func calldata(blockTimestamp: BigUInt) throws(SwapCallError) -> [UInt8] {
        let deadline = SwapDeadline.after(blockTimestamp: blockTimestamp, window: deadlineWindow)
        if let amountOut = exactOutput {
            switch venue {
            case .uniswapV3Single(_, let fee):
                return try SwapRouterV3.ExactOutputSingle(tokenIn: tokenIn, tokenOut: tokenOut, fee: fee, recipient: recipient,
                                                          deadline: deadline, amountOut: amountOut,
                                                          amountInMaximum: amountIn).calldata()
            case .uniswapV3Path:
                throw .encoding("an exact-output swap along a V3 path is not built (its path runs backwards)")
            case .uniswapV2:
                return try RouterV2.swapTokensForExactTokens(amountOut: amountOut, amountInMax: amountIn,
                                                             path: [tokenIn, tokenOut], to: recipient, deadline: deadline)
            case .curve:
                throw .encoding("a Curve pool has no exact-output exchange: buy with the smallest input that pays enough")
            case .balancerVault(_, let poolId):
                return try BalancerVault.swap(poolId: poolId, kind: .givenOut, assetIn: tokenIn, assetOut: tokenOut,
                                              amount: amountOut, sender: recipient, recipient: recipient, limit: amountIn,
                                              deadline: deadline)
            }
        }
        switch venue {
        case .uniswapV3Single(_, let fee):
            return try SwapRouterV3.ExactInputSingle(tokenIn: tokenIn, tokenOut: tokenOut, fee: fee, recipient: recipient,
                                                     deadline: deadline, amountIn: amountIn,
                                                     amountOutMinimum: amountOutMinimum).calldata()
        case .uniswapV3Path(_, let path):
            guard path.tokens.first == tokenIn, path.tokens.last == tokenOut else {
                throw .pathEnds(from: path.tokens[0], to: path.tokens[path.tokens.count - 1])
            }
            return try SwapRouterV3.ExactInput(path: path, recipient: recipient, deadline: deadline, amountIn: amountIn,
                                               amountOutMinimum: amountOutMinimum).calldata()
        case .uniswapV2:
            return try RouterV2.swapExactTokensForTokens(amountIn: amountIn, amountOutMin: amountOutMinimum,
                                                         path: [tokenIn, tokenOut], to: recipient, deadline: deadline)
        case .curve(_, let i, let j):
            return try CurvePoolCall.exchange(i: i, j: j, dx: amountIn, minDy: amountOutMinimum)
        case .balancerVault(_, let poolId):
            return try BalancerVault.swap(poolId: poolId, kind: .givenIn, assetIn: tokenIn, assetOut: tokenOut,
                                          amount: amountIn, sender: recipient, recipient: recipient,
                                          limit: amountOutMinimum, deadline: deadline)
        }
    }
}

/// How much allowance to grant a router when it has too little: the amount of this swap, or all (approved once).
public enum ApprovalPolicy: Sendable, Hashable {
    case exactAmount
    case unlimited

    func amount(for needed: BigUInt) -> BigUInt { self == .unlimited ? (BigUInt(1) << 256) - 1 : needed }
}

/// What the trader is told while a swap goes out, in order.
public enum SwapEvent: Sendable, Hashable {
    /// The wallet held too little of the wrapped gas token: `amount` of the gas token was wrapped (mined).
    case wrapped(token: EthereumAddress, amount: BigUInt, hash: [UInt8], route: SubmissionRoute)
    /// The router's allowance was short: an approval was sent.
    case approvalSent(token: EthereumAddress, spender: EthereumAddress, amount: BigUInt, hash: [UInt8], route: SubmissionRoute)
    case approvalConfirmed(token: EthereumAddress, hash: [UInt8], block: UInt64)
    /// The signed swap ran at the latest block without reverting.
    case simulated(gasLimit: BigUInt, maxFeePerGas: BigUInt, amountOutMinimum: BigUInt)
    /// A transaction the swap needs first (an approval, a wrap) is signed, about to be sent: its gas is the swap's
    /// to account for, whatever happens next.
    case sideTransactionSigned(hash: [UInt8])
    /// Signed, about to be sent: its hash, nonce and bytes, before any node has seen it.
    case signed(hash: [UInt8], nonce: BigUInt, raw: [UInt8])
    case sent(hash: [UInt8], nonce: BigUInt, route: SubmissionRoute)
    case mined(hash: [UInt8], block: UInt64)
    case confirmed(hash: [UInt8], confirmations: UInt64)
}

/// How a sent swap ended.
public enum SwapOutcome: Sendable, Hashable {
    /// Mined with status 1: the pool's Swap log and the recipient's balance change of tokenOut.
    case filled(SwapFill, balanceChange: BigUInt)
    /// Mined with status 0: the reason, replayed at the block before (nil when the replay does not revert there).
    case failed(RevertReason?)
    /// A cancel of ours (a 0-value transfer to the wallet at the swap's nonce) was mined instead: nothing traded,
    /// the cancel's gas spent.
    case canceled
}

public struct SwapResult: Sendable, Hashable {
    public let hash: [UInt8]
    public let nonce: BigUInt
    public let route: SubmissionRoute
    public let receipt: TransactionReceipt
    public let outcome: SwapOutcome
    public let fees: FeeQuote
}

/// Why a swap was not sent, or did not end as sent.
public enum SwapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// eth_estimateGas or the eth_call of the signed transaction reverted: the trade is refused with the reason.
    case refused(stage: String, reason: RevertReason)
    case calldata(SwapCallError)
    case fees(FeeError)
    case submission(SubmissionError)
    case node(EVMRPCError)
    case signing(Secp256k1.Failure)
    /// The approval transaction was mined with status 0, or not mined.
    case approvalFailed(token: EthereumAddress, hash: [UInt8], state: String)
    /// The wrapping deposit was mined with status 0, or not mined.
    case wrapFailed(token: EthereumAddress, hash: [UInt8], state: String)
    /// Not `depth` blocks deep after the polls allowed (the last state is kept, the nonce stays pending).
    case notConfirmed(hash: [UInt8], state: TransactionState)
    /// Mined, status 1, but no Swap log of the pool: something other than the planned swap happened.
    case noSwapLog(pool: EthereumAddress, hash: [UInt8])
    case swapLog(SwapFill.Undecodable)
    /// A speed-up or cancel of a nonce where nothing of ours is pending.
    case nothingPending(nonce: BigUInt)

    public var description: String {
        switch self {
        case .refused(let stage, let reason): "swap refused: \(stage) \(reason)"
        case .calldata(let error): "swap calldata: \(error)"
        case .fees(let error): "swap fees: \(error)"
        case .submission(let error): "swap not sent: \(error)"
        case .node(let error): "swap: \(error)"
        case .signing(let error): "swap signing: \(error)"
        case .approvalFailed(let token, let hash, let state): "approval of \(token) (\(Hex.encode(hash))) \(state)"
        case .wrapFailed(let token, let hash, let state): "wrapping into \(token) (\(Hex.encode(hash))) \(state)"
        case .notConfirmed(let hash, let state): "swap \(Hex.encode(hash)) not confirmed: \(state)"
        case .noSwapLog(let pool, let hash): "swap \(Hex.encode(hash)) succeeded without a Swap log of \(pool)"
        case .swapLog(let error): "swap: \(error)"
        case .nothingPending(let nonce): "nothing of ours is pending at nonce \(nonce)"
        }
    }
}
