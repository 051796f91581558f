import BigInt
import DexterCrypto

/// What the reference price needs of an aggregator: an indicative quote for selling `amount` of `sell` for `buy`,
/// exact in base units, stamped with when it arrived. 1inch's `/quote` and 0x's `/price` both answer it; neither
/// builds a transaction for it.
public protocol AggregatorPriceSource: Sendable {
    var source: AggregatorSource { get }
    var chainId: UInt64 { get }
    func indicativeQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt) async throws(AggregatorError)
        -> AggregatorQuote
}

extension OneInchClient: AggregatorPriceSource {
    public var source: AggregatorSource { .oneInch }

    public func indicativeQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt)
        async throws(AggregatorError) -> AggregatorQuote {
        try await quote(sell: sell, buy: buy, amount: amount)
    }
}

extension ZeroExClient: AggregatorPriceSource {
    public var source: AggregatorSource { .zeroEx }

    public func indicativeQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt)
        async throws(AggregatorError) -> AggregatorQuote {
        try await price(sell: sell, buy: buy, sellAmount: amount)
    }
}

/// An aggregator that also builds the transaction of a swap: a firm quote for `taker`, its minimum `slippageBps`
/// (hundredths of a percent) under the quoted amount.
public protocol AggregatorSwapSource: AggregatorPriceSource {
    /// The most slippage the API takes, in basis points.
    var maxSlippageBps: Int { get }
    func firmQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt, taker: EthereumAddress,
                   slippageBps: Int) async throws(AggregatorError) -> AggregatorQuote
}

extension OneInchClient: AggregatorSwapSource {
    public var maxSlippageBps: Int { 5_000 }

    public func firmQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt, taker: EthereumAddress,
                          slippageBps: Int) async throws(AggregatorError) -> AggregatorQuote {
        try await swap(sell: sell, buy: buy, amount: amount, from: taker, slippageBps: slippageBps)
    }
}

extension ZeroExClient: AggregatorSwapSource {
    public var maxSlippageBps: Int { 10_000 }

    public func firmQuote(sell: EthereumAddress, buy: EthereumAddress, amount: BigUInt, taker: EthereumAddress,
                          slippageBps: Int) async throws(AggregatorError) -> AggregatorQuote {
        try await quote(sell: sell, buy: buy, sellAmount: amount, taker: taker, slippageBps: slippageBps)
    }
}
