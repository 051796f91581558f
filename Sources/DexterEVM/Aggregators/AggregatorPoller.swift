import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Logging
import Synchronization

/// One aggregator a chain asks for prices, and how its answers count in the reference price.
public struct AggregatorFeed: Sendable {
    public let client: any AggregatorPriceSource
    /// How often every pair is asked again.
    public let refreshInterval: Duration
    /// An answer older than this is stale: left out of the reference while fresh sources exist.
    public let stalenessBound: Duration
    /// Its say in the reference's weighted median (a market's is 1).
    public let weight: Double
    /// The amount of each pair's base asset the aggregator is asked to sell.
    public let quoteSize: FixedDecimal
    /// Set when LIVE sells may go through the aggregator's transactions: where they may go and what is approved.
    public let execution: AggregatorContracts?

    public init(client: any AggregatorPriceSource, refreshInterval: Duration, stalenessBound: Duration, weight: Double,
                quoteSize: FixedDecimal, execution: AggregatorContracts? = nil) {
        precondition(weight > 0 && weight.isFinite, "an aggregator's weight is positive")
        precondition(quoteSize.isPositive, "an aggregator is asked about a positive size")
        self.client = client
        self.refreshInterval = refreshInterval
        self.stalenessBound = stalenessBound
        self.weight = weight
        self.quoteSize = quoteSize
        self.execution = execution
    }

    public var source: AggregatorSource { client.source }
}

/// A pair the chain's pools trade, with its tokens as the aggregators are asked about them.
public struct AggregatorPair: Sendable, Hashable {
    public let symbol: Symbol
    public let base: EthereumAddress
    public let baseDecimals: Int
    public let quote: EthereumAddress
    public let quoteDecimals: Int

    public init(symbol: Symbol, base: EthereumAddress, baseDecimals: Int, quote: EthereumAddress, quoteDecimals: Int) {
        self.symbol = symbol
        self.base = base
        self.baseDecimals = baseDecimals
        self.quote = quote
        self.quoteDecimals = quoteDecimals
    }
}

/// Asks each configured aggregator, every refresh interval, what selling the configured size of each pair's base
/// gets, and posts every answer to the desk as a `PriceIndication` (a reference price source, not a market).
///
/// Each aggregator polls in its own task, apart from the pools' feed: a slow or failing API never holds up a block.
/// A failure (429, 5xx, a timeout, a malformed answer, no route) posts nothing, so the last indication ages in the
/// market state until its bound makes it stale; it is logged once when a pair starts failing and once when it
/// answers again, not at every refresh.
public final class AggregatorPoller: Sendable {
    public let chain: ChainId
    public let feeds: [AggregatorFeed]
    public let pairs: [AggregatorPair]
    let logger: Logger

    private struct Held {
        var tasks: [Task<Void, Never>] = []
        /// Each source and pair failing now, and why (its first failure since it last answered).
        var failing: [PriceIndication.Key: String] = [:]
        var answered: [PriceIndication.Key: Int] = [:]
    }
    private let held = Mutex(Held())

    public init(chain: ChainId, feeds: [AggregatorFeed], pairs: [AggregatorPair],
                logger: Logger = Logger(label: "dexter.evm.aggregators")) {
        self.chain = chain
        self.feeds = feeds
        self.logger = logger
        // FixedDecimal keeps 18 decimals: a token with more cannot be booked, nor priced here.
        self.pairs = pairs.filter { pair in
            guard pair.baseDecimals <= FixedDecimal.fractionDigits, pair.quoteDecimals <= FixedDecimal.fractionDigits
            else {
                logger.warning("\(chain) \(pair.symbol): a token has more than 18 decimals; no aggregator quotes it")
                return false
            }
            return true
        }
    }

    deinit { held.withLock { $0.tasks.forEach { $0.cancel() } } }

    /// How the reference price and the screen name an aggregator's indications on this chain: "1inch@ethereum".
    public static func sourceId(_ source: AggregatorSource, chain: ChainId) -> VenueId { VenueId("\(source)@\(chain)") }

    /// Starts one polling task per aggregator (once; a second call does nothing).
    public func start(into inbox: VenueInbox) {
        held.withLock { held in
            guard held.tasks.isEmpty else { return }
            held.tasks = feeds.map { feed in
                Task { [weak self] in
                    while !Task.isCancelled {
                        guard let self else { return }
                        await self.round(feed, into: inbox)
                        try? await Task.sleep(for: feed.refreshInterval)
                    }
                }
            }
        }
    }

    public func stop() {
        let tasks = held.withLock { held in
            defer { held.tasks = [] }
            return held.tasks
        }
        tasks.forEach { $0.cancel() }
    }

    /// Each source and pair failing now, and why.
    public var failures: [PriceIndication.Key: String] { held.withLock { $0.failing } }

    /// Answers taken so far per source and pair.
    public var answers: [PriceIndication.Key: Int] { held.withLock { $0.answered } }

    /// Asks `feed` once for every pair, one after another, and posts what it answered; returns that.
    @discardableResult
    public func round(_ feed: AggregatorFeed, into inbox: VenueInbox) async -> [PriceIndication] {
        var posted: [PriceIndication] = []
        for pair in pairs {
            if Task.isCancelled { break }
            let key = PriceIndication.Key(source: Self.sourceId(feed.source, chain: chain), symbol: pair.symbol)
            do throws(AggregatorIndicationError) {
                let amount = BigUInt(feed.quoteSize.units(decimals: pair.baseDecimals))
                guard amount > 0 else {
                    throw AggregatorIndicationError(
                        "quote_size \(feed.quoteSize) is less than one base unit of \(pair.symbol.base)")
                }
                let quote: AggregatorQuote
                do {
                    quote = try await feed.client.indicativeQuote(sell: pair.base, buy: pair.quote, amount: amount)
                } catch {
                    throw AggregatorIndicationError("\(error)")
                }
                let indication = try Self.indication(quote, pair: pair, feed: feed, source: key.source)
                inbox.post(.indication(indication))
                posted.append(indication)
                let recovered = held.withLock { held in
                    held.answered[key, default: 0] += 1
                    return held.failing.removeValue(forKey: key)
                }
                if recovered != nil { logger.notice("\(key.source) \(pair.symbol): answering again") }
            } catch {
                let first = held.withLock { held in
                    defer { held.failing[key] = held.failing[key] ?? error.reason }
                    return held.failing[key] == nil
                }
                if first {
                    logger.warning(
                        "\(key.source) \(pair.symbol): no quote (\(error.reason)); its last one ages until it answers again")
                }
            }
        }
        return posted
    }

    /// An answer as the desk's indication: its amounts exact in the pair's assets.
    static func indication(_ quote: AggregatorQuote, pair: AggregatorPair, feed: AggregatorFeed, source: VenueId)
        throws(AggregatorIndicationError) -> PriceIndication {
        guard quote.buyAmount > 0 else { throw AggregatorIndicationError("it quoted nothing for the sell") }
        guard let sold = exact(quote.sellAmount, decimals: pair.baseDecimals),
              let bought = exact(quote.buyAmount, decimals: pair.quoteDecimals) else {
            throw AggregatorIndicationError(
                "an amount is past what the desk books (\(quote.sellAmount) → \(quote.buyAmount))")
        }
        return PriceIndication(source: source, symbol: pair.symbol, baseAmount: sold, quoteAmount: bought,
                               receivedAt: quote.receivedAt, stalenessBound: feed.stalenessBound, weight: feed.weight)
    }

    /// Base units as an exact decimal of the token, nil past FixedDecimal's range.
    static func exact(_ units: BigUInt, decimals: Int) -> FixedDecimal? {
        let scale = FixedDecimal.pow10(FixedDecimal.fractionDigits - decimals)
        guard let value = Int128(exactly: units), value <= Int128.max / scale else { return nil }
        return FixedDecimal(units: value, decimals: decimals)
    }
}

/// Why an aggregator gave no indication for a pair this time (the API's error, already without its key).
struct AggregatorIndicationError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
