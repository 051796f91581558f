import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// An asset being sold down by its stop: the closing orders each account has had, and when the last went.
struct StopClosing: Sendable {
    var attempts: [AccountId: Int] = [:]
    var lastSent: Timestamp
    /// The trader was told a halt paused it.
    var toldHalted = false
}

/// Stop-losses: inventory whose price falls past its stop is sold down at every account that holds it.
extension Engine {
    /// Each asset with a stop, held at a cost, against its reference price now. One past its stop is closed once and
    /// stays stopped out (no new arbitrage in it) until a risk manager resumes, which re-arms the stop. While it is
    /// being closed, what a closing order left (it missed its limit, or filled short) is sent again after a pause,
    /// a few times per account.
    func checkStopLosses(at now: Timestamp) {
        guard !config.stopLoss.percentBelowCost.isEmpty, !control.ledgerFailed else { return }
        for reading in stopLossReadings() where reading.isTriggered && control.stoppedOut[reading.asset] == nil {
            closePosition(reading, at: now)
        }
        if let haltReason = control.haltReason {
            // Halted means nothing is sent, a closing stop included: once its orders out have settled, say what it
            // leaves unsold.
            for (asset, state) in closing.sorted(by: { $0.key < $1.key })
            where !state.toldHalted && !inFlight.values.contains(where: { $0.purpose == .stopLoss(asset) }) {
                let unsold = portfolio.inventory.accounts.compactMap { account -> DeskEvent.Holding? in
                    let held = portfolio.inventory.available(asset, at: account) - gasReserve(of: asset, at: account)
                    return held.isPositive ? DeskEvent.Holding(quantity: held, account: account) : nil
                }
                closing[asset]?.toldHalted = true
                guard !unsold.isEmpty else { continue }
                notify(.stopLossPausedByHalt(asset, haltReason: haltReason, unsold: unsold), at: now)
            }
            return
        }
        for (asset, state) in closing.sorted(by: { $0.key < $1.key }) where now.duration(since: state.lastSent) >= Self.stopRetryPause {
            sendClosingOrders(asset, at: now)
        }
    }

    /// How each held asset with a stop stands against it, for the Risk panel.
    func stopLossReadings() -> [StopLossReading] {
        config.stopLoss.percentBelowCost.keys.sorted().compactMap { asset in
            guard let lots = portfolio.lotCost[asset.code], let mark = pipeline.state.usdValue(of: asset) else { return nil }
            return config.stopLoss.reading(asset: asset, quantity: lots.quantity, costUSD: lots.costUSD, markUSD: mark)
        }
    }

    /// The stop is past: the asset is stopped out, the stop audited, and its inventory sold down (unless halted).
    func closePosition(_ reading: StopLossReading, at now: Timestamp) {
        let asset = reading.asset
        control.stopOut(asset, because: reading.description)
        audit("stop-loss", reading.description, at: now)
        if let haltReason = control.haltReason {
            notify(.stopLossTriggeredWhileHalted(reading, haltReason: haltReason), at: now)
            return publish(force: true)
        }
        closing[asset] = StopClosing(lastSent: now)
        notify(.stopLossTriggered(reading), at: now)
        sendClosingOrders(asset, at: now)
    }

    /// Sells what each account still holds of `asset`, each on the market there that pays the most dollars now, as
    /// an IOC limit at most `maxSlippageBps` under its quote. A chain wallet keeps its gas token's reserve; an amount
    /// under the market's minimum is left as dust. Each order is its own booking, its record on disk before it
    /// leaves. When nothing is left to send and nothing is out, the closing is over, and what could not be sold is said.
    func sendClosingOrders(_ asset: Asset, at now: Timestamp) {
        guard var state = closing[asset] else { return }
        var sent: [DeskEvent.StopLossSale] = [], kept: [DeskEvent.StopLossKept] = []
        var pending = false
        for account in portfolio.inventory.accounts {
            if inFlight.values.contains(where: { $0.purpose == .stopLoss(asset) && $0.orders.contains { self.account(of: $0) == account } }) {
                pending = true
                continue
            }
            // What an arbitrage in flight is selling of it is not there to sell again.
            var held = tradableInventory.available(asset, at: account)
            let reserve = gasReserve(of: asset, at: account)
            if reserve.isPositive, held.isPositive, state.attempts[account] == nil {
                kept.append(.init(quantity: FixedDecimal.min(held, reserve), account: account, why: .gasReserve))
            }
            held -= reserve
            guard held.isPositive else { continue }
            guard let (market, quote) = bestClosingMarket(for: asset, at: account, quantity: held) else {
                kept.append(.init(quantity: held, account: account, why: .noDollarMarket))
                continue
            }
            let instrument = market.instrument
            let quantity = quote.quantity.rounded(toMultipleOf: instrument.lotSize, .down)
            guard quantity.isPositive, quote.notional >= instrument.minNotional else { continue }
            let attempts = state.attempts[account] ?? 0
            guard attempts < Self.stopAttempts else {
                kept.append(.init(quantity: held, account: account, why: .notSold(afterOrders: attempts)))
                continue
            }
            state.attempts[account] = attempts + 1
            let quoted = market.liquidity.isPool ? quote.averagePrice : quote.worstPrice
            let limit = config.stopLoss.worstSellPrice(quotedAt: quoted).rounded(toMultipleOf: instrument.tickSize, .up)
            sequence += 1
            let id = "\(runId)-s\(sequence)"
            let record = OpportunityRecord(
                id: "\(id)-r", pair: instrument.symbol.description, buyVenue: "", sellVenue: market.venue.id.name,
                quantity: quantity, gross: .zero, fees: .zero, gas: .zero, slippage: .zero, net: .zero, netUSD: .zero,
                decision: .approved, reason: "stop-loss: \(control.stoppedOut[asset] ?? asset.code)", user: config.user, detectedAt: now,
                decidedAt: now, detailJSON: "{}")
            do { try committing(.decision) { try ledger.record(record) } } catch {
                return haltOnLedgerFailure(.init(.stopLoss(asset), error), at: now)
            }
            let order = OrderRequest(clientOrderId: "\(id)-1", venue: market.venue.id, symbol: instrument.symbol, side: .sell,
                                   quantity: quantity, limitPrice: limit, submittedAt: now)
            send([order], for: Execution(closing: [order], arbitrageId: id, record: record, purpose: .stopLoss(asset)), at: now)
            sent.append(.init(quantity: quantity, venue: market.venue.id, limit: limit, order: attempts + 1))
            if quantity < held { kept.append(.init(quantity: held - quantity, account: account, why: .marketTooThin)) }
        }
        state.lastSent = now
        closing[asset] = state
        if !sent.isEmpty {
            notify(.stopLossSelling(asset, sales: sent, kept: kept), at: now)
        } else if !pending {
            closing[asset] = nil
            if kept.contains(where: { $0.why != .gasReserve }) {
                notify(.stopLossIncomplete(asset, kept: kept), at: now)
            } else {
                notify(.stopLossClosed(asset, kept: kept), at: now)
            }
        }
        publish(force: true)
    }

    /// The account an order's venue holds its inventory in.
    func account(of order: OrderRequest) -> AccountId? {
        pipeline.state[MarketKey(venue: order.venue, symbol: order.symbol)]?.venue.account
    }

    /// Closing orders a stop may send per account, and the pause before sending what the last left.
    static let stopAttempts = 5
    static let stopRetryPause = Duration.seconds(1)

    /// The spot market at `account` quoting `asset` in a dollar coin where selling `quantity` (or as much of it as
    /// the market takes) brings the most dollars now.
    func bestClosingMarket(for asset: Asset, at account: AccountId, quantity: FixedDecimal) -> (Market, LegQuote)? {
        let state = pipeline.state
        let now = clock.now()
        var best: (market: Market, quote: LegQuote, usd: Double)?
        for market in state.markets where market.venue.account == account && market.key.symbol.base == asset
            && market.key.symbol.isSpot && MarketState.dollarPegs.contains(market.key.symbol.quote) && !market.isStale(at: now) {
            let quote: LegQuote
            do { quote = try market.quote(.sell, quantity: quantity) } catch {
                guard case .insufficientDepth(let available) = error,
                      let partial = try? market.quote(.sell, quantity: available.rounded(toMultipleOf: market.instrument.lotSize, .down))
                else { continue }
                quote = partial
            }
            let usd = quote.cash.doubleValue * (state.usdValue(of: market.key.symbol.quote) ?? 0)
            if usd > best?.usd ?? 0 { best = (market, quote, usd) }
        }
        return best.map { ($0.market, $0.quote) }
    }

    /// What a chain wallet keeps of its gas token: enough for `gasReserveSwaps` of the chain's dearest swaps.
    func gasReserve(of asset: Asset, at account: AccountId) -> FixedDecimal {
        guard case .wallet(let chain) = account, let gas = pipeline.state.gas[chain], gas.token == asset,
              let units = swapGasUnits(on: chain) else { return .zero }
        return gas.cost(units: units * Self.gasReserveSwaps)
    }
}
