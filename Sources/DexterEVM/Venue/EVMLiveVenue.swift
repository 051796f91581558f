import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Synchronization

/// One chain's DEX venues traded for real from one wallet (LIVE): the chain's market feed, and each order a swap
/// through the venue's router, sent by `SwapExecutor` (approval when short, simulation, the configured route,
/// confirmations, the fill from the pool's Swap log). A sell spends exactly its quantity (exact input, at least
/// quantity × limit out); a buy receives exactly its quantity (exact output, at most quantity × limit in). Every
/// step is in the journal before it happens, so a restarted desk finds each order's transaction.
public final class EVMLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let feed: EVMMarketFeed
    let executor: SwapExecutor
    let journal: EVMOrderJournal
    let patience: SwapExecutor.Patience
    let clock: any Clock
    /// Why an address a transaction would pay is denied (the desk's deny-list), nil when it is not: screens what an
    /// aggregator's transaction is sent to.
    let screen: @Sendable (EthereumAddress) -> String?
    private let inbox = Mutex<VenueInbox?>(nil)

    public init(feed: EVMMarketFeed, key: EthereumPrivateKey, journal: EVMOrderJournal, clock: any Clock = WallClock(),
                patience: SwapExecutor.Patience? = nil,
                screen: @escaping @Sendable (EthereumAddress) -> String? = { _ in nil }) throws(EVMRPCError) {
        self.feed = feed
        self.screen = screen
        self.journal = journal
        self.clock = clock
        let chain = feed.chain
        let submission = SubmissionConfig(privateURL: chain.privateSubmission?.url,
                                          privateMethod: chain.privateSubmission?.method == .sendPrivateTransaction
                                              ? .sendPrivateTransaction(maxBlocksAhead: nil, fast: false) : .sendRawTransaction)
        executor = SwapExecutor(client: feed.client, submitter: try TransactionSubmitter(publicClient: feed.client, config: submission),
                                key: key, feePolicy: FeePolicy(maxFeePerGasCap: chain.maxFeePerGasCap),
                                wrappedNative: chain.tokens[chain.gasToken])
        let pause = chain.pollInterval
        // A swap is waited for about ten minutes; past that the order stays open and a query finds it later.
        self.patience = patience ?? SwapExecutor.Patience(
            confirmations: UInt64(max(1, chain.confirmations)), polls: max(60, Int(600 / max(pause.secondsDouble, 0.05))),
            pause: { try? await Task.sleep(for: pause) })
    }

    public var wallet: EthereumAddress { executor.wallet }

    // MARK: Market data: the chain's feed

    public var venueIds: [VenueId] { feed.venueIds }
    public func instruments() async throws -> [VenueInstrument] { try await feed.instruments() }
    public func currentGas() async throws -> [GasQuote] { try await feed.currentGas() }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws { try await feed.subscribe(keys, into: inbox) }
    public func unsubscribe(_ keys: [MarketKey]) async { await feed.unsubscribe(keys) }

    // MARK: Execution

    public func connect(_ inbox: VenueInbox) async throws { self.inbox.withLock { $0 = inbox } }

    /// Swaps run one after another per wallet from choosing a nonce to the send (the executor's gate); the waits
    /// for receipts overlap.
    public func submit(_ order: OrderRequest) {
        Task { await self.run(order) }
    }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        var open: [ExecutionReport] = []
        for entry in journal.unsettled(on: venue.name) {
            if case .found(let report) = try await query(entry.clientOrderId, on: venue), !report.isDone { open.append(report) }
        }
        return open
    }

    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    func post(_ update: OrderUpdate) { inbox.withLock { $0 }?.post(update) }

    // MARK: One order

    func run(_ order: OrderRequest) async {
        if let known = journal.entry(order.clientOrderId) {
            // The same client id again (a retry): never a second transaction. What the first became is the answer.
            if known.stage == .planned { return reject(order, code: "not_sent", .rejected, "an earlier attempt stopped before signing") }
            if let answer = try? await query(order.clientOrderId, on: order.venue), case .found(let report) = answer, report.isDone {
                for update in report.updates(venueOrderId: known.hash) { post(update) }
            }
            return
        }
        let key = MarketKey(venue: order.venue, symbol: order.symbol)
        let plan: SwapPlan, planned: EVMOrderJournal.Entry
        do { (plan, planned) = try self.plan(order, key) } catch {
            return reject(order, code: "not_tradable", .rejected, "\(error)")
        }
        // A sell may go through an aggregator's transaction instead (EVMLiveVenue+Aggregators.swift).
        let (route, routeNote) = await self.route(order, direct: plan, key)
        var entry = planned
        if case .aggregator(let swap) = route {
            entry.pool = swap.transaction.to.checksummed
            entry.aggregator = swap.source.rawValue
            entry.tokenIn = swap.tokenIn.checksummed
            entry.tokenOut = swap.tokenOut.checksummed
        }
        journal.record(entry)
        let sideEffects = SideTransactions()
        let current = LockedEntry(entry)
        let journal = self.journal
        let result: SwapResult
        let events: @Sendable (SwapEvent) async -> Void = { event in
            switch event {
            case .signed(let hash, let nonce, let raw):
                current.withLock {
                    $0.stage = .signed
                    $0.hash = Hex.encode(hash)
                    $0.nonce = nonce.description
                    $0.raw = Hex.encode(raw)
                }
                journal.record(current.withLock { $0 })
            case .sent(let hash, _, let sentRoute):
                current.withLock { $0.stage = .sent; $0.route = sentRoute.description }
                journal.record(current.withLock { $0 })
                var accepted = OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue,
                                           kind: .accepted(venueOrderId: Hex.encode(hash)), at: self.clock.now())
                accepted.route = Self.shown(hash: hash, route: sentRoute) + Self.shown(route, note: routeNote)
                self.post(accepted)
            case .approvalSent(let token, let spender, let amount, let hash, _):
                // Told once: the allowance stays for later swaps through the same router or aggregator.
                let allowed = amount == (BigUInt(1) << 256) - 1 ? "all" : "\(amount)"
                self.feed.logger.notice(
                    "\(order.clientOrderId): approved \(spender) to spend \(allowed) of \(token) (\(Hex.encode(hash)))")
            case .sideTransactionSigned(let hash):
                sideEffects.add(hash)
                current.withLock { $0.sideTransactions = ($0.sideTransactions ?? []) + [Hex.encode(hash)] }
                journal.record(current.withLock { $0 })
            default: break
            }
        }
        do {
            switch route {
            case .direct(let plan): result = try await executor.execute(plan, patience: patience, report: events)
            case .aggregator(let swap): result = try await executor.execute(swap, patience: patience, report: events)
            }
        } catch {
            let gas = (try? await gasBurnt(by: sideEffects.hashes).paid) ?? .zero
            return fail(order, error, gas: gas, entry: current.withLock { $0 })
        }
        let gasBefore = (try? await gasBurnt(by: sideEffects.hashes).paid) ?? .zero
        var done = current.withLock { $0 }
        done.gasBefore = gasBefore
        let report = self.report(order, result: result, entry: done, gasBefore: gasBefore)
        done.stage = .done
        done.report = report
        journal.record(done)
        for update in report.updates(venueOrderId: Hex.encode(result.hash)) { post(update) }
    }

    /// The swap an order becomes: the pool of its market, exact input for a sell, exact output for a buy, bounded by
    /// the order's limit price (rounded against the desk: a sell's minimum up, a buy's maximum down).
    func plan(_ order: OrderRequest, _ key: MarketKey) throws -> (SwapPlan, EVMOrderJournal.Entry) {
        guard let pool = feed.pools.first(where: { $0.key == key }), let address = feed.poolAddress(key),
              let market = feed.market(key), let baseDecimals = market.liquidity.baseDecimals,
              let quoteDecimals = market.liquidity.quoteDecimals else { throw EVMLiveError.noPool(key) }
        if pool.deployment.protocolKind == .curve || pool.deployment.protocolKind == .balancerWeighted {
            return try directPoolPlan(order, pool: pool, address: address, market: market, baseDecimals: baseDecimals,
                                      quoteDecimals: quoteDecimals)
        }
        guard let router = pool.deployment.router else { throw EVMLiveError.noRouter(pool.dexName) }
        let (base, quote) = try feed.tokens(pool)
        let venue: SwapPlan.Venue
        switch pool.deployment.protocolKind {
        case .uniswapV3:
            guard let fee = pool.feePips else { throw EVMFeedError.noFeeTier(pool.symbol, dex: pool.dexName) }
            venue = .uniswapV3Single(router: router, fee: UInt32(fee))
        case .uniswapV2: venue = .uniswapV2(router: router)
        case .curve, .balancerWeighted: throw EVMLiveError.notSwappable(pool.deployment.protocolKind, dex: pool.dexName)
        }
        let quantity = try Self.units(order.quantity, decimals: baseDecimals, roundingUp: false)
        let plan: SwapPlan
        switch order.side {
        case .sell:
            let minimum = try Self.units(order.quantity * order.limitPrice, decimals: quoteDecimals, roundingUp: true)
            plan = SwapPlan(venue: venue, pool: address, tokenIn: base.address, tokenOut: quote.address, amountIn: quantity,
                            quotedOut: minimum, slippage: .none, recipient: wallet)
        case .buy:
            let maximum = try Self.units(order.quantity * order.limitPrice, decimals: quoteDecimals, roundingUp: false)
            plan = .buying(quantity, of: base.address, payingAtMost: maximum, of: quote.address, venue: venue, pool: address,
                           recipient: wallet)
        }
        let entry = EVMOrderJournal.Entry(clientOrderId: order.clientOrderId, venue: order.venue.name,
                                          symbol: order.symbol.description, side: order.side, stage: .planned,
                                          pool: address.checksummed, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
        return (plan, entry)
    }

    /// `amount` in a token's base units, truncated, or rounded up when `roundingUp` (a bound that may only tighten).
    static func units(_ amount: FixedDecimal, decimals: Int, roundingUp: Bool) throws -> BigUInt {
        guard !amount.isNegative else { throw EVMLiveError.negativeAmount(amount) }
        var units = amount.units(decimals: decimals)
        if roundingUp, FixedDecimal(units: units, decimals: decimals) != amount { units += 1 }
        return BigUInt(units)
    }

    /// The order's report from the mined swap: amounts from the pool's Swap log, gas from the receipts.
    func report(_ order: OrderRequest, result: SwapResult, entry: EVMOrderJournal.Entry, gasBefore: FixedDecimal)
        -> ExecutionReport {
        let gas = gasBefore + Self.gasToken(result.receipt.feePaidWei)
        switch result.outcome {
        case .filled(let fill, _):
            return filledReport(order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side, fill: fill,
                                entry: entry, gas: gas)
        case .canceled:
            return unfilled(order.clientOrderId, order.venue, order.symbol, order.side, .canceled, reason: Self.canceledOnChain,
                            gas: gas)
        case .failed(let reason):
            let why = reason.map { "\($0)" } ?? "no reason given"
            return unfilled(order.clientOrderId, order.venue, order.symbol, order.side, .rejected,
                            reason: "swap reverted on chain: \(why)", gas: gas, failure: Self.revertedOnChain(why))
        }
    }

    /// An order that ended with nothing traded: its status, why, and the gas it burnt all the same.
    func unfilled(_ clientOrderId: String, _ venue: VenueId, _ symbol: Symbol, _ side: Side, _ status: ExecutionReport.Status,
                  reason: String, gas: FixedDecimal, failure: ExecutionFailure? = nil) -> ExecutionReport {
        ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side, status: status, reason: reason,
                        filledQuantity: .zero, notional: .zero, fee: .zero, gas: gas,
                        gasToken: gas.isZero ? nil : feed.chain.gasToken, executedAt: clock.now(), failure: failure)
    }

    static let canceledOnChain = "canceled on chain: a 0-value transfer took its nonce"

    static func revertedOnChain(_ why: String?) -> ExecutionFailure {
        ExecutionFailure(code: "reverted", failureClass: .chain, reason: "the swap reverted on chain (gas was still spent)",
                         venueMessage: why)
    }

    /// A sell paid its base in and got the quote out; a buy the other way. The pool's fee is inside those amounts
    /// (the Swap log carries no separate fee), so the fee booked is zero and the cash is exact.
    func filledReport(_ clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, fill: SwapFill,
                      entry: EVMOrderJournal.Entry, gas: FixedDecimal) -> ExecutionReport {
        let (baseUnits, quoteUnits) = side == .sell ? (fill.amountIn, fill.amountOut) : (fill.amountOut, fill.amountIn)
        return ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side, status: .filled, reason: nil,
                               filledQuantity: FixedDecimal(units: Int128(baseUnits), decimals: entry.baseDecimals),
                               notional: FixedDecimal(units: Int128(quoteUnits), decimals: entry.quoteDecimals), fee: .zero,
                               gas: gas, gasToken: feed.chain.gasToken, executedAt: clock.now())
    }

    /// A swap that did not go, or did not end as sent: refused before sending (nothing spent but what approvals burnt),
    /// or left unconfirmed (the order stays open: a query settles it).
    func fail(_ order: OrderRequest, _ error: SwapError, gas: FixedDecimal, entry: EVMOrderJournal.Entry) {
        switch error {
        case .notConfirmed(_, .pending):
            return
        case .notConfirmed(_, .dropped):
            finish(order, entry: entry, status: .expired, reason: "dropped by the node before it was mined", gas: gas, failure: nil)
        case .refused(let stage, let reason):
            finish(order, entry: entry, status: .rejected, reason: "not sent: \(stage) reverts: \(reason)", gas: gas,
                   failure: ExecutionFailure(code: "would_revert", failureClass: .market,
                                             reason: "the swap would revert at the latest block; nothing was sent",
                                             venueMessage: "\(reason)"))
        case .node(let rpc) where entry.stage == .planned:
            finish(order, entry: entry, status: .rejected, reason: "not sent: \(rpc)", gas: gas,
                   failure: ExecutionFailure(code: "node", failureClass: .rejected,
                                             reason: "the chain's node could not be used; nothing was sent", venueMessage: "\(rpc)"))
        default:
            if entry.stage == .planned {
                finish(order, entry: entry, status: .rejected, reason: "not sent: \(error)", gas: gas,
                       failure: ExecutionFailure(code: "not_sent", failureClass: .rejected, reason: "the swap was not sent",
                                                 venueMessage: "\(error)"))
            }
            // Signed or sent and then lost sight of: the order stays open; a query asks the chain.
        }
    }

    func finish(_ order: OrderRequest, entry: EVMOrderJournal.Entry, status: ExecutionReport.Status, reason: String,
                gas: FixedDecimal, failure: ExecutionFailure?) {
        let report = unfilled(order.clientOrderId, order.venue, order.symbol, order.side, status, reason: reason, gas: gas,
                              failure: failure)
        var done = entry
        done.stage = .done
        done.report = report
        journal.record(done)
        var updates = report.updates(venueOrderId: entry.hash)
        // The gas burnt rides on the order's last word.
        if !gas.isZero, let last = updates.indices.last {
            updates[last].gas = gas
            updates[last].gasToken = feed.chain.gasToken
        }
        for update in updates { post(update) }
    }

    func reject(_ order: OrderRequest, code: String, _ failureClass: ExecutionFailure.Class, _ reason: String) {
        post(OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue,
                         kind: .rejected(ExecutionFailure(code: code, failureClass: failureClass, reason: reason)), at: clock.now()))
    }

    /// The transaction as the Orders panel shows it: "tx 0x1234…cdef public" (the public mempool) or "… private" (the
    /// private relay).
    static func shown(hash: [UInt8], route: SubmissionRoute) -> String {
        "tx \(short(hash)) \(route.isPrivate ? "private" : "public")"
    }

    /// Wei as the gas token, exactly (18 decimals).
    static func gasToken(_ wei: BigUInt) -> FixedDecimal { FixedDecimal(units: Int128(wei), decimals: 18) }

    /// What the mined ones of `hashes` paid for gas, and whether any is still pending (a dropped one paid nothing).
    func gasBurnt(by hashes: [[UInt8]]) async throws -> (paid: FixedDecimal, pending: Bool) {
        var paid = FixedDecimal.zero, pending = false
        let watch = TransactionWatch(client: feed.client)
        for hash in hashes {
            switch try await watch.state(of: hash) {
            case .mined(let receipt, _): paid += Self.gasToken(receipt.feePaidWei)
            case .pending: pending = true
            case .dropped: continue
            }
        }
        return (paid, pending)
    }
}

/// An order's journal entry as its swap goes out, written from the executor's events.
final class LockedEntry: Sendable {
    private let held: Mutex<EVMOrderJournal.Entry>
    init(_ entry: EVMOrderJournal.Entry) { held = Mutex(entry) }
    func withLock<T>(_ body: (inout EVMOrderJournal.Entry) -> T) -> T { held.withLock { body(&$0) } }
}

/// The hashes of transactions an order needed before its swap (approval, wrap), whose gas it also pays.
final class SideTransactions: Sendable {
    private let held = Mutex<[[UInt8]]>([])
    var hashes: [[UInt8]] { held.withLock { $0 } }
    func add(_ hash: [UInt8]) { held.withLock { $0.append(hash) } }
}

/// Why an order cannot become a swap.
public enum EVMLiveError: Error, Sendable, Hashable, CustomStringConvertible {
    case noPool(MarketKey)
    case noRouter(String)
    case negativeAmount(FixedDecimal)
    case decimals(EthereumAddress, BigUInt)
    case notSwappable(DexProtocol, dex: String)
    /// A speed-up or cancel of an order with no transaction waiting to be mined (not sent yet, or already ended).
    case nothingWaiting(String)

    public var description: String {
        switch self {
        case .noPool(let key): "\(key): no pool read for it"
        case .noRouter(let dex): "\(dex): no router address to send swaps to"
        case .negativeAmount(let amount): "amount \(amount) is negative"
        case .decimals(let token, let value): "\(token) says it has \(value) decimals (more than 18)"
        case .notSwappable(let kind, let dex): "\(dex): a \(kind.rawValue) swap is not built for this pool's market"
        case .nothingWaiting(let id): "\(id): no transaction of it is waiting to be mined"
        }
    }
}
