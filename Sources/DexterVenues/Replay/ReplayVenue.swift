import DexterCore
import DexterMarket
import Synchronization

/// A recorded day behind the venue seam: every venue and market of the recording as one market-data and execution
/// client, so the desk runs on it as on any venue ("paper on a recorded day"). It keeps the recording's clock
/// (`ClockedVenue`): an advance posts every message received up to then, the messages of one instant in one batch,
/// so the desk never detects on half an instant. Orders are paper: each fills, when it reaches the venue, against
/// the recorded book as it stands then, by the rules the simulator fills by (`PaperFill`).
public final class ReplayVenue: MarketDataClient, ExecutionClient, ClockedVenue {
    private struct State {
        var recording: RecordedMarkets
        /// The recording's time: the receive time of the last instant read, or later.
        var now: Timestamp
        var inbox: VenueInbox?
        var subscribed: Set<MarketKey> = []
        /// Orders on their way to the venue, in the order they were sent.
        var pending: [(arrival: Timestamp, order: OrderRequest)] = []
        var seenClientOrderIds = Set<String>()
        /// What the venue executed this session, for queries (the journal keeps it across restarts).
        var outcomes: [String: ExecutionReport] = [:]
        var announcedLive = false
        var ended = false
        var unreadable: ReplayError?
    }

    public let venueIds: [VenueId]
    /// How often a live driver advances it, in wall time.
    public let step = Duration.milliseconds(10)
    /// The recording's first instant: the venue opens with its books, and a desk on it starts its clock here.
    public let start: Timestamp
    /// The receive time of the recording's last message. Past it the venue is down: "recording ended".
    public let end: Timestamp
    /// How long an order takes to reach the venue.
    public let latency: Duration
    /// Every market of the recording, and each as first quoted (see `RecordedMarkets.Survey`).
    public let markets: [Market]
    public let firstQuotes: [Market]
    private let journal: PaperJournal?
    private let state: Mutex<State>

    /// Reads `files` once to learn their markets, then opens at the first instant. `settings` gives the recorded
    /// venues their fees, staleness and lot; `journal`: where the venue remembers what it executed, so a restarted
    /// desk can ask it about orders in flight.
    public init(files: [RecordedFile], settings: ReplaySettings = ReplaySettings(), latency: Duration = .zero,
                journal: PaperJournal? = nil) throws(ReplayError) {
        let feed = try ReplayFeed(files: files, settings: settings)
        let survey = try RecordedMarkets.survey(feed)
        guard !survey.markets.isEmpty, let first = survey.first, let last = survey.last else {
            throw .noMarkets(paths: files.map(\.path))
        }
        var recording = RecordedMarkets(feed: feed, markets: survey.markets)
        while let change = try recording.next(), !change.endsInstant {}
        var venues: [VenueId] = []
        for market in survey.markets where !venues.contains(market.key.venue) { venues.append(market.key.venue) }
        venueIds = venues
        markets = survey.markets
        firstQuotes = survey.firstQuotes
        start = first
        end = last
        self.latency = latency
        self.journal = journal
        state = Mutex(State(recording: recording, now: first))
    }

    // MARK: What a driver reads

    /// The receive time of the next recorded message; nil once all are read.
    public var nextTime: Timestamp? { state.withLock { $0.recording.nextTime } }
    /// True once the clock has passed the recording's last message.
    public var hasEnded: Bool { state.withLock { $0.ended } }
    /// What the reading has counted so far.
    public var statistics: ReplayStatistics { state.withLock { $0.recording.feed.statistics } }

    // MARK: Market data

    /// The recording's markets with their books at its first instant (a market not quoted yet has an empty book).
    public func instruments() async throws -> [VenueInstrument] {
        state.withLock { state in state.recording.state.markets.map { VenueInstrument(market: $0) } }
    }

    /// Recorded exchanges burn no gas.
    public func currentGas() async throws -> [GasQuote] { [] }

    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        state.withLock { state in
            state.inbox = inbox
            state.subscribed.formUnion(keys)
            guard !state.announcedLive, !state.ended else { return }
            state.announcedLive = true
            for venue in venueIds { inbox.post(.live, for: venue) }
        }
    }

    public func unsubscribe(_ keys: [MarketKey]) async {
        state.withLock { state in state.subscribed.subtract(keys) }
    }

    // MARK: Clock

    /// Reads every instant received by `time`, filling each order that reached the venue before the next instant
    /// on the books as they stood; then posts the books that changed (in one batch), the orders' updates and, once
    /// `time` is past the last message, the venues going down.
    public func advance(to time: Timestamp) {
        state.withLock { state in
            var changed: [Int] = []
            var reports: [ExecutionReport] = []
            while state.unreadable == nil {
                let next = state.recording.nextTime
                reports += fillArrived(before: next, by: time, in: &state, changed: &changed)
                guard let next, next <= time else { break }
                do throws(ReplayError) {
                    while let change = try state.recording.next() {
                        if let market = change.market, !changed.contains(market) { changed.append(market) }
                        if change.endsInstant { break }
                    }
                } catch {
                    // The survey read the same bytes the same way, so this does not happen; if it did, the
                    // recording would end here, saying why.
                    state.unreadable = error
                    break
                }
                state.now = next
            }
            state.now = max(state.now, time)
            let ending = !state.ended && (state.unreadable != nil || state.recording.nextTime == nil && time > end)
            if ending { state.ended = true }
            guard let inbox = state.inbox else { return }
            let markets = state.recording.state.markets
            inbox.post(contentsOf: changed.compactMap { index in
                let market = markets[index]
                guard state.subscribed.contains(market.key) else { return nil }
                return .liquidity(market.key, market.liquidity, venueTime: market.venueTime, receivedAt: market.receivedAt)
            })
            for report in reports {
                for update in report.updates(venueOrderId: "replay-\(report.clientOrderId)") { inbox.post(update) }
            }
            if ending {
                let reason = state.unreadable.map { "recording unreadable: \($0)" } ?? "recording ended"
                for venue in venueIds { inbox.post(.down(reason: reason), for: venue) }
            }
        }
    }

    /// Executes the orders that reach the venue before `next` (the next instant; nil: none left) and by `time`, in
    /// the order they arrive; the books they take from are noted in `changed`.
    private func fillArrived(before next: Timestamp?, by time: Timestamp, in state: inout State,
                             changed: inout [Int]) -> [ExecutionReport] {
        func due(_ entry: (arrival: Timestamp, order: OrderRequest)) -> Bool {
            entry.arrival <= time && next.map { entry.arrival < $0 } ?? true
        }
        guard state.pending.contains(where: due) else { return [] }
        let arrived = state.pending.enumerated().filter { due($0.element) }
            .sorted { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }.map(\.element)
        state.pending.removeAll(where: due)
        return arrived.map { arrival, order in
            let report = execute(order, at: arrival, in: &state, changed: &changed)
            state.outcomes[order.clientOrderId] = report
            journal?.record(report)
            return report
        }
    }

    private func execute(_ order: OrderRequest, at arrival: Timestamp, in state: inout State,
                         changed: inout [Int]) -> ExecutionReport {
        if arrival > end {
            return PaperFill.rejection(order, "the recording ended before the order reached \(order.venue)", failure:
                ExecutionFailure(code: "recording_ended", failureClass: .rejected,
                                 reason: "the recording has no market after its last message"), at: arrival)
        }
        guard let index = state.recording.state.indexByKey[MarketKey(venue: order.venue, symbol: order.symbol)] else {
            return PaperFill.unknownMarket(order, at: arrival)
        }
        let outcome = PaperFill.execute(order, on: state.recording.state.markets[index], gas: nil, at: arrival)
        if let liquidity = outcome.liquidity {
            state.recording.replace(index, with: liquidity, at: arrival)
            if !changed.contains(index) { changed.append(index) }
        }
        return outcome.report
    }

    // MARK: Execution

    public func connect(_ inbox: VenueInbox) async throws { state.withLock { $0.inbox = inbox } }

    /// Sends the order on its way; it executes when an advance passes its arrival. A client order id the venue has
    /// seen is ignored, as real venues do, so that a retry can never place an order twice.
    public func submit(_ order: OrderRequest) {
        state.withLock { state in
            guard journal?.report(for: order.clientOrderId) == nil,
                  state.seenClientOrderIds.insert(order.clientOrderId).inserted else { return }
            state.pending.append((order.submittedAt.adding(latency), order))
        }
    }

    /// Paper orders are immediate-or-cancel: none rests, so there is never one to cancel. A cancel that overtakes
    /// its order is refused as unknown, and the order executes when it arrives.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        state.withLock { state in
            state.inbox?.post(OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: .cancelRejected(
                reason: "unknown order: nothing of \(clientOrderId) rests at \(venue)"), at: state.now))
        }
    }

    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        state.withLock { state in
            if let report = state.outcomes[clientOrderId] ?? journal?.report(for: clientOrderId) { return .found(report) }
            if let order = state.pending.first(where: { $0.order.clientOrderId == clientOrderId })?.order {
                return .found(Self.working(order, at: state.now))
            }
            return .unknown
        }
    }

    /// Its orders are immediate-or-cancel: none ever rests.
    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    /// Only orders still on their way are open.
    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        state.withLock { state in
            state.pending.filter { $0.order.venue == venue }.map { Self.working($0.order, at: state.now) }
        }
    }

    /// Paper venues hold no balances of their own: the ledger is the paper account.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { [:] }

    private static func working(_ order: OrderRequest, at now: Timestamp) -> ExecutionReport {
        ExecutionReport(clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                        status: .working, reason: nil, filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero,
                        gasToken: nil, executedAt: now)
    }
}
