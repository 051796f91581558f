import BigInt
import DexterCrypto

/// Where an aggregator's transactions may go on a chain, and which contract the wallet approves for them.
public struct AggregatorContracts: Sendable, Hashable {
    /// A transaction's `to` must be this, or nothing is signed.
    public var router: EthereumAddress
    /// The contract that takes the sold token's allowance.
    public var spender: EthereumAddress

    public init(router: EthereumAddress, spender: EthereumAddress) {
        self.router = router
        self.spender = spender
    }

    /// 1inch's AggregationRouterV6, the same address on every chain it serves (portal.1inch.dev: it is both the
    /// swap's `to` and the spender); 0x's AllowanceHolder on Cancun chains (0x.org/docs "Contracts": with
    /// /swap/allowance-holder it is both the entry point, `transaction.to`, and the allowance target).
    public static func documented(_ source: AggregatorSource) -> AggregatorContracts {
        switch source {
        case .oneInch:
            let router = try! EthereumAddress(parsing: "0x111111125421cA6dc452d289314280a0f8842A65")
            return AggregatorContracts(router: router, spender: router)
        case .zeroEx:
            let holder = try! EthereumAddress(parsing: "0x0000000000001fF3684f28c67538d4D072C22734")
            return AggregatorContracts(router: holder, spender: holder)
        }
    }
}

/// An aggregator's swap transaction, checked against what the desk asked for before anything is signed: sent like a
/// direct swap (approval once, `eth_call` at the latest block, nonce, route, confirmations), its fill read from the
/// receipt's ERC-20 Transfer logs.
public struct AggregatorSwapPlan: Sendable, Hashable {
    public let source: AggregatorSource
    public let transaction: AggregatorTransaction
    public let spender: EthereumAddress
    public let tokenIn: EthereumAddress
    public let tokenOut: EthereumAddress
    public let amountIn: BigUInt
    /// What the API quoted out.
    public let quotedOut: BigUInt
    /// The least the order takes (quantity × limit): the transaction's own minimum is at least this.
    public let minimumOut: BigUInt
    public let recipient: EthereumAddress

    /// Checks `quote` and its transaction: the trade asked for (tokens, amount, chain, sender), `to` the configured
    /// router and not denied (`screen` says why an address is denied, nil when it is not), no native value with an
    /// ERC-20 sell, calldata present, a quoted amount and a minimum (0x says it; 1inch's is set by the slippage
    /// dexter asked for, `slippageBps`) at least `minimumOut`.
    public static func checked(_ quote: AggregatorQuote, sell tokenIn: EthereumAddress, buy tokenOut: EthereumAddress,
                               amountIn: BigUInt, minimumOut: BigUInt, slippageBps: Int, chainId: UInt64,
                               wallet: EthereumAddress, contracts: AggregatorContracts,
                               screen: (EthereumAddress) -> String?) throws(AggregatorRefusal) -> AggregatorSwapPlan {
        let source = quote.source
        guard let transaction = quote.transaction else { throw .noTransaction(source) }
        guard quote.chainId == chainId else { throw .otherChain(source, quoted: quote.chainId, chain: chainId) }
        guard quote.sellToken == tokenIn, quote.buyToken == tokenOut, quote.sellAmount == amountIn else {
            throw .otherTrade(source, "\(quote.sellAmount) \(quote.sellToken) → \(quote.buyToken), asked \(amountIn) "
                              + "\(tokenIn) → \(tokenOut)")
        }
        if let from = transaction.from, from != wallet { throw .otherSender(source, from) }
        guard transaction.to == contracts.router else {
            throw .notTheRouter(source, to: transaction.to, router: contracts.router)
        }
        for address in Set([transaction.to, contracts.spender]) {
            if let why = screen(address) { throw .denied(source, address, reason: why) }
        }
        guard transaction.value == 0 else { throw .paysValue(source, transaction.value) }
        guard transaction.data.count >= 4 else { throw .noCalldata(source) }
        guard quote.buyAmount >= minimumOut else {
            throw .paysTooLittle(source, quoted: quote.buyAmount, required: minimumOut)
        }
        let minimum = quote.minimumBuyAmount ?? quote.buyAmount * BigUInt(10_000 - slippageBps) / 10_000
        guard minimum >= minimumOut else { throw .minimumTooLow(source, minimum: minimum, required: minimumOut) }
        return AggregatorSwapPlan(source: source, transaction: transaction, spender: contracts.spender, tokenIn: tokenIn,
                                  tokenOut: tokenOut, amountIn: amountIn, quotedOut: quote.buyAmount,
                                  minimumOut: minimumOut, recipient: wallet)
    }

    /// The slippage to ask for so that the API's minimum, `quoted × (10000 − bps) ÷ 10000`, stays at or above
    /// `minimumOut`: rounded down, capped at `cap`; nil when the quote is already below the minimum.
    public static func slippageBps(quoted: BigUInt, minimumOut: BigUInt, cap: Int) -> Int? {
        guard quoted > 0, quoted >= minimumOut else { return nil }
        let room = (quoted - minimumOut) * 10_000 / quoted
        return Int(min(room, BigUInt(cap)))
    }
}

/// Why an aggregator's transaction is not signed.
public enum AggregatorRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The answer carried no transaction (a price, or a permit2 quote dexter cannot sign).
    case noTransaction(AggregatorSource)
    /// Built for another chain than the wallet's.
    case otherChain(AggregatorSource, quoted: UInt64, chain: UInt64)
    /// For other tokens or another amount than asked.
    case otherTrade(AggregatorSource, String)
    /// Built for another sender.
    case otherSender(AggregatorSource, EthereumAddress)
    /// Its `to` is not the aggregator's configured router.
    case notTheRouter(AggregatorSource, to: EthereumAddress, router: EthereumAddress)
    /// An address it pays or approves is on the deny-list.
    case denied(AggregatorSource, EthereumAddress, reason: String)
    /// It sends native value with an ERC-20 sell.
    case paysValue(AggregatorSource, BigUInt)
    case noCalldata(AggregatorSource)
    /// The quote is below what the order takes.
    case paysTooLittle(AggregatorSource, quoted: BigUInt, required: BigUInt)
    /// The transaction's own minimum is below what the order takes.
    case minimumTooLow(AggregatorSource, minimum: BigUInt, required: BigUInt)

    public var description: String {
        switch self {
        case .noTransaction(let source): "\(source): the answer has no transaction to send"
        case .otherChain(let source, let quoted, let chain):
            "\(source): built for chain \(quoted), the wallet is on \(chain)"
        case .otherTrade(let source, let what): "\(source): the quote is for another trade (\(what))"
        case .otherSender(let source, let from): "\(source): built for sender \(from), not the desk's wallet"
        case .notTheRouter(let source, let to, let router):
            "\(source): the transaction goes to \(to), not the configured router \(router); nothing was signed"
        case .denied(let source, let address, let reason): "\(source): \(address) is on the deny-list (\(reason))"
        case .paysValue(let source, let value):
            "\(source): the transaction sends \(value) wei of the gas token with a token sell"
        case .noCalldata(let source): "\(source): the transaction has no calldata"
        case .paysTooLittle(let source, let quoted, let required):
            "\(source): quotes \(quoted) out, less than the order's \(required)"
        case .minimumTooLow(let source, let minimum, let required):
            "\(source): the transaction accepts \(minimum) out, less than the order's \(required)"
        }
    }
}
