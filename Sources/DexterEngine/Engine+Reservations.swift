import DexterCore
import DexterMarket
import DexterVenues

/// What executions in flight have committed and the ledger has not booked yet. The portfolio moves only at booking,
/// so without this two executions approved a moment apart would both size against, and both sell, the same balance.
/// Every order of an unbooked execution holds what it may spend at its account until the execution is booked:
/// a sell its base, a buy its quote at the limit with the fee, an on-chain leg its gas. Detection, the pre-trade
/// checks, stop-losses and margin hedges all see the booked balance less this.
extension Engine {
    /// Per account and asset, what the executions in flight hold back. Derived from `inFlight` each time, so a
    /// reservation cannot outlive its execution: booking, a refusal, a kill or a cancel each end it by ending the
    /// execution.
    func reservations() -> [AccountId: [Asset: FixedDecimal]] {
        var held: [AccountId: [Asset: FixedDecimal]] = [:]
        let state = pipeline.state
        for execution in inFlight.values {
            // A cycle's later legs spend what the leg before delivered, which is not in the inventory yet: only the
            // first draws on it. A pair's legs (sent together or in sequence) each spend from their own account.
            let drawing = execution.chaining == .proceeds ? Array(execution.orders.prefix(1)) : execution.orders
            for order in execution.orders {
                guard let market = state[MarketKey(venue: order.venue, symbol: order.symbol)] else { continue }
                let account = market.venue.account
                let report = execution.reports[order.clientOrderId]
                if let report, let token = report.gasToken, report.gas.isPositive {
                    held[account, default: [:]][token, default: .zero] += report.gas
                } else if report == nil, let chain = market.venue.kind.chain, let gas = state.gas[chain] {
                    held[account, default: [:]][gas.token, default: .zero] += Self.gasCap(gas.cost(units: market.gasUnits))
                }
                // Perpetuals draw on margin, which `marginAccount` works out from positions, not on a spot balance.
                guard market.instrument.margin == nil, drawing.contains(where: { $0.clientOrderId == order.clientOrderId })
                else { continue }
                let (asset, amount) = Self.spend(of: order, report: report, takerFee: market.venue.takerFee)
                guard amount.isPositive else { continue }
                held[account, default: [:]][asset, default: .zero] += amount
            }
        }
        return held
    }

    /// What an order takes from its account: once answered, what it really spent; before, the most it may.
    static func spend(of order: OrderRequest, report: ExecutionReport?, takerFee: FixedDecimal) -> (Asset, FixedDecimal) {
        switch (order.side, report) {
        case (.sell, let report?): (order.symbol.base, report.filledQuantity)
        case (.sell, nil): (order.symbol.base, order.quantity)
        case (.buy, let report?): (order.symbol.quote, report.notional + report.fee)
        case (.buy, nil): (order.symbol.quote, (order.quantity * order.limitPrice * (.one + takerFee)).rounded(digits: 8, .up))
        }
    }

    /// The most gas a transaction may burn, from its cost at the gas price now: an EIP-1559 sender caps its fee at
    /// twice the base fee (plus the tip), so the base fee may double before it lands, and a chain takes a
    /// transaction only from a wallet that holds its cap. What is held back for an on-chain order, and what the
    /// pre-trade check wants free.
    static func gasCap(_ cost: FixedDecimal) -> FixedDecimal { cost * FixedDecimal(2) }

    /// An on-chain order whose wallet cannot cover its gas cap beside what the other orders out hold back: the chain
    /// would not take it. `send` asks once the order's execution is in flight (its own cap counted).
    func gasRefusal(_ order: OrderRequest) -> OrderRefusal? {
        let state = pipeline.state
        guard let market = state[MarketKey(venue: order.venue, symbol: order.symbol)], let chain = market.venue.kind.chain,
              let gas = state.gas[chain] else { return nil }
        let account = market.venue.account
        let over = tradableInventory.available(gas.token, at: account)
        guard over.isNegative else { return nil }
        let needed = Self.gasCap(gas.cost(units: market.gasUnits))
        return .gasShort(order.venue, token: gas.token, needed: needed, free: needed + over)
    }

    /// The booked inventory less what executions in flight hold back: what a new trade may spend.
    var tradableInventory: Inventory {
        var inventory = portfolio.inventory
        for (account, assets) in reservations() {
            for (asset, amount) in assets { inventory.debit(asset, amount, at: account) }
        }
        return inventory
    }

    /// Detection sizes every route against what is free now: after a booking, and after orders leave.
    func inventoryChanged() {
        pipeline.inventory = tradableInventory
        _ = pipeline.inventoryDidChange()
    }
}
