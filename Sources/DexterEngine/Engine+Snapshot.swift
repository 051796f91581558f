import Foundation
import DexterCore
import DexterDetect
import DexterMarket
import DexterRisk
import DexterVenues

extension Engine {
    /// Freezes the desk into a snapshot for the screen, at most every publish interval unless forced.
    func publish(force: Bool = false) {
        let now = clock.now()
        if !force && now.duration(since: lastPublish) < .milliseconds(33) { return }
        lastPublish = now
        board.publish(makeSnapshot(at: now))
    }

    func makeSnapshot(at now: Timestamp) -> Snapshot {
        let state = pipeline.state
        let opportunities = pipeline.opportunities.sorted {
            ($0.netUSD, $1.id) > ($1.netUSD, $0.id)
        }
        var stale: [String] = []
        for venue in state.venues {
            let last = pipeline.lastUpdate[venue.id] ?? .zero
            if now.duration(since: last) > venue.stalenessBound { stale.append(venue.id.name) }
        }
        let inventory = portfolio.inventory
        var balances: [BalanceRow] = []
        for account in inventory.accounts {
            for (asset, amount) in (inventory.balances[account] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let chain: String? = if case .wallet(let chain) = account { chain.name } else { nil }
                balances.append(BalanceRow(account: account.description, chain: chain, asset: asset.code,
                                           amount: amount, usdValue: state.usdValue(of: asset).map { $0 * amount.doubleValue }))
            }
        }
        let margins = marginRows()
        var snapshot = Snapshot(
            mode: config.mode, user: config.user, clock: now, opportunities: opportunities,
            feed: FeedHealth(updatesPerSecond: updatesPerSecond, venues: state.venues.count, staleVenues: stale),
            pnl: portfolio.pnl, limits: RiskCheck.utilisation(limits: config.limits, usage: portfolio.usage) + stopLossReadings().map(\.usage)
                + Self.marginGauges(margins) + rateGauges(at: now),
            limitsSummary: RiskLimitsSummary(maxNotionalPerTradeUSD: config.limits.maxNotionalPerTradeUSD,
                                             allowedPairs: config.limits.allowedSymbols.count),
            tradingState: tradingState, balances: balances, notifications: Array(notifications.prefix(50)),
            confirmation: confirmation, executing: inFlight.values.map(\.name.description).sorted())
        snapshot.cycleConfirmation = cycleConfirmation
        snapshot.wallets = WalletAttribution.group(balances, wallets: config.wallets, source: "simulated")
        markLowGas(&snapshot.wallets)
        snapshot.alerts = config.alerts + control.stoppedOut.keys.sorted().map { "\($0) STOPPED OUT: resume re-arms its stop" }
        snapshot.margins = margins
        snapshot.markets = marketRows(at: now)
        snapshot.alerts += snapshot.margins.filter { $0.ratio >= 1 }.map {
            "MARGIN CALL: \($0.account) margin ratio \(Format4.percent($0.ratio)); the venue liquidates at 100 %"
        }
        // A venue that cannot take a leg now, by name: down, resyncing, or rate-limited.
        snapshot.alerts += connections.filter { !$0.value.isTradable && $0.value != .connecting }.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }
        snapshot.alerts += rateLimited(at: now).sorted { $0.key < $1.key }.map { "\($0.key) rate-limited (\($0.value))" }
        snapshot.positions = positionRows()
        snapshot.alerts += snapshot.positions.filter(\.priceWarning).compactMap { row in
            row.priceNote.map { "\(row.asset) price: \($0)" }
        }
        snapshot.orders = orderManager.rows(limit: 50)
        snapshot.haltReason = control.haltReason
        snapshot.role = config.deskUser.role.description
        snapshot.cycles = pipeline.cycles.best
        snapshot.riskSamples = riskWatch.sampleCount
        snapshot.risk = riskFigures
        for opportunity in opportunities.prefix(Self.unwindEstimates) {
            if let cost = unwindCostUSD(opportunity) { snapshot.unwindCosts[opportunity.id] = cost }
        }
        return snapshot
    }
}

extension Engine {
    /// The top of every market, for the Markets panel, with a perpetual's next funding.
    func marketRows(at now: Timestamp) -> [MarketRow] {
        let funding = pipeline.state.funding
        return pipeline.state.markets.map { market in
            let top: MarketRow.Top
            if case .book(let book) = market.liquidity {
                top = .book(bid: book.bids.first.map { MarketRow.Level(price: $0.price, quantity: $0.quantity) },
                            ask: book.asks.first.map { MarketRow.Level(price: $0.price, quantity: $0.quantity) })
            } else {
                top = .pool(bid: market.screen.topSellPrice, ask: market.screen.topBuyPrice)
            }
            let next = market.instrument.margin == nil ? nil : funding[market.key].map {
                MarketRow.Funding(rate: $0.rate, untilNext: max(.zero, $0.nextFundingTime.duration(since: now)))
            }
            return MarketRow(venue: market.key.venue.name, symbol: market.key.symbol.description, top: top,
                             age: market.quoteAge(at: now), stale: market.isStale(at: now),
                             feed: connections[market.key.venue]?.description, funding: next)
        }.sorted { ($0.symbol, $0.venue) < ($1.symbol, $1.venue) }
    }
}

/// Prices in alerts: enough digits to compare, no more.
enum Format4 {
    static func percent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%.1f %%", fraction * 100) : "∞ %"
    }

    static func price(_ value: Double) -> String {
        value >= 100 ? String(format: "%.2f", value) : value >= 1 ? String(format: "%.4f", value) : String(format: "%.6f", value)
    }
}

extension Engine {
    /// How many of the best opportunities carry an unwind estimate (each is one quote on the buy venue).
    static let unwindEstimates = 30

    /// How many of its chain's dearest swaps a wallet's gas balance must pay for before it is flagged.
    static let gasReserveSwaps = 20

    /// Flags each chain where the wallet's gas token would not pay for `gasReserveSwaps` swaps at today's gas price.
    func markLowGas(_ wallets: inout [WalletBalances]) {
        let state = pipeline.state
        for w in wallets.indices where wallets[w].wallet.kind != .cex && wallets[w].wallet.canSign {
            for c in wallets[w].chains.indices {
                let chain = ChainId(wallets[w].chains[c].chain)
                guard let gas = state.gas[chain],
                      let units = swapGasUnits(on: chain) else { continue }
                let needed = gas.cost(units: units * Self.gasReserveSwaps)
                let held = wallets[w].chains[c].assets.first { $0.asset == gas.token.code }?.amount ?? .zero
                if held < needed { wallets[w].chains[c].lowGas = gas.token.code }
            }
        }
    }

    func marginRows() -> [MarginRow] {
        marginAccounts().map { account, margin in
            MarginRow(account: account.description, collateral: margin.collateral, equity: margin.equity,
                      maintenanceMargin: margin.maintenanceMargin, ratio: margin.marginRatio, reduceAt: config.marginBuffer?.reduceAt,
                      positions: margin.holdings.map {
                          MarginRow.Perpetual(symbol: $0.symbol.description, size: $0.position.size, entryPrice: $0.position.entryPrice,
                                              mark: $0.mark, unrealised: $0.position.unrealised(at: $0.mark))
                      })
        }
    }

    /// Venues that take no more orders for now, and why ("api held for 12 s", "ord 50/50 spent"): never a leg of an
    /// approved trade until it passes.
    func rateLimited(at now: Timestamp) -> [VenueId: String] {
        var limited: [VenueId: String] = [:]
        for client in venues.executionClients.compactMap({ $0 as? any RateLimitReporting }) {
            let reasons = client.rateLimitUsage(at: now).compactMap { $0.exhaustion(at: now) }
            guard !reasons.isEmpty else { continue }
            for venue in client.venueIds { limited[venue] = reasons.joined(separator: ", ") }
        }
        return limited
    }

    /// Each live venue's rate limits as it counts them ("kraken api", "kraken ord"), as gauges for the Risk panel.
    func rateGauges(at now: Timestamp) -> [LimitUsage] {
        venues.executionClients.compactMap { $0 as? any RateLimitReporting }.flatMap { client in
            let venue = client.venueIds.first?.name ?? "?"
            return client.rateLimitUsage(at: now).filter { $0.limit > 0 }.map {
                LimitUsage(name: "\(venue) \($0.name)", used: FixedDecimal($0.used), limit: FixedDecimal($0.limit), unit: "")
            }
        }
    }

    /// The margin ratio of each account against the buffer, as a gauge for the Risk panel.
    static func marginGauges(_ margins: [MarginRow]) -> [LimitUsage] {
        margins.compactMap { margin in
            margin.reduceAt.map { reduceAt in
                LimitUsage(name: "margin \(margin.account)", used: FixedDecimal(approximating: min(margin.ratio, 10) * 100).rounded(digits: 2),
                           limit: FixedDecimal(approximating: reduceAt * 100).rounded(digits: 2), unit: "%")
            }
        }
    }

    func positionRows() -> [PositionRow] {
        let inventory = portfolio.inventory
        let state = pipeline.state
        return inventory.assets.map { asset in
            let quantity = inventory.total(asset)
            let price = state.usdValue(of: asset)
            let accounts = inventory.accounts.compactMap { account -> (account: String, quantity: FixedDecimal)? in
                let held = inventory.balances[account]?[asset] ?? .zero
                return held.isZero ? nil : (account.description, held)
            }.sorted { $0.quantity > $1.quantity }
            var row = PositionRow(asset: asset.code, quantity: quantity, usdValue: price.map { $0 * quantity.doubleValue },
                                  unrealisedUSD: price.flatMap { now in
                                      // Against FIFO cost where the ledger holds lots; else the move since the open.
                                      if let lots = portfolio.lotCost[asset.code], lots.quantity.isPositive {
                                          return now * lots.quantity.doubleValue - lots.costUSD.doubleValue
                                      }
                                      return portfolio.openingPrices[asset].map { (now - $0) * quantity.doubleValue }
                                  },
                                  accounts: accounts)
            let realised = portfolio.realisedByAsset[asset.code] ?? [:]
            row.realisedTodayUSD = realised.values.reduce(.zero, +)
            if let reference = state.reference(of: asset, in: "USDC", at: clock.now()) {
                (row.priceNote, row.priceWarning) = Self.trust(reference)
            }
            row.realisedByVenue = realised.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return row
        }.sorted { ($0.usdValue ?? 0) > ($1.usdValue ?? 0) }
    }

    /// Samples the holdings' prices and works out VaR, ES, volatility and correlation on the holdings as they are.
    /// The price exposure VaR is taken on: each asset's holdings plus its net perpetual size (a long perp is exposed
    /// like the coin; a hedged pair nets to nothing and carries basis, watched through margin instead).
    func sampleRisk(at now: Timestamp) {
        let state = pipeline.state
        let inventory = portfolio.inventory
        let units = inventory.priceExposure
        let assets = units.keys.sorted()
        riskWatch.sample(at: now, assets: assets) { state.usdValue(of: $0) }
        riskFigures = riskWatch.figures(positions: Dictionary(uniqueKeysWithValues: assets.compactMap { asset in
            state.usdValue(of: asset).map { (asset, $0 * (units[asset] ?? .zero).doubleValue) }
        }))
    }

    /// What to say about a reference price, if anything: nothing when several fresh sources agree.
    public static func trust(_ reference: ReferencePrice) -> (note: String?, warning: Bool) {
        let isStable = MarketState.dollarPegs.contains(reference.asset)
        if isStable && reference.method != .peg && abs(reference.value - 1) > 0.005 {
            let percent = (reference.value - 1) * 100
            return ("trades at \(String(format: "%.4f", reference.value)) (\(String(format: "%+.2f", percent)) %), "
                    + "valued at market, not $1", true)
        }
        if reference.method == .peg { return ("no market: taken at the $1 peg", false) }
        if !reference.outliers.isEmpty {
            let names = reference.outliers.map { "\($0.venue) \(Format4.price($0.price))" }.joined(separator: ", ")
            return ("ignored outlier \(names) vs \(Format4.price(reference.value))", false)
        }
        if reference.freshness == 0 { return ("every source is stale", true) }
        if reference.confidence < 0.5 {
            return ("confidence \(String(format: "%.2f", reference.confidence)) (\(reference.sources.count) source"
                    + (reference.sources.count == 1 ? "" : "s") + ", \(reference.method))", false)
        }
        return (nil, false)
    }

    /// Publishes a snapshot now, whatever the rate limit (tests and the first frame).
    public func publishNow() { publish(force: true) }
}
