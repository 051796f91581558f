import DexterCore
import DexterEngine
import DexterMarket
import DexterVenues
import Synchronization

/// A venue for engine tests that behaves as the test scripts it, through the same seam as every venue: books the
/// test sets, and per venue a way of answering orders — late, in parts, not at all — on its own clock. It answers
/// only through `OrderUpdate`s in the inbox and queries, as a real venue does; it never reaches into the engine.
///
/// `.ioc` is an exchange's immediate-or-cancel limit order, priced and charged as one: it takes the book as it
/// stands when the order arrives, so a test that changes a book (`setBook`) between detection and arrival scripts a
/// leg that fills short or misses; `.iocPart` fills every order short. `setSilent` stops a venue's feed. The other
/// behaviours script the timing of the answers and fill whole at the top of the book, with no fee.
final class ScriptedVenue: MarketDataClient, ExecutionClient, ClockedVenue {
    /// How a venue answers the orders it gets.
    enum Behaviour: Sendable {
        /// An IOC limit order that arrives `latency` after the submit and takes what the book then holds at or better
        /// than its limit, level by level (one trade each; that liquidity is gone from the book), each trade charged
        /// the venue's taker fee in the quote. The rest is canceled; with nothing at the limit the order expires.
        case ioc(latency: Duration = .zero)
        /// As `.ioc`, but someone else gets there first: the order takes at most this part of its quantity (down to
        /// the lot), and the rest is canceled.
        case iocPart(FixedDecimal, latency: Duration = .zero)
        /// Accepted after `ack`, filled whole after `fill` (from the submit).
        case late(ack: Duration, fill: Duration)
        /// Accepted at once, then filled in these parts of the quantity, one every `every`; each fill is also sent a
        /// second time (a venue re-sending on reconnect), which must count once.
        case inParts([FixedDecimal], every: Duration)
        /// Accepted and resting until canceled.
        case rest
        /// Accepted and resting; when a cancel arrives the venue has just filled it: the fill, then the cancel refused.
        case fillsBeforeCancel
        /// Executed (filled whole) but not a word is sent: only a query finds out.
        case silentFill
        /// The first submit of each order never arrives (a query finds nothing); the next one fills at once.
        case losesFirstSubmit
        /// Refused at once with this failure.
        case rejects(ExecutionFailure)
    }

    private struct State {
        var now: Timestamp
        var books: [MarketKey: OrderBook] = [:]
        var inbox: VenueInbox?
        var scheduled: [(at: Timestamp, update: OrderUpdate)] = []
        /// IOC orders on their way: they take the book as it is when they arrive.
        var arriving: [(at: Timestamp, order: OrderRequest)] = []
        var submitted: [OrderRequest] = []
        var cancels: [String] = []
        var outcomes: [String: ExecutionReport] = [:]
        var resting: [String: OrderRequest] = [:]
        var lost: Set<String> = []
        /// Venues whose books are not published: their feed is down.
        var silent: Set<VenueId> = []
        /// The account at each venue, when the test gives one: it moves with every IOC fill, as an exchange's does.
        var accounts: [VenueId: [Asset: FixedDecimal]] = [:]
        /// A buy's fee is kept in the asset bought (as Binance charges it), not in the quote.
        var buyFeeInBase = false
        /// What a perpetual venue says of its margin, when the test gives it (none: the question fails, as a venue
        /// that cannot be reached).
        var margins: [VenueId: VenueMargin] = [:]
        /// The rate budgets the test says each venue has used.
        var rateLimits: [VenueId: [RateLimitUsage]] = [:]
    }

    let venueIds: [VenueId]
    let step = Duration.milliseconds(10)
    private let specs: [VenueId: VenueSpec]
    private let instrumentSpecs: [Symbol: InstrumentSpec]
    private let behaviour: [VenueId: Behaviour]
    private let state: Mutex<State>

    init(venues: [VenueSpec], instruments: [InstrumentSpec], books: [MarketKey: OrderBook],
         behaviour: [VenueId: Behaviour], start: Timestamp) {
        venueIds = venues.map(\.id)
        specs = Dictionary(uniqueKeysWithValues: venues.map { ($0.id, $0) })
        instrumentSpecs = Dictionary(uniqueKeysWithValues: instruments.map { ($0.symbol, $0) })
        self.behaviour = behaviour
        state = Mutex(State(now: start, books: books))
    }

    // MARK: What the test reads

    var submitted: [OrderRequest] { state.withLock { $0.submitted } }
    var cancels: [String] { state.withLock { $0.cancels } }
    /// A book as it stands now (after the liquidity orders took).
    func book(_ key: MarketKey) -> OrderBook? { state.withLock { $0.books[key] } }

    // MARK: Market data

    func instruments() async throws -> [VenueInstrument] {
        state.withLock { state in
            state.books.keys.sorted().compactMap { key in
                guard let venue = specs[key.venue], let instrument = instrumentSpecs[key.symbol], let book = state.books[key]
                else { return nil }
                return VenueInstrument(market: Market(venue: venue, instrument: instrument, liquidity: .book(book),
                                                      venueTime: state.now, receivedAt: state.now))
            }
        }
    }

    func currentGas() async throws -> [GasQuote] { [] }

    func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws {
        state.withLock { $0.inbox = inbox }
        for venue in venueIds { inbox.post(.live, for: venue) }
    }

    func unsubscribe(_ keys: [MarketKey]) async {}

    /// Replaces a book; it is published on the next advance.
    func setBook(_ key: MarketKey, _ book: OrderBook) { state.withLock { $0.books[key] = book } }

    /// Stops (or restarts) publishing a venue's books: an outage of its feed. Its orders are still answered.
    func setSilent(_ venue: VenueId, _ silent: Bool = true) {
        state.withLock { if silent { $0.silent.insert(venue) } else { $0.silent.remove(venue) } }
    }

    // MARK: Clock

    /// Executes the IOC orders that have arrived, publishes every book (fresh quotes, after what those orders took)
    /// and delivers the order updates that have come due.
    func advance(to time: Timestamp) {
        state.withLock { state in
            state.now = time
            let arrived = state.arriving.filter { $0.at <= time }
            state.arriving.removeAll { $0.at <= time }
            for entry in arrived { execute(entry.order, at: entry.at, in: &state) }
            guard let inbox = state.inbox else { return }
            for (key, book) in state.books.sorted(by: { $0.key < $1.key }) where !state.silent.contains(key.venue) {
                inbox.post(.liquidity(key, .book(book), venueTime: time, receivedAt: time))
            }
            let due = state.scheduled.filter { $0.at <= time }
            state.scheduled.removeAll { $0.at <= time }
            for entry in due { inbox.post(entry.update) }
        }
    }

    // MARK: Execution

    func connect(_ inbox: VenueInbox) async throws { state.withLock { $0.inbox = inbox } }

    func submit(_ order: OrderRequest) {
        state.withLock { state in
            state.submitted.append(order)
            let now = state.now
            func at(_ delay: Duration, _ kind: OrderUpdate.Kind) {
                state.scheduled.append((now.adding(delay), OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue,
                                                                       kind: kind, at: now.adding(delay))))
            }
            let price = fillPrice(order, books: state.books)
            func fill(_ quantity: FixedDecimal, _ tradeId: String) -> Fill {
                Fill(tradeId: tradeId, quantity: quantity, notional: quantity * price, fee: .zero, feeAsset: order.symbol.quote)
            }
            switch behaviour[order.venue] ?? .late(ack: .zero, fill: .zero) {
            case .ioc(let latency), .iocPart(_, let latency):
                state.arriving.append((now.adding(latency), order))
            case .late(let ack, let delay):
                at(ack, .accepted(venueOrderId: "v-\(order.clientOrderId)"))
                at(delay, .fill(fill(order.quantity, "\(order.clientOrderId)-t1")))
            case .inParts(let parts, let every):
                at(.zero, .accepted(venueOrderId: "v-\(order.clientOrderId)"))
                for (index, part) in parts.enumerated() {
                    let piece = fill(order.quantity * part, "\(order.clientOrderId)-t\(index + 1)")
                    at(every * (index + 1), .fill(piece))
                    at(every * (index + 1), .fill(piece))
                }
            case .rest, .fillsBeforeCancel:
                at(.zero, .accepted(venueOrderId: "v-\(order.clientOrderId)"))
                state.resting[order.clientOrderId] = order
            case .silentFill:
                state.outcomes[order.clientOrderId] = report(order, filled: order.quantity, price: price, at: now)
            case .losesFirstSubmit:
                guard state.lost.contains(order.clientOrderId) else {
                    state.lost.insert(order.clientOrderId)
                    return
                }
                at(.zero, .accepted(venueOrderId: "v-\(order.clientOrderId)"))
                at(.zero, .fill(fill(order.quantity, "\(order.clientOrderId)-t1")))
            case .rejects(let failure):
                at(.zero, .rejected(failure))
            }
        }
    }

    func cancel(_ clientOrderId: String, on venue: VenueId) {
        state.withLock { state in
            state.cancels.append(clientOrderId)
            let now = state.now
            func send(_ kind: OrderUpdate.Kind) {
                state.scheduled.append((now.adding(.milliseconds(20)),
                                        OrderUpdate(clientOrderId: clientOrderId, venue: venue, kind: kind,
                                                    at: now.adding(.milliseconds(20)))))
            }
            guard let order = state.resting.removeValue(forKey: clientOrderId) else {
                return send(.cancelRejected(reason: "Unknown order sent."))
            }
            if case .fillsBeforeCancel? = behaviour[venue] {
                let price = fillPrice(order, books: state.books)
                send(.fill(Fill(tradeId: "\(clientOrderId)-t1", quantity: order.quantity, notional: order.quantity * price,
                                fee: .zero, feeAsset: order.symbol.quote)))
                send(.cancelRejected(reason: "Unknown order sent."))
            } else {
                send(.canceled(reason: "canceled at the desk's request"))
            }
        }
    }

    func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        state.withLock { state in state.outcomes[clientOrderId].map(OrderQueryAnswer.found) ?? .unknown }
    }

    /// Its orders are immediate-or-cancel: none ever rests.
    func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    func openOrders(on venue: VenueId) async throws -> [ExecutionReport] { [] }

    func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] { state.withLock { $0.accounts[venue] ?? [:] } }

    /// Gives venues accounts that IOC fills move; `buyFeeInBase` charges a buy's fee in what it bought.
    func holdAccounts(_ accounts: [VenueId: [Asset: FixedDecimal]], buyFeeInBase: Bool = false) {
        state.withLock {
            $0.accounts = accounts
            $0.buyFeeInBase = buyFeeInBase
        }
    }

    /// Money that reaches an account without a trade (a deposit the desk did not make).
    func credit(_ amount: FixedDecimal, _ asset: Asset, at venue: VenueId) {
        state.withLock { $0.accounts[venue, default: [:]][asset, default: .zero] += amount }
    }

    /// An IOC order reaching its book: what lies at or better than its limit trades, level by level.
    private func execute(_ order: OrderRequest, at time: Timestamp, in state: inout State) {
        let key = MarketKey(venue: order.venue, symbol: order.symbol)
        func send(_ kind: OrderUpdate.Kind) {
            state.scheduled.append((time, OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue, kind: kind, at: time)))
        }
        send(.accepted(venueOrderId: "v-\(order.clientOrderId)"))
        guard var book = state.books[key] else {
            return send(.rejected(ExecutionFailure(code: "unknown_market", failureClass: .rejected,
                                                   reason: "the venue does not list \(order.symbol)")))
        }
        let feeRate = specs[order.venue]?.takerFee ?? .zero
        var remaining = order.quantity
        if case .iocPart(let part, _)? = behaviour[order.venue] {
            let lot = instrumentSpecs[order.symbol]?.lotSize ?? FixedDecimal("0.001")!
            remaining = (order.quantity * part).rounded(toMultipleOf: lot, .down)
        }
        let taking = remaining
        var trades = 0
        var notional = FixedDecimal.zero, fee = FixedDecimal.zero, baseFee = FixedDecimal.zero
        for level in book.levels(takenBy: order.side) {
            guard remaining.isPositive else { break }
            if order.side == .buy ? level.price > order.limitPrice : level.price < order.limitPrice { break }
            let take = FixedDecimal.min(remaining, level.quantity)
            trades += 1
            let traded = take * level.price
            let inBase = state.buyFeeInBase && order.side == .buy
            let charged = inBase ? take * feeRate : traded * feeRate
            send(.fill(Fill(tradeId: "\(order.clientOrderId)-t\(trades)", quantity: take, notional: traded,
                            fee: charged, feeAsset: inBase ? order.symbol.base : order.symbol.quote)))
            if state.accounts[order.venue] != nil {
                let base = order.side == .buy ? take - (inBase ? charged : .zero) : -take
                let quote = order.side == .buy ? -traded - (inBase ? .zero : charged) : traded - charged
                state.accounts[order.venue]![order.symbol.base, default: .zero] += base
                state.accounts[order.venue]![order.symbol.quote, default: .zero] += quote
            }
            notional += traded
            if inBase { baseFee += charged } else { fee += charged }
            remaining -= take
        }
        let filled = taking - remaining
        book.consume(order.side, quantity: filled)
        state.books[key] = book
        let reason: String?
        if filled.isZero {
            reason = "no liquidity at limit \(order.limitPrice)"
            send(.expired(reason: reason))
        } else if filled < order.quantity {
            reason = "IOC: the rest canceled, nothing more at limit \(order.limitPrice)"
            send(.canceled(reason: reason))
        } else {
            reason = nil
        }
        // What a query by client id finds afterwards.
        state.outcomes[order.clientOrderId] = ExecutionReport(
            clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
            status: filled == order.quantity ? .filled : (filled.isZero ? .expired : .partiallyFilled), reason: reason,
            filledQuantity: filled, notional: notional, fee: fee, gas: .zero, gasToken: nil, executedAt: time, baseFee: baseFee)
    }

    private func fillPrice(_ order: OrderRequest, books: [MarketKey: OrderBook]) -> FixedDecimal {
        let book = books[MarketKey(venue: order.venue, symbol: order.symbol)]
        return book?.levels(takenBy: order.side).first?.price ?? order.limitPrice
    }

    private func report(_ order: OrderRequest, filled: FixedDecimal, price: FixedDecimal, at time: Timestamp) -> ExecutionReport {
        ExecutionReport(clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side,
                        status: .filled, reason: nil, filledQuantity: filled, notional: filled * price, fee: .zero,
                        gas: .zero, gasToken: nil, executedAt: time)
    }
}

extension ScriptedVenue: MarginReporting {
    struct NoMarginScripted: Error {}

    func setMargin(_ margin: VenueMargin) { state.withLock { $0.margins[margin.venue] = margin } }

    func margin(on venue: VenueId) async throws -> VenueMargin {
        guard let margin = state.withLock({ $0.margins[venue] }) else { throw NoMarginScripted() }
        return margin
    }
}

extension ScriptedVenue: RateLimitReporting {
    func setRateLimits(_ usage: [RateLimitUsage], on venue: VenueId) { state.withLock { $0.rateLimits[venue] = usage } }

    /// One client speaks for every scripted venue; the engine reads each venue's budgets through the venue ids, so
    /// only the first venue with budgets reports them (the tests script one).
    func rateLimitUsage(at now: Timestamp) -> [RateLimitUsage] { state.withLock { $0.rateLimits.values.first ?? [] } }
}
