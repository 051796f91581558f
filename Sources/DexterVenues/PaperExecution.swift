import DexterCore
import DexterMarket
import Synchronization

/// Paper trading on a live venue's market data (PAPER mode): an order fills against the venue's book as it stands
/// when the order arrives, by the same rules as every paper venue (`PaperFill`), and the venue's real books are
/// never touched — so what a paper order took is still there for the next one until the venue's own next update.
/// What it executed is kept (and journaled when given a journal), so a restarted desk can ask about orders in flight.
public final class PaperExecution: ExecutionClient, Sendable {
    public let venueIds: [VenueId]
    private let market: @Sendable (MarketKey) -> Market?
    private let clock: any Clock
    private let journal: PaperJournal?
    private let state = Mutex(State())

    private struct State {
        var inbox: VenueInbox?
        var outcomes: [String: ExecutionReport] = [:]
    }

    /// `market`: the venue's market now (its instrument and current book), or nil when it has none to trade on.
    public init(venueIds: [VenueId], clock: any Clock = WallClock(), journal: PaperJournal? = nil,
                market: @escaping @Sendable (MarketKey) -> Market?) {
        self.venueIds = venueIds
        self.market = market
        self.clock = clock
        self.journal = journal
    }

    public func connect(_ inbox: VenueInbox) async throws { state.withLock { $0.inbox = inbox } }

    public func submit(_ order: OrderRequest) {
        let now = clock.now()
        let report: ExecutionReport
        if let seen = state.withLock({ $0.outcomes[order.clientOrderId] }) ?? journal?.report(for: order.clientOrderId) {
            // A resend of an order already executed is the same order: its outcome again, nothing traded twice.
            report = seen
        } else if let market = market(MarketKey(venue: order.venue, symbol: order.symbol)) {
            report = PaperFill.execute(order, on: market, gas: nil, at: now).report
        } else {
            report = PaperFill.unknownMarket(order, at: now)
        }
        journal?.record(report)
        let inbox = state.withLock { state -> VenueInbox? in
            state.outcomes[order.clientOrderId] = report
            return state.inbox
        }
        for update in report.updates(venueOrderId: "paper-\(order.clientOrderId)") { inbox?.post(update) }
    }

    /// Paper orders are immediate-or-cancel: none rests, so a cancel finds nothing.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        let inbox = state.withLock { $0.inbox }
        inbox?.post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(
            reason: "unknown order: nothing of \(clientOrderId) rests at \(venue) (paper orders are IOC)"), at: clock.now()))
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        if let report = state.withLock({ $0.outcomes[clientOrderId] }) ?? journal?.report(for: clientOrderId) {
            return .found(report)
        }
        return .unknown
    }

    /// Its orders are immediate-or-cancel: none ever rests.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { [] }

    /// Paper balances are the ledger's: the venue holds none of its own.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { [:] }
}
