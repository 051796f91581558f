import DexterCore
import DexterDetect
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues

/// Permissions, limits and the checks every trade passes: the engine's risk side.
extension Engine {
    /// A risk manager changes a limit: in force for the next check, on the Risk panel at once, and audited.
    public func setLimit(_ change: LimitChange) {
        let now = clock.now()
        guard permitted(.setLimits, at: now) else { return }
        let before: FixedDecimal?
        switch change {
        case .maxNotionalPerTradeUSD(let value):
            before = config.limits.maxNotionalPerTradeUSD
            config.limits.maxNotionalPerTradeUSD = value
            pipeline.setMaxNotional(value)
        case .dailyVolumeUSD(let value):
            before = config.limits.dailyVolumeUSD
            config.limits.dailyVolumeUSD = value
        case .maxPosition(let asset, let value):
            before = config.limits.maxPosition[asset]
            config.limits.maxPosition[asset] = value
        }
        audit("limit changed", "\(change) (was \(change.describe(before)))", at: now)
        notify(.limitChanged(change, previous: before), at: now)
        publish(force: true)
    }

    /// Applies config.toml as read again; says and audits what changed.
    public func reloadConfig(_ reload: ConfigReload) {
        let now = clock.now()
        guard permitted(.setLimits, at: now) else { return }
        var changed: [DeskEvent.ConfigPart] = []
        if reload.limits != config.limits { changed.append(.limits) }
        if reload.autoHalt != config.autoHalt { changed.append(.automaticHalts) }
        if reload.maxExposurePerVenueUSD != config.maxExposurePerVenueUSD { changed.append(.venueExposureCap) }
        if reload.positionVaRBudgetUSD != config.positionVaRBudgetUSD { changed.append(.positionVaRBudget) }
        if reload.denyList != config.denyList { changed.append(.denyList(addresses: reload.denyList?.count ?? 0)) }
        if reload.stopLoss != config.stopLoss { changed.append(.stopLosses) }
        if reload.marginBuffer != config.marginBuffer { changed.append(.marginBuffer) }
        config.limits = reload.limits
        config.autoHalt = reload.autoHalt
        config.maxExposurePerVenueUSD = reload.maxExposurePerVenueUSD
        config.positionVaRBudgetUSD = reload.positionVaRBudgetUSD
        config.denyList = reload.denyList
        config.stopLoss = reload.stopLoss
        config.marginBuffer = reload.marginBuffer
        pipeline.setMaxNotional(reload.limits.maxNotionalPerTradeUSD)
        audit("config reload", DeskEvent.ConfigPart.summary(changed), at: now)
        notify(.configReloaded(changed), at: now)
        publish(force: true)
    }

    /// Checks the user may take `action`; a refusal is said on screen, logged and audited, naming the role needed.
    func permitted(_ action: DeskAction, at now: Timestamp) -> Bool {
        guard let denied = member.refusal(action) else { return true }
        notify(.notPermitted(denied), at: now)
        audit("refused", "\(action): \(denied)", at: now)
        publish(force: true)
        return false
    }

    /// Why an opportunity cannot be approved right now, or nil.
    func refusal(for opportunity: Opportunity, at now: Timestamp) -> ApprovalRefusal? {
        if let haltReason = control.haltReason { return .halted(reason: haltReason) }
        if control.stoppedOut[opportunity.symbol.base] != nil { return .stoppedOut(opportunity.symbol.base) }
        if opportunity.isExpired(at: now) { return .quoteStale(expiredAt: opportunity.expiresAt) }
        let limited = rateLimited(at: now)
        for leg in opportunity.legs {
            if let connection = connections[leg.venue], !connection.isTradable {
                return .venueNotTradable(leg.venue, connection)
            }
            if let why = limited[leg.venue] { return .venueRateLimited(leg.venue, why) }
        }
        if inFlight.values.contains(where: { $0.opportunity?.route == opportunity.route }) { return .routeInFlight }
        return nil
    }

    /// The eleven pre-trade checks on an arbitrage as it would be sent now.
    func riskCheck(_ opportunity: Opportunity) -> PreTradeDenial? {
        riskCheck(opportunity.legs.map(RiskLeg.init), proposal: tradeProposal(opportunity))
    }

    /// The trade as risk sees it: each leg in its own instrument (a basis trade's spot pair and perpetual are each
    /// an allowed pair or not), its notional in USD.
    func tradeProposal(_ opportunity: Opportunity) -> TradeProposal {
        let quoteUSD = FixedDecimal(approximating: pipeline.state.usdValue(of: opportunity.symbol.quote) ?? 0).rounded(digits: 8)
        return TradeProposal(legs: opportunity.legs.map {
            TradeProposal.Leg(symbol: $0.symbol, side: $0.side, quantity: $0.quantity, notional: $0.notional, quoteUSD: quoteUSD)
        })
    }

    /// The pre-trade check of a trade of any number of legs, in the order they go.
    func riskCheck(_ legs: [RiskLeg], proposal: TradeProposal) -> PreTradeDenial? {
        let now = clock.now()
        let state = pipeline.state
        // What the legs before have taken is not there for the next: two legs on one wallet (two DEXes of a chain)
        // both burn its gas.
        var spendable = tradableInventory
        let inventory = portfolio.inventory
        var orders: [OrderIntent] = []
        var exposure: [VenueId: FixedDecimal] = [:]
        for leg in legs {
            guard let market = state[MarketKey(venue: leg.venue, symbol: leg.symbol)] else { continue }
            let quoteUSD = FixedDecimal(approximating: state.usdValue(of: leg.symbol.quote) ?? 0).rounded(digits: 8)
            let account = market.venue.account
            var spendAsset = leg.side == .buy ? leg.symbol.quote : leg.symbol.base
            var spend = leg.side == .buy ? worstCost(of: leg, on: market) : leg.quantity
            var free = spendable.available(spendAsset, at: account)
            if let terms = market.instrument.margin, let settle = leg.symbol.settle {
                // On margin: what the leg opens (beyond closing the position) needs its initial margin, plus the fee,
                // from the account's equity not already tied up, at the marks now.
                let open = inventory.position(leg.symbol, at: account).size
                let closing = (leg.side == .sell) == open.isPositive ? FixedDecimal.min(open.magnitude, leg.quantity) : .zero
                spendAsset = settle
                spend = ((leg.quantity - closing) * leg.averagePrice / terms.maxLeverage + leg.fee).rounded(digits: 8, .up)
                free = marginAccount(account).available
            }
            let chain = market.venue.kind.chain
            let gasCap = Self.gasCap(leg.gas)
            orders.append(OrderIntent(
                venue: leg.venue, chain: chain, symbol: leg.symbol, side: leg.side, limitPrice: leg.worstPrice,
                quantity: leg.quantity, tickSize: market.instrument.tickSize, lotSize: market.instrument.lotSize,
                minNotional: market.instrument.minNotional, notional: leg.notional, spendAsset: spendAsset, spend: spend,
                free: free, gasToken: leg.gasToken, gas: gasCap,
                gasFree: leg.gasToken.map { spendable.available($0, at: account) } ?? .zero,
                quoteAge: now.duration(since: leg.receivedAt), stalenessBound: market.venue.stalenessBound))
            if market.instrument.margin == nil { spendable.debit(spendAsset, spend, at: account) }
            if let token = leg.gasToken { spendable.debit(token, gasCap, at: account) }
            // What the venue's account is worth after the leg: a buy brings base in and sends quote out.
            var value = exposure[leg.venue] ?? inventory.balances[account]?.reduce(FixedDecimal.zero) { total, holding in
                total + FixedDecimal(approximating: (state.usdValue(of: holding.key) ?? 0) * holding.value.doubleValue)
            } ?? .zero
            let baseUSD = FixedDecimal(approximating: state.usdValue(of: leg.symbol.base) ?? 0)
            let flow = leg.quantity * baseUSD - leg.notional * quoteUSD
            value += leg.side == .buy ? flow : .zero - flow
            exposure[leg.venue] = value.rounded(digits: 2)
        }
        // Worst case for positions: every leg fills but the last, so what each leg but the last brings in stays
        // (a pair: only the buy leg fills).
        var positionAfter: [Asset: FixedDecimal] = [:]
        var positionVaR: [Asset: FixedDecimal] = [:]
        for leg in proposal.legs.dropLast() {
            let (asset, amount) = leg.received
            let value = FixedDecimal(approximating: (state.usdValue(of: asset) ?? 0) * (inventory.total(asset) + amount).doubleValue)
                .rounded(digits: 2)
            positionAfter[asset] = value
            if let valueAtRisk = dailyVaR99(of: asset, worthUSD: value.doubleValue) {
                positionVaR[asset] = FixedDecimal(approximating: valueAtRisk).rounded(digits: 2)
            }
        }
        var request = PreTradeRequest(
            user: member, state: tradingState, reducesExposure: false, proposal: proposal, orders: orders,
            venueExposureAfterUSD: exposure, positionAfterUSD: positionAfter,
            userVolumeTodayUSD: volumeToday(of: member, at: now),
            rateBudget: Dictionary(orders.map { ($0.venue, rateBucket($0.venue).available(at: now)) }, uniquingKeysWith: { a, _ in a }))
        request.positionVaRAfterUSD = positionVaR
        return PreTradeCheck.check(request, limits: DeskLimits(risk: config.limits,
                                                               maxExposurePerVenueUSD: config.maxExposurePerVenueUSD,
                                                               plans: config.plans,
                                                               positionVaRBudgetUSD: config.positionVaRBudgetUSD),
                                   usage: portfolio.usage)
    }

    /// The one-day 99 % VaR of a holding of `asset` worth `value` USD, on its EWMA volatility (nil until there are
    /// enough samples of its price).
    func dailyVaR99(of asset: Asset, worthUSD value: Double) -> Double? {
        riskWatch.dailyVolatility(asset).map { value * -Normal.quantile(0.01) * $0 }
    }

    /// The most a buy leg may cost as it will be sent, fee included: its quantity at the order's limit (a book's
    /// deepest level reached, a pool's average moved by the slippage tolerance), never less than the estimate. A
    /// venue holds that much for a limit order, and the book can move within the limit before the order lands.
    func worstCost(of leg: RiskLeg, on market: Market) -> FixedDecimal {
        let estimate = leg.notional + leg.fee
        let bound: FixedDecimal
        if market.liquidity.isPool {
            bound = estimate * (.one + config.swapSlippageTolerance)
        } else {
            bound = leg.quantity * leg.worstPrice * (.one + market.venue.takerFee)
        }
        return FixedDecimal.max(estimate, bound).rounded(digits: 8, .up)
    }

    /// Halts when a daily loss, a drawdown, a run of failures or a silent feed says so (each at most once: a halt
    /// stays until a risk manager resumes).
    func checkAutomaticHalts(at now: Timestamp) {
        guard control.haltReason == nil else { return }
        control.realisedMoved(to: portfolio.pnl.realisedTodayUSD)
        var silent: (venue: String, silence: Duration)?
        for venue in pipeline.state.venues {
            let silence = now.duration(since: pipeline.lastUpdate[venue.id] ?? sessionStart)
            if silence > (silent?.silence ?? .zero) { silent = (venue.id.name, silence) }
        }
        // After a resume, the loss is counted from where the risk manager resumed, so the breach they accepted does
        // not halt the desk again at once; another full limit lost does.
        guard let reason = config.autoHalt.reason(realised: portfolio.pnl.realisedTodayUSD - control.lossBaselineUSD,
                                                  peak: control.realisedPeakUSD - control.lossBaselineUSD,
                                                  failuresInARow: control.failuresInARow, silentVenue: silent) else { return }
        stopTrading("automatic halt: \(reason)", at: now)
    }

    /// Every address an on-chain leg touches (the pool, the router it pays, the wallet that receives) against the deny
    /// list: the first match, or nil.
    func screening(_ opportunity: Opportunity) -> DenyListMatch? {
        screening(opportunity.legs.map { ($0.venue, $0.symbol) })
    }

    /// The same for the markets of any trade, by venue and symbol.
    func screening(_ legs: [(venue: VenueId, symbol: Symbol)]) -> DenyListMatch? {
        guard let denyList = config.denyList else { return nil }
        for leg in legs {
            let key = MarketKey(venue: leg.venue, symbol: leg.symbol)
            guard let chain = pipeline.state[key]?.venue.kind.chain else { continue }
            if let address = poolAddresses[key], denyList.contains(address) {
                return DenyListMatch(address: address, holder: .pool(leg.venue, leg.symbol))
            }
            if let address = routerAddresses[key], denyList.contains(address) {
                return DenyListMatch(address: address, holder: .router(leg.venue))
            }
            for wallet in config.wallets where wallet.kind != .cex && wallet.chains.contains(chain.name) && denyList.contains(wallet.address) {
                return DenyListMatch(address: wallet.address, holder: .wallet(name: wallet.name, chain: chain))
            }
        }
        return nil
    }

    /// Gas units of the dearest swap on `chain`, as its venues describe their markets.
    func swapGasUnits(on chain: ChainId) -> Int? {
        pipeline.state.markets.filter { $0.venue.kind.chain == chain }.map(\.gasUnits).max()
    }

    func rateBucket(_ venue: VenueId) -> TokenBucket {
        rateBuckets[venue] ?? TokenBucket(rate: config.venueOrdersPerSecond, burst: config.venueOrderBurst, at: clock.now())
    }
}
