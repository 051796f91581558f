import BigInt
import DexterCore
import DexterCrypto

/// The aggregator that answered.
public enum AggregatorSource: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case oneInch = "1inch"
    case zeroEx = "0x"

    public var description: String { rawValue }
}

/// A transaction an aggregator built for a swap. dexter never sends it as it came: like any swap, it is simulated with
/// `eth_call` at the latest block first, and every address it pays is screened by the deny-list.
public struct AggregatorTransaction: Sendable, Hashable {
    /// The sender the API built it for (1inch echoes `from`; 0x builds for the `taker` and does not echo it).
    public let from: EthereumAddress?
    public let to: EthereumAddress
    public let data: [UInt8]
    /// Native value sent with it, in wei.
    public let value: BigUInt
    /// The API's gas limit for it, when it gave one.
    public let gas: BigUInt?
    /// The API's gas price (legacy, in wei), when it gave one: a hint, dexter prices gas itself.
    public let gasPrice: BigUInt?

    public init(from: EthereumAddress?, to: EthereumAddress, data: [UInt8], value: BigUInt, gas: BigUInt?,
                gasPrice: BigUInt?) {
        self.from = from
        self.to = to
        self.data = data
        self.value = value
        self.gas = gas
        self.gasPrice = gasPrice
    }
}

/// Something the API found that would make its transaction fail as it stands (0x's `issues`).
public enum AggregatorIssue: Sendable, Hashable {
    /// The taker's allowance to `spender` is `actual`, too little for the sell amount.
    case allowance(spender: EthereumAddress, actual: BigUInt)
    /// The taker holds `actual` of `token`, less than the `expected` the swap takes.
    case balance(token: EthereumAddress, actual: BigUInt, expected: BigUInt)
    /// The API could not simulate the swap to the end: its amounts are less certain.
    case simulationIncomplete
    /// Liquidity sources the request named that the API does not know.
    case invalidSourcesPassed([String])
}

/// One aggregator's answer to "what do I get for `sellAmount` of `sellToken`": exact base units, never scaled.
/// A price source for the reference price, with its own freshness (`receivedAt`), and, from a firm quote, a
/// transaction the desk may execute after simulating it.
public struct AggregatorQuote: Sendable, Hashable {
    public let source: AggregatorSource
    public let chainId: UInt64
    public let sellToken: EthereumAddress
    public let buyToken: EthereumAddress
    /// Base units of `sellToken` sold.
    public let sellAmount: BigUInt
    /// Base units of `buyToken` the route returns at the API's own estimate.
    public let buyAmount: BigUInt
    /// The least the transaction accepts after slippage, where the API says it (0x's `minBuyAmount`); 1inch puts it
    /// only inside the calldata, so nil there.
    public let minimumBuyAmount: BigUInt?
    /// The API's gas estimate for the swap, when it gave one.
    public let gas: BigUInt?
    /// The liquidity sources of the route, as the API names them ("UNISWAP_V3", "Uniswap_V3"…).
    public let route: [String]
    public let issues: [AggregatorIssue]
    /// When dexter read the answer, from the client's clock: a quote's freshness is measured from here.
    public let receivedAt: Timestamp
    public let transaction: AggregatorTransaction?

    public init(source: AggregatorSource, chainId: UInt64, sellToken: EthereumAddress, buyToken: EthereumAddress,
                sellAmount: BigUInt, buyAmount: BigUInt, minimumBuyAmount: BigUInt?, gas: BigUInt?, route: [String],
                issues: [AggregatorIssue], receivedAt: Timestamp, transaction: AggregatorTransaction?) {
        self.source = source
        self.chainId = chainId
        self.sellToken = sellToken
        self.buyToken = buyToken
        self.sellAmount = sellAmount
        self.buyAmount = buyAmount
        self.minimumBuyAmount = minimumBuyAmount
        self.gas = gas
        self.route = route
        self.issues = issues
        self.receivedAt = receivedAt
        self.transaction = transaction
    }

    /// How old the quote is at `now`.
    public func age(at now: Timestamp) -> Duration { now.duration(since: receivedAt) }
}
