import DexterCore
import DexterMarket
import Synchronization

/// The embedded market behind the venue seam: every simulated exchange and DEX as one market-data and execution
/// client. It keeps its own clock (`ClockedVenue`): whoever drives it says how far to run, and it posts what its
/// venues published and what became of dexter's orders into the inbox, as a real venue's connection would.
public final class SimulatedVenues: MarketDataClient, ExecutionClient, ClockedVenue {
    private struct State {
        var market: SimulatedMarket
        var inbox: VenueInbox?
        var subscribed: Set<MarketKey> = []
        /// Outcomes of the orders the venues executed this session, for queries (the journal keeps them across
        /// restarts).
        var outcomes: [String: ExecutionReport] = [:]
        var connection: [VenueId: ConnectionState] = [:]
    }

    private let state: Mutex<State>
    public let venueIds: [VenueId]
    private let poolAddresses: [MarketKey: String]
    public let step = SimulatedMarket.step

    /// `journal`: where the paper venues remember what they executed, so a restarted desk can ask them.
    public init(universe: SimulatedUniverse, start: Timestamp, journal: PaperJournal? = nil) {
        var market = SimulatedMarket(universe: universe, start: start)
        market.journal = journal
        // The first books are drawn once, here: what `instruments()` hands out is the market's opening state.
        _ = market.snapshot()
        venueIds = Array(Set(universe.books.map(\.venue.id) + universe.pools.map(\.venue.id))).sorted { $0.name < $1.name }
        var addresses: [MarketKey: String] = [:]
        for pool in universe.pools {
            if let address = pool.address { addresses[MarketKey(venue: pool.venue.id, symbol: pool.instrument.symbol)] = address }
        }
        poolAddresses = addresses
        state = Mutex(State(market: market))
    }

    // MARK: Market data

    /// The instruments and their first state (the simulator has nothing to fetch).
    public func instruments() async throws -> [VenueInstrument] {
        state.withLock { state in
            state.market.state.markets.map { VenueInstrument(market: $0, poolAddress: poolAddresses[$0.key]) }
        }
    }

    /// Gas on every chain now (part of the first snapshot).
    public func currentGas() async throws -> [GasQuote] {
        state.withLock { state in state.market.state.gas.values.sorted { $0.chain < $1.chain } }
    }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        state.withLock { state in
            state.inbox = inbox
            state.subscribed.formUnion(keys)
            for venue in venueIds where state.connection[venue] == nil {
                state.connection[venue] = .live
                inbox.post(.live, for: venue)
            }
        }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        state.withLock { state in state.subscribed.subtract(keys) }
    }

    // MARK: Clock

    public func advance(to time: Timestamp) {
        state.withLock { state in
            let events = state.market.advance(to: time)
            guard let inbox = state.inbox else { return }
            let silenced = state.market.silencedVenues
            for venue in venueIds {
                let now: ConnectionState = silenced.contains(venue) ? .down(reason: "no market data (simulated outage)") : .live
                if state.connection[venue] != now {
                    state.connection[venue] = now
                    inbox.post(now, for: venue)
                }
            }
            for event in events {
                switch event {
                case .market(let marketEvent):
                    if case .liquidity(let key, _, _, _) = marketEvent, !state.subscribed.contains(key) { continue }
                    inbox.post(marketEvent)
                case .execution(let report):
                    state.outcomes[report.clientOrderId] = report
                    for update in report.updates(venueOrderId: "sim-\(report.clientOrderId)") { inbox.post(update) }
                }
            }
        }
    }

    /// The underlying prices the venues follow (for tests and rehearsal).
    public var underlyingPrices: [Asset: Double] { state.withLock { $0.market.underlyingPrices } }

    // MARK: Execution

    public func connect(_ inbox: VenueInbox) async throws { state.withLock { $0.inbox = inbox } }

    public func submit(_ order: OrderRequest) { state.withLock { $0.market.submit(order) } }

    /// Paper orders are immediate-or-cancel: none rests, so there is never one to cancel. As at a real venue, a
    /// cancel that overtakes its order is refused as unknown, and the order executes when it arrives.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        state.withLock { state in
            state.inbox?.post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(
                reason: "unknown order: nothing of \(clientOrderId) rests at \(venue)"), at: state.market.now))
        }
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        state.withLock { state in
            if let report = state.outcomes[clientOrderId] ?? state.market.journal?.report(for: clientOrderId) {
                return .found(report)
            }
            if let order = state.market.pendingOrder(clientOrderId) {
                return .found(ExecutionReport(
                    clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                    status: .working, reason: nil, filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero,
                    gasToken: nil, executedAt: state.market.now))
            }
            return .unknown
        }
    }

    /// Its orders are immediate-or-cancel: none ever rests.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    /// Paper orders are immediate-or-cancel: only those still on their way are open.
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        state.withLock { state in
            state.market.pending.filter { $0.order.venue == venue }.map { entry in
                ExecutionReport(clientOrderId: entry.order.clientOrderId, venue: venue, symbol: entry.order.symbol,
                                side: entry.order.side, status: .working, reason: nil, filledQuantity: .zero,
                                notional: .zero, fee: .zero, gas: .zero, gasToken: nil, executedAt: state.market.now)
            }
        }
    }

    /// Paper venues hold no balances of their own: the ledger is the paper account.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { [:] }
}
