import DexterCore

/// The desk's trading state: active; reducing (only orders that cut exposure); halted (nothing but cancels).
public enum TradingState: String, Sendable, Hashable, CaseIterable {
    case active, reducing, halted
}

/// One order of a trade, as risk sees it before it is sent.
public struct OrderIntent: Sendable, Hashable {
    public var venue: VenueId
    public var chain: ChainId?
    public var symbol: Symbol
    public var side: Side
    /// The IOC limit (a book level), checked against the tick on an exchange; a swap's limit is its min-out.
    public var limitPrice: FixedDecimal
    public var quantity: FixedDecimal
    public var tickSize: FixedDecimal
    public var lotSize: FixedDecimal
    public var minNotional: FixedDecimal
    /// The venue's largest order, if it has one.
    public var maxQuantity: FixedDecimal?
    /// Quote value of the order, in the quote asset.
    public var notional: FixedDecimal
    /// What the order spends and what is free of it at the venue.
    public var spendAsset: Asset
    public var spend: FixedDecimal
    public var free: FixedDecimal
    /// On chain: the gas token, the gas the swap burns and what the wallet holds of it.
    public var gasToken: Asset?
    public var gas: FixedDecimal
    public var gasFree: FixedDecimal
    public var quoteAge: Duration
    public var stalenessBound: Duration

    public init(venue: VenueId, chain: ChainId?, symbol: Symbol, side: Side, limitPrice: FixedDecimal, quantity: FixedDecimal,
                tickSize: FixedDecimal, lotSize: FixedDecimal, minNotional: FixedDecimal, maxQuantity: FixedDecimal? = nil,
                notional: FixedDecimal, spendAsset: Asset, spend: FixedDecimal, free: FixedDecimal, gasToken: Asset? = nil,
                gas: FixedDecimal = .zero, gasFree: FixedDecimal = .zero, quoteAge: Duration, stalenessBound: Duration) {
        self.venue = venue
        self.chain = chain
        self.symbol = symbol
        self.side = side
        self.limitPrice = limitPrice
        self.quantity = quantity
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
        self.maxQuantity = maxQuantity
        self.notional = notional
        self.spendAsset = spendAsset
        self.spend = spend
        self.free = free
        self.gasToken = gasToken
        self.gas = gas
        self.gasFree = gasFree
        self.quoteAge = quoteAge
        self.stalenessBound = stalenessBound
    }
}

/// A whole trade for the pre-trade check: who, in what state, its orders and what it does to the book.
public struct PreTradeRequest: Sendable {
    public var user: DeskUser
    public var state: TradingState
    /// True only for an order that cuts a position (an unwind); an arbitrage moves inventory, it does not cut it.
    public var reducesExposure: Bool
    public var proposal: TradeProposal
    public var orders: [OrderIntent]
    /// The USD value held at each venue after the trade, where it grows.
    public var venueExposureAfterUSD: [VenueId: FixedDecimal]
    /// Position after the trade in USD, per asset, where it grows (for the user's own cap).
    public var positionAfterUSD: [Asset: FixedDecimal]
    /// One-day 99 % VaR of each position after the trade, in USD (its value × z₉₉ × its EWMA volatility).
    public var positionVaRAfterUSD: [Asset: FixedDecimal] = [:]
    /// This user's volume today, in USD.
    public var userVolumeTodayUSD: FixedDecimal
    /// Orders each venue's rate-limit budget still allows now.
    public var rateBudget: [VenueId: Int]

    public init(user: DeskUser, state: TradingState, reducesExposure: Bool = false, proposal: TradeProposal,
                orders: [OrderIntent], venueExposureAfterUSD: [VenueId: FixedDecimal] = [:],
                positionAfterUSD: [Asset: FixedDecimal] = [:], userVolumeTodayUSD: FixedDecimal = .zero,
                rateBudget: [VenueId: Int] = [:]) {
        self.user = user
        self.state = state
        self.reducesExposure = reducesExposure
        self.proposal = proposal
        self.orders = orders
        self.venueExposureAfterUSD = venueExposureAfterUSD
        self.positionAfterUSD = positionAfterUSD
        self.userVolumeTodayUSD = userVolumeTodayUSD
        self.rateBudget = rateBudget
    }
}

/// The eleven checks, in the order they run. The first that fails is the denial.
public enum PreTradeStep: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case tradingState = "trading state"
    case permission = "user permission"
    case instrument = "instrument allowed"
    case precision = "price and size precision"
    case notional = "notional per order"
    case dailyVolume = "daily volume"
    case position = "position per asset"
    case venueExposure = "exposure per venue"
    case balance = "free balance"
    case freshness = "quote freshness"
    case rateLimit = "rate-limit budget"

    public var description: String { rawValue }
}

/// Why a trade was refused: the step, and the reason in the trader's words.
public struct PreTradeDenial: Error, Sendable, Hashable, CustomStringConvertible {
    public let step: PreTradeStep
    public let reason: String
    public var description: String { "denied by \(step): \(reason)" }

    public init(step: PreTradeStep, reason: String) {
        self.step = step
        self.reason = reason
    }
}

/// Limits beyond the desk's `RiskLimits`: exposure per venue and the plans' tiers.
public struct DeskLimits: Sendable, Hashable {
    public var risk: RiskLimits
    public var maxExposurePerVenueUSD: FixedDecimal?
    public var plans: [String: Plan]
    /// Volatility-based sizing: no position's one-day 99 % VaR may exceed this, in USD.
    public var positionVaRBudgetUSD: FixedDecimal?

    public init(risk: RiskLimits, maxExposurePerVenueUSD: FixedDecimal? = nil, plans: [String: Plan] = Plan.standard,
                positionVaRBudgetUSD: FixedDecimal? = nil) {
        self.risk = risk
        self.maxExposurePerVenueUSD = maxExposurePerVenueUSD
        self.plans = plans
        self.positionVaRBudgetUSD = positionVaRBudgetUSD
    }
}

public enum PreTradeCheck {
    /// Runs the eleven steps in order; nil when the trade passes them all.
    public static func check(_ request: PreTradeRequest, limits: DeskLimits, usage: RiskUsage) -> PreTradeDenial? {
        for step in PreTradeStep.allCases {
            if let reason = failure(step, request, limits, usage) { return PreTradeDenial(step: step, reason: reason) }
        }
        return nil
    }

    static func failure(_ step: PreTradeStep, _ request: PreTradeRequest, _ limits: DeskLimits, _ usage: RiskUsage) -> String? {
        let user = request.user
        let proposal = request.proposal
        switch step {
        case .tradingState:
            switch request.state {
            case .active: return nil
            case .halted: return "trading is halted: nothing but cancels"
            case .reducing:
                return request.reducesExposure ? nil : "trading is reducing: only orders that cut exposure, and this one does not"
            }
        case .permission:
            return user.refusal(.approve)?.description
        case .instrument:
            for symbol in proposal.symbols {
                if !limits.risk.allowedSymbols.contains(symbol) { return RiskDenial.symbolNotAllowed(symbol).reason }
                if let pairs = user.pairs, !pairs.contains(symbol) { return "\(user.name) may not trade \(symbol)" }
            }
            for order in request.orders {
                if let venues = user.venues, !venues.contains(order.venue) { return "\(user.name) may not trade on \(order.venue)" }
                if let chain = order.chain, let chains = user.chains, !chains.contains(chain) {
                    return "\(user.name) may not trade on \(chain)"
                }
            }
            // A plan that caps venues needs the user's venues named, no more of them than it allows.
            if let plan = limits.plans[user.plan], let maxVenues = plan.maxVenues, (user.venues?.count ?? .max) > maxVenues {
                return "the \(plan.name) plan allows \(maxVenues) venues: name them for \(user.name) (dexter user access --venues)"
            }
            return nil
        case .precision:
            for order in request.orders {
                if order.quantity < order.lotSize { return "\(order.venue) \(order.side) \(order.quantity) is below the \(order.lotSize) minimum" }
                if order.lotSize.isPositive, order.quantity.raw % order.lotSize.raw != 0 {
                    return "\(order.venue) \(order.side) \(order.quantity) is not a multiple of the \(order.lotSize) lot"
                }
                if order.chain == nil, order.tickSize.isPositive, order.limitPrice.raw % order.tickSize.raw != 0 {
                    return "\(order.venue) limit \(order.limitPrice) is not on the \(order.tickSize) tick"
                }
                if let maximum = order.maxQuantity, order.quantity > maximum {
                    return "\(order.venue) \(order.side) \(order.quantity) is above the \(maximum) maximum"
                }
                if order.notional < order.minNotional {
                    return "\(order.venue) notional \(order.notional) is below the \(order.minNotional) minimum"
                }
            }
            return nil
        case .notional:
            return RiskCheck.notional(proposal, limits: limits.risk)?.reason
        case .dailyVolume:
            if let denial = RiskCheck.dailyVolume(proposal, limits: limits.risk, usage: usage) { return denial.reason }
            let volume = proposal.volumeUSD
            let caps = [user.dailyVolumeUSD, limits.plans[user.plan]?.dailyVolumeUSD].compactMap { $0 }
            if let cap = caps.min(), request.userVolumeTodayUSD + volume > cap {
                return "\(user.name)'s $\(request.userVolumeTodayUSD.formatted(digits: 2)) today + $\(volume.formatted(digits: 2)) "
                    + "is over their $\(cap.formatted(digits: 2)) a day"
            }
            return nil
        case .position:
            if let denial = RiskCheck.position(proposal, limits: limits.risk, usage: usage) { return denial.reason }
            if let budget = limits.positionVaRBudgetUSD {
                for (asset, value) in request.positionVaRAfterUSD.sorted(by: { $0.key < $1.key }) where value > budget {
                    return "\(asset) position's 1-day 99% VaR $\(value.formatted(digits: 2)) would be over its "
                        + "$\(budget.formatted(digits: 2)) budget"
                }
            }
            if let cap = user.maxPositionUSD {
                for (asset, value) in request.positionAfterUSD.sorted(by: { $0.key < $1.key }) where value > cap {
                    return "\(asset) worth $\(value.formatted(digits: 2)) would be over \(user.name)'s $\(cap.formatted(digits: 2))"
                }
            }
            return nil
        case .venueExposure:
            guard let cap = limits.maxExposurePerVenueUSD else { return nil }
            for (venue, value) in request.venueExposureAfterUSD.sorted(by: { $0.key.name < $1.key.name }) where value > cap {
                return "$\(value.formatted(digits: 2)) held at \(venue) would be over the $\(cap.formatted(digits: 2)) limit"
            }
            return nil
        case .balance:
            for order in request.orders {
                if order.spend > order.free {
                    return "\(order.venue) needs \(order.spend) \(order.spendAsset), \(order.free) free"
                }
                if let token = order.gasToken, order.gas > order.gasFree {
                    return "\(order.venue) needs \(order.gas) \(token) for gas, \(order.gasFree) free"
                }
            }
            return nil
        case .freshness:
            for order in request.orders where order.quoteAge > order.stalenessBound {
                return "the \(order.venue) quote is \(order.quoteAge.secondsDouble.formatted2)s old, past its \(order.stalenessBound.secondsDouble.formatted2)s bound"
            }
            return nil
        case .rateLimit:
            for order in request.orders {
                if let left = request.rateBudget[order.venue], left < 1 {
                    return "\(order.venue)'s rate-limit budget is spent for now"
                }
            }
            return nil
        }
    }
}

private extension Double {
    /// Two decimals: 4.5 → "4.50".
    var formatted2: String { FixedDecimal(approximating: self).formatted(digits: 2) }
}
