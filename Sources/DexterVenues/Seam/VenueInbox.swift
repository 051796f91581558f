import DexterCore
import DexterMarket
import Synchronization

/// Where venues post, from any task, and the engine drains, on its own executor. Quotes conflate — the latest
/// liquidity per market and the latest gas per chain win, so a slow consumer never works through stale prices —
/// while order updates never do: each one is kept, in order. Posting wakes the engine.
public final class VenueInbox: Sendable {
    private enum QuoteKey: Hashable {
        case market(MarketKey)
        case gas(ChainId)
        case funding(MarketKey)
        case gasUnits(MarketKey)
        case indication(PriceIndication.Key)
    }

    private struct Pending {
        /// Quotes in the order their latest version arrived; a replaced one leaves a hole.
        var quotes: [MarketEvent?] = []
        var slot: [QuoteKey: Int] = [:]
        var orders: [OrderUpdate] = []
        var fundings: [FundingPayment] = []
        var connections: [(VenueId, ConnectionState)] = []
        var signaled = false

        /// The event replaces the waiting quote of its market or chain, if any.
        mutating func conflate(_ event: MarketEvent) {
            let key: QuoteKey = switch event {
            case .liquidity(let market, _, _, _): .market(market)
            case .gas(let quote): .gas(quote.chain)
            case .funding(let quote): .funding(quote.market)
            case .gasUnits(let market, _): .gasUnits(market)
            case .indication(let indication): .indication(indication.key)
            }
            if let old = slot[key] { quotes[old] = nil }
            slot[key] = quotes.count
            quotes.append(event)
        }
    }

    private let pending = Mutex(Pending())
    private let continuation: AsyncStream<Void>.Continuation
    /// One element whenever something arrives after the last drain: the engine awaits it instead of polling.
    public let wakeups: AsyncStream<Void>

    public init() {
        (wakeups, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// What the engine takes in one go.
    public struct Batch: Sendable {
        /// Market events, each market and chain at most once, in the order their latest version arrived.
        public var market: [MarketEvent] = []
        public var orders: [OrderUpdate] = []
        /// Funding the venues say they charged or paid, each once, in order: money, like order updates.
        public var fundings: [FundingPayment] = []
        public var connections: [(venue: VenueId, state: ConnectionState)] = []
        /// Market updates replaced by a newer one of the same market before this drain took them.
        public var conflated = 0

        public var isEmpty: Bool { market.isEmpty && orders.isEmpty && fundings.isEmpty && connections.isEmpty }
    }

    public func post(_ event: MarketEvent) { signal { $0.conflate(event) } }

    /// Posts events together: a drain takes all of them or none, so the engine never detects on half of what one
    /// instant changed (a recording's messages of one receive time).
    public func post(contentsOf events: [MarketEvent]) {
        guard !events.isEmpty else { return }
        signal { pending in
            for event in events { pending.conflate(event) }
        }
    }

    public func post(_ update: OrderUpdate) { signal { $0.orders.append(update) } }

    public func post(_ payment: FundingPayment) { signal { $0.fundings.append(payment) } }

    public func post(_ state: ConnectionState, for venue: VenueId) { signal { $0.connections.append((venue, state)) } }

    /// Wakes the engine with nothing new: a timer's turn (retries due, silent orders) or a stop.
    public func nudge() { signal { _ in } }

    /// Everything posted since the last drain.
    public func drain() -> Batch {
        pending.withLock { pending in
            var batch = Batch()
            batch.market = pending.quotes.compactMap { $0 }
            batch.conflated = pending.quotes.count - batch.market.count
            batch.orders = pending.orders
            batch.fundings = pending.fundings
            batch.connections = pending.connections.map { (venue: $0.0, state: $0.1) }
            pending.quotes.removeAll(keepingCapacity: true)
            pending.slot.removeAll(keepingCapacity: true)
            pending.orders.removeAll(keepingCapacity: true)
            pending.fundings.removeAll(keepingCapacity: true)
            pending.connections.removeAll(keepingCapacity: true)
            pending.signaled = false
            return batch
        }
    }

    private func signal(_ change: (inout Pending) -> Void) {
        let wake = pending.withLock { pending in
            change(&pending)
            defer { pending.signaled = true }
            return !pending.signaled
        }
        if wake { continuation.yield() }
    }
}
