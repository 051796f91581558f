import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues

/// What to do when one leg of an arbitrage fills and the other misses or fills short, leaving a position nobody
/// wanted: trade the excess back where it filled, complete the missing leg elsewhere, or stop and tell the trader.
public enum LegRiskAction: String, Sendable, Hashable, CaseIterable {
    case unwind, hedge, halt
}

public struct LegRiskPolicy: Sendable, Hashable {
    public var action: LegRiskAction
    /// The worst price the corrective order may take, in basis points from the leg's own fill price.
    public var maxLossBps: Int
    /// Overrides per route, keyed "buyVenue>sellVenue".
    public var routes: [String: LegRiskAction]

    public init(action: LegRiskAction = .unwind, maxLossBps: Int = 50, routes: [String: LegRiskAction] = [:]) {
        self.action = action
        self.maxLossBps = maxLossBps
        self.routes = routes
    }

    public func action(for opportunity: Opportunity) -> LegRiskAction {
        routes["\(opportunity.buy.venue.name)>\(opportunity.sell.venue.name)"] ?? action
    }
}

extension Engine {
    /// After an arbitrage is booked: if its legs left base asset bought but not sold (or sold but not bought),
    /// apply the route's leg-risk policy to that excess.
    func manageLegRisk(_ execution: Execution, at now: Timestamp) {
        if let cycle = execution.cycle, case .arbitrage = execution.purpose { return manageCycleLegRisk(execution, cycle, at: now) }
        guard case .arbitrage = execution.purpose, let opportunity = execution.opportunity else { return }
        var bought = FixedDecimal.zero, sold = FixedDecimal.zero
        var buyPrice = FixedDecimal.zero, sellPrice = FixedDecimal.zero
        for order in execution.orders {
            guard let report = execution.reports[order.clientOrderId], report.filledQuantity.isPositive else { continue }
            if order.side == .buy { bought += report.filledQuantity; buyPrice = report.averagePrice }
            else { sold += report.filledQuantity; sellPrice = report.averagePrice }
        }
        let excess = bought - sold
        guard !excess.isZero else { return }
        let policy = config.legRisk
        let action = policy.action(for: opportunity)
        let asset = opportunity.symbol.base
        let exposure = DeskEvent.LegExposure(asset: asset, excess: excess,
                                             venue: excess.isPositive ? opportunity.buy.venue : opportunity.sell.venue)
        if action != .halt, let haltReason = control.haltReason {
            // Halted means nothing but cancels: the excess is the trader's to see and close.
            notify(.legRiskLeftOpen(arbitrageId: execution.arbitrageId, exposure, haltReason: haltReason), at: now)
            return
        }
        switch action {
        case .halt:
            stopTrading("leg risk on \(execution.arbitrageId): \(exposure), and the route's policy is to halt", at: clock.now())
        case .unwind, .hedge:
            // Unwind: trade the excess back on the venue that filled it. Hedge: complete the missing leg on the best
            // other venue quoting the pair.
            let side: Side = excess.isPositive ? .sell : .buy
            let reference = excess.isPositive ? buyPrice : sellPrice
            // Unwind trades the filled leg's instrument back; hedge trades the missing leg's (in a basis trade the two
            // differ: a filled spot buy whose perpetual sell missed is hedged by selling the perpetual elsewhere).
            let filled = excess.isPositive ? opportunity.buy : opportunity.sell
            let missing = excess.isPositive ? opportunity.sell : opportunity.buy
            let symbol = action == .unwind ? filled.symbol : missing.symbol
            let venue: VenueId?
            if action == .unwind {
                venue = filled.venue
            } else {
                venue = bestOtherVenue(for: symbol, side: side, quantity: excess.magnitude,
                                       excluding: [opportunity.buy.venue, opportunity.sell.venue])
            }
            guard let venue, let market = pipeline.state[MarketKey(venue: venue, symbol: symbol)] else {
                stopTrading("leg risk on \(execution.arbitrageId): \(exposure), and no venue to \(action.rawValue) on",
                            at: clock.now())
                return
            }
            let bound = FixedDecimal(policy.maxLossBps) / FixedDecimal(10_000)
            let limit = side == .sell ? reference * (.one - bound) : reference * (.one + bound)
            var wanted = excess.magnitude
            if side == .buy, market.instrument.margin == nil {
                // A buy back spends the quote the account has free, at most: the venue would refuse the rest.
                let free = tradableInventory.available(symbol.quote, at: market.venue.account)
                let perUnit = limit * (.one + market.venue.takerFee)
                if perUnit.isPositive { wanted = FixedDecimal.min(wanted, FixedDecimal.max(.zero, free) / perUnit) }
            }
            let quantity = wanted.rounded(toMultipleOf: market.instrument.lotSize, .down)
            guard quantity.isPositive else {
                if !excess.magnitude.rounded(toMultipleOf: market.instrument.lotSize, .down).isZero {
                    stopTrading("leg risk on \(execution.arbitrageId): \(exposure), and \(venue) has too little \(symbol.quote) "
                                + "free to \(action.rawValue) it", at: clock.now())
                }
                return
            }
            sequence += 1
            let id = "\(execution.arbitrageId)-\(action == .unwind ? "u" : "h")\(sequence)"
            let order = OrderRequest(clientOrderId: "\(id)-1", venue: venue, symbol: symbol, side: side,
                                   quantity: quantity, limitPrice: limit.rounded(toMultipleOf: market.instrument.tickSize,
                                                                                  side == .sell ? .up : .down),
                                   submittedAt: now)
            notify(.legRiskCorrection(arbitrageId: execution.arbitrageId, exposure, action: action, order: order), at: now)
            send([order], for: Execution(arbitrageId: id, recordId: execution.recordId, opportunity: opportunity, orders: [order],
                                         purpose: .correction(of: execution.arbitrageId, action: action)), at: now)
        }
    }

    /// After a cycle is booked: a leg that missed leaves the asset the leg before delivered. Unless the policy is to
    /// halt, that asset goes straight back into the cycle's start asset (sold where a market pays most for it), at
    /// no worse than the policy's bound from its reference price. Lot dust stays.
    func manageCycleLegRisk(_ execution: Execution, _ cycle: CycleOpportunity, at now: Timestamp) {
        // A cycle whose every leg filled is done: what a leg delivered beyond the next one's lots stays as inventory.
        guard execution.orders.contains(where: { execution.reports[$0.clientOrderId]?.status != .filled }) else { return }
        var held: [Asset: FixedDecimal] = [:]
        for order in execution.orders {
            guard let report = execution.reports[order.clientOrderId], report.filledQuantity.isPositive else { continue }
            let cash = order.side == .buy ? report.notional + report.fee : report.notional - report.fee
            held[order.symbol.base, default: .zero] += order.side == .buy ? report.filledQuantity : .zero - report.filledQuantity
            held[order.symbol.quote, default: .zero] += order.side == .buy ? .zero - cash : cash
        }
        let state = pipeline.state
        for (asset, amount) in held.sorted(by: { $0.key < $1.key }) where asset != cycle.start && amount.isPositive {
            let symbol = Symbol(base: asset, quote: cycle.start)
            let venue = bestOtherVenue(for: symbol, side: .sell, quantity: amount, excluding: [])
            let market = venue.flatMap { state[MarketKey(venue: $0, symbol: symbol)] }
            let quantity = market.map { amount.rounded(toMultipleOf: $0.instrument.lotSize, .down) } ?? amount
            if let market, quantity.isZero || quantity * (market.screen.topSellPrice.isFinite
                ? FixedDecimal(approximating: market.screen.topSellPrice) : .zero) < market.instrument.minNotional {
                continue  // dust below a lot or the minimum notional
            }
            let description = "\(amount) \(asset) left by cycle #\(cycle.id) \(cycle.route)"
            let said = { (event: CycleEvent) in self.notify(.cycle(cycle.id, route: cycle.route, event), at: now) }
            let action = config.legRisk.action
            if action != .halt, let haltReason = control.haltReason {
                said(.leftOpen(arbitrageId: execution.arbitrageId, amount: amount, asset: asset, haltReason: haltReason))
                continue
            }
            guard action != .halt else {
                stopTrading("leg risk on \(execution.arbitrageId): \(description), and the policy is to halt", at: now)
                return
            }
            guard let venue, let market,
                  let reference = state.referencePrice(of: asset, in: cycle.start), reference > 0 else {
                stopTrading("leg risk on \(execution.arbitrageId): \(description), and no market sells \(asset) for \(cycle.start)",
                            at: now)
                return
            }
            let bound = FixedDecimal(config.legRisk.maxLossBps) / FixedDecimal(10_000)
            let limit = (FixedDecimal(approximating: reference) * (.one - bound)).rounded(toMultipleOf: market.instrument.tickSize, .up)
            sequence += 1
            let id = "\(execution.arbitrageId)-u\(sequence)"
            let order = OrderRequest(clientOrderId: "\(id)-1", venue: venue, symbol: symbol, side: .sell, quantity: quantity,
                                     limitPrice: limit, submittedAt: now)
            said(.sellingBack(arbitrageId: execution.arbitrageId, amount: amount, asset: asset, order: order))
            var correction = Execution(closing: [order], arbitrageId: id, record: cycleRecord(
                cycle, id: execution.recordId, decision: .approved, reason: nil, at: now), purpose: .correction(
                    of: execution.arbitrageId, action: .unwind))
            correction.held = []
            send([order], for: correction, at: now)
        }
    }

    /// The venue (other than `excluding`) where `side` of `quantity` gets the best cash now.
    func bestOtherVenue(for symbol: Symbol, side: Side, quantity: FixedDecimal, excluding: Set<VenueId>) -> VenueId? {
        let state = pipeline.state
        var best: (venue: VenueId, cash: FixedDecimal)?
        for index in state.indicesBySymbol[symbol] ?? [] {
            let market = state.markets[index]
            guard !excluding.contains(market.venue.id), let quote = try? market.quote(side, quantity: quantity),
                  quote.quantity == quantity else { continue }
            if let current = best, side == .sell ? quote.cash <= current.cash : quote.cash >= current.cash { continue }
            best = (market.venue.id, quote.cash)
        }
        return best?.venue
    }

    /// What it would cost to trade the buy leg straight back on its venue now, in USD: the price of the sell leg
    /// missing. Shown with the confirmation.
    func unwindCostUSD(_ opportunity: Opportunity) -> FixedDecimal? {
        guard let market = pipeline.state[MarketKey(venue: opportunity.buy.venue, symbol: opportunity.buy.symbol)],
              let back = try? market.quote(.sell, quantity: opportunity.quantity),
              let quoteUSD = pipeline.state.usdValue(of: opportunity.symbol.quote) else { return nil }
        let paid = opportunity.buy.notional + opportunity.buy.fee
        return ((paid - back.cash) * FixedDecimal(approximating: quoteUSD)).rounded(digits: 2)
    }
}
