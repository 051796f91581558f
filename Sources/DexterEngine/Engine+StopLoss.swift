import DexterCore
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// Stop-losses: inventory whose price falls past its stop is sold down at every account that holds it.
extension Engine {
    /// Each asset with a stop, held at a cost, against its reference price now. One past its stop is closed once and
    /// stays stopped out (no new arbitrage in it) until a risk manager resumes, which re-arms the stop.
    func checkStopLosses(at now: Timestamp) {
        let stops = config.stopLoss
        guard !stops.percentBelowCost.isEmpty, !ledgerFailed else { return }
        for asset in stops.percentBelowCost.keys.sorted() where stoppedOut[asset] == nil {
            guard let lots = lotCost[asset.code], let mark = pipeline.state.usdValue(of: asset),
                  let reading = stops.reading(asset: asset, quantity: lots.quantity, costUSD: lots.costUSD, markUSD: mark),
                  reading.isTriggered else { continue }
            closePosition(reading, at: now)
        }
    }

    /// How each held asset with a stop stands against it, for the Risk panel.
    func stopLossReadings() -> [StopLossReading] {
        config.stopLoss.percentBelowCost.keys.sorted().compactMap { asset in
            guard let lots = lotCost[asset.code], let mark = pipeline.state.usdValue(of: asset) else { return nil }
            return config.stopLoss.reading(asset: asset, quantity: lots.quantity, costUSD: lots.costUSD, markUSD: mark)
        }
    }

    /// Sells `reading.asset` at every account holding it, each on the market there that pays the most dollars now,
    /// as an IOC limit at most `maxSlippageBps` under its quote. A chain wallet keeps its gas token's reserve. Each
    /// order is its own booking, its record on disk before it leaves.
    func closePosition(_ reading: StopLossReading, at now: Timestamp) {
        let asset = reading.asset
        stoppedOut[asset] = reading.description
        audit("stop-loss", reading.description, at: now)
        if let haltReason {
            notify(.error, "STOP-LOSS: \(reading); trading is halted (\(haltReason)), nothing sent — resume to close it", at: now)
            return publish(force: true)
        }
        var sent: [String] = [], kept: [String] = []
        for account in pipeline.inventory.accounts {
            var held = pipeline.inventory.available(asset, at: account)
            let reserve = gasReserve(of: asset, at: account)
            if reserve.isPositive, held.isPositive {
                kept.append("\(FixedDecimal.min(held, reserve)) at \(account) for gas")
                held -= reserve
            }
            guard held.isPositive else { continue }
            guard let (market, quote) = bestClosingMarket(for: asset, at: account, quantity: held) else {
                kept.append("\(held) at \(account): no dollar market to sell on")
                continue
            }
            let instrument = market.instrument
            let quantity = quote.quantity.rounded(toMultipleOf: instrument.lotSize, .down)
            guard quantity.isPositive else { continue }
            let quoted = market.liquidity.isPool ? quote.averagePrice : quote.worstPrice
            let limit = config.stopLoss.worstSellPrice(quotedAt: quoted).rounded(toMultipleOf: instrument.tickSize, .up)
            sequence += 1
            let id = "\(runId)-s\(sequence)"
            let record = OpportunityRecord(
                id: "\(id)-r", pair: instrument.symbol.description, buyVenue: "", sellVenue: market.venue.id.name,
                quantity: quantity, gross: .zero, fees: .zero, gas: .zero, slippage: .zero, net: .zero, netUSD: .zero,
                decision: .approved, reason: "stop-loss: \(reading)", user: config.user, detectedAt: now, decidedAt: now,
                detailJSON: "{}")
            do { try ledger.record(record) } catch {
                return haltOnLedgerFailure("before the stop-loss on \(asset): \(error); nothing more was sent", at: now)
            }
            let order = PaperOrder(clientOrderId: "\(id)-1", venue: market.venue.id, symbol: instrument.symbol, side: .sell,
                                   quantity: quantity, limitPrice: limit, submittedAt: now)
            send([order], for: Execution(closing: [order], arbitrageId: id, record: record, purpose: .stopLoss(asset)), at: now)
            sent.append("\(quantity) on \(market.venue.id) at ≥ \(limit)")
            if quantity < held { kept.append("\(held - quantity) at \(account): the market is too thin for more") }
        }
        notify(.error, "STOP-LOSS: \(reading); selling " + (sent.isEmpty ? "nothing" : sent.joined(separator: ", "))
               + (kept.isEmpty ? "" : "; kept " + kept.joined(separator: ", ")) + ". No new arbitrage in \(asset) until resumed",
               at: now)
        publish(force: true)
    }

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
              let units = config.universe.pools.filter({ $0.venue.kind.chain == chain }).map(\.gasUnits).max() else { return .zero }
        return gas.cost(units: units * Self.gasReserveSwaps)
    }
}
