import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// Perpetual margin: each account's positions against its collateral at the marks, and the buffer that cuts them
/// before the venue's margin call.
extension Engine {
    /// The perpetual market of `symbol` at `account`'s venue.
    func perpetualMarket(_ symbol: Symbol, at account: AccountId) -> Market? {
        guard case .exchange(let venue) = account else { return nil }
        return pipeline.state[MarketKey(venue: venue, symbol: symbol)]
    }

    /// `account`'s margin at the marks now. A venue marks to its index (spot prices across exchanges), but a position
    /// closes at its own book, which can run ahead of the index. The desk marks each position at the worse of the two
    /// for it (the higher for a short, the lower for a long): what it would cost to get out, so a cut never realises a
    /// loss the ratio did not show. The index is the reference price of the base across spot markets; with no spot
    /// market, the book's mid alone; with neither, the entry.
    func marginAccount(_ account: AccountId) -> MarginAccount {
        let inventory = portfolio.inventory
        var settles = Set<Asset>()
        let holdings = (inventory.positions[account] ?? [:]).sorted { $0.key < $1.key }.compactMap { symbol, position -> MarginAccount.Holding? in
            guard let market = perpetualMarket(symbol, at: account), let terms = market.instrument.margin else { return nil }
            if let settle = symbol.settle { settles.insert(settle) }
            let prices = [pipeline.state.referencePrice(of: symbol.base, in: symbol.quote), market.mid].compactMap { $0 }
            let worse = position.size.isPositive ? prices.min() : prices.max()
            let mark = worse.map { FixedDecimal(approximating: $0).rounded(toMultipleOf: market.instrument.tickSize, .nearestEven) }
                ?? position.entryPrice
            return MarginAccount.Holding(symbol: symbol, position: position, mark: mark, terms: terms)
        }
        if settles.isEmpty { settles = Set(inventory.balances[account]?.keys.filter { MarketState.dollarPegs.contains($0) } ?? []) }
        let collateral = settles.reduce(FixedDecimal.zero) { $0 + inventory.available($1, at: account) }
        return MarginAccount(collateral: collateral, holdings: holdings)
    }

    /// Every account holding perpetuals, with its margin now.
    func marginAccounts() -> [(account: AccountId, margin: MarginAccount)] {
        portfolio.inventory.positions.keys.sorted().map { ($0, marginAccount($0)) }
    }

    /// Each tick: an account whose margin ratio has reached the buffer is cut back to its target, once at a time. It
    /// runs whatever the trading state (a cut only lowers exposure, and the alternative is the venue's liquidation at
    /// its own price), but not when the ledger cannot book it.
    func checkMarginBuffer(at now: Timestamp) {
        guard let buffer = config.marginBuffer, !control.ledgerFailed, !portfolio.inventory.positions.isEmpty else { return }
        for (account, margin) in marginAccounts() {
            let cutting = inFlight.values.contains { if case .marginReduction(account) = $0.purpose { true } else { false } }
            // The stricter of the desk's model and the venue's own figures.
            let ratio = max(margin.marginRatio, venueMarginRatio(account, at: now) ?? 0)
            let fraction = buffer.reduction(atRatio: ratio)
            // A cut that just ended is given a moment to show in the marks before the next (a book that refused it
            // is not hammered every tick).
            let settled = lastMarginCut[account].map { now.duration(since: $0) >= Self.marginCutPause } ?? true
            guard !cutting, settled, fraction > 0 else { continue }
            lastMarginCut[account] = now
            cutPositions(at: account, margin: margin, fraction: fraction, buffer: buffer, now: now)
        }
    }

    static let marginCutPause = Duration.milliseconds(200)

    /// Closes `fraction` of each position at `account`, then as much of the opposite position in the same instrument on
    /// another account (the hedge) as that filled, or with none, of the spot it was carried against (a basis trade), so
    /// the desk stays as flat as it was. One booking per instrument.
    func cutPositions(at account: AccountId, margin: MarginAccount, fraction: Double, buffer: MarginBuffer, now: Timestamp) {
        let breach = DeskEvent.MarginBreach(account: account, ratio: margin.marginRatio, reduceAt: buffer.reduceAt,
                                            equity: margin.equity, maintenanceMargin: margin.maintenanceMargin)
        audit("margin buffer", breach.description, at: now)
        var cuts: [DeskEvent.MarginCut] = []
        for holding in margin.holdings {
            guard let market = perpetualMarket(holding.symbol, at: account) else { continue }
            let lot = market.instrument.lotSize
            let size = holding.position.size
            let cut = FixedDecimal.min(size.magnitude, (size.magnitude * FixedDecimal(approximating: fraction)).rounded(toMultipleOf: lot, .up))
            guard cut.isPositive else { continue }
            sequence += 1
            let id = "\(runId)-m\(sequence)"
            guard let first = closingOrder(id: "\(id)-1", market: market, closing: size, quantity: cut, buffer: buffer, now: now) else {
                cuts.append(.noBook(holding.symbol, venue: market.venue.id, quantity: cut))
                continue
            }
            var orders = [first]
            // The hedge: the opposite position elsewhere, cut by as much.
            for (other, positions) in portfolio.inventory.positions.sorted(by: { $0.key < $1.key }) where other != account {
                guard let hedge = positions[holding.symbol], hedge.size.isPositive != size.isPositive,
                      let hedgeMarket = perpetualMarket(holding.symbol, at: other) else { continue }
                let quantity = FixedDecimal.min(hedge.size.magnitude, cut).rounded(toMultipleOf: hedgeMarket.instrument.lotSize, .down)
                guard quantity.isPositive else { continue }
                guard let order = closingOrder(id: "\(id)-2", market: hedgeMarket, closing: hedge.size, quantity: quantity,
                                               buffer: buffer, now: now) else { continue }
                orders.append(order)
                break
            }
            // No perpetual on the other side: a basis trade's hedge is spot, traded back by as much.
            if orders.count == 1, let spot = spotHedge(of: holding.symbol, size: size, quantity: cut, id: "\(id)-2",
                                                       buffer: buffer, now: now) {
                orders.append(spot)
            }
            let record = OpportunityRecord(
                id: "\(id)-r", pair: holding.symbol.description,
                buyVenue: orders.first { $0.side == .buy }?.venue.name ?? "", sellVenue: orders.first { $0.side == .sell }?.venue.name ?? "",
                quantity: cut, gross: .zero, fees: .zero, gas: .zero, slippage: .zero, net: .zero, netUSD: .zero, decision: .approved,
                reason: "margin buffer: \(breach)", user: config.user, detectedAt: now, decidedAt: now, detailJSON: "{}")
            do { try committing(.decision) { try ledger.record(record) } } catch {
                return haltOnLedgerFailure(.init(.marginCut(account), error), at: now)
            }
            // The hedge goes only for what the cut filled.
            var execution = Execution(closing: orders, arbitrageId: id, record: record, purpose: .marginReduction(account))
            execution.held = Array(orders.dropFirst())
            send([first], for: execution, at: now)
            cuts += orders.map { .sent($0) }
        }
        notify(.marginCut(breach, fraction: fraction, cuts: cuts), at: now)
        publish(force: true)
    }

    /// The spot side of a basis trade, for a cut of `size` in `perpetual`: a short perpetual was carried against spot
    /// bought, sold back now where the most of it is held; a long one against spot sold, bought back where the quote
    /// is. At most `quantity`, on the spot market's lots; nil when no spot market of the underlying holds any.
    func spotHedge(of perpetual: Symbol, size: FixedDecimal, quantity: FixedDecimal, id: String, buffer: MarginBuffer,
                   now: Timestamp) -> OrderRequest? {
        let spot = perpetual.underlying
        guard spot != perpetual else { return nil }
        let state = pipeline.state, inventory = tradableInventory
        var best: (market: Market, quantity: FixedDecimal)?
        for index in state.indicesBySymbol[spot] ?? [] {
            let market = state.markets[index]
            let account = market.venue.account
            let room: FixedDecimal
            if size.isNegative {
                room = inventory.available(spot.base, at: account)
            } else {
                let price = market.screen.topBuyPrice
                guard price.isFinite, price > 0 else { continue }
                room = FixedDecimal(approximating: inventory.available(spot.quote, at: account).doubleValue / price * 0.99)
            }
            let amount = FixedDecimal.min(room, quantity).rounded(toMultipleOf: market.instrument.lotSize, .down)
            if amount.isPositive, amount > (best?.quantity ?? .zero) { best = (market, amount) }
        }
        guard let best else { return nil }
        // The spot held is the hedge of a short: selling it is what closing (positive size) means here.
        return closingOrder(id: id, market: best.market, closing: .zero - size, quantity: best.quantity, buffer: buffer,
                            now: now, reduceOnly: false)
    }

    /// A reduce-only IOC: the side that shrinks `closing`, limited `maxSlippageBps` past the deepest level its book
    /// quotes for the quantity now. Nil when the book cannot take the quantity.
    func closingOrder(id: String, market: Market, closing size: FixedDecimal, quantity: FixedDecimal,
                      buffer: MarginBuffer, now: Timestamp, reduceOnly: Bool = true) -> OrderRequest? {
        let side: Side = size.isPositive ? .sell : .buy
        guard let quote = try? market.quote(side, quantity: quantity) else { return nil }
        let slip = FixedDecimal(buffer.maxSlippageBps) / FixedDecimal(10_000)
        let limit = side == .sell ? (quote.worstPrice * (.one - slip)).rounded(toMultipleOf: market.instrument.tickSize, .down)
                                  : (quote.worstPrice * (.one + slip)).rounded(toMultipleOf: market.instrument.tickSize, .up)
        return OrderRequest(clientOrderId: id, venue: market.venue.id, symbol: market.key.symbol, side: side, quantity: quantity,
                            limitPrice: limit, submittedAt: now, reduceOnly: reduceOnly)
    }
}
