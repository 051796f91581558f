import DexterCore
import DexterRisk
import Testing

/// The eleven pre-trade checks, one test each: a trade that passes all, then each step broken alone, then two broken
/// at once to show the order.
@Suite struct PreTradeCheckTests {
    static func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }
    static let symbol = Symbol(base: "ETH", quote: "USDC")

    static func order(_ venue: String, _ side: Side, chain: ChainId? = nil) -> OrderIntent {
        OrderIntent(venue: VenueId(venue), chain: chain, symbol: symbol, side: side, limitPrice: d("3000.01"),
                    quantity: d("1.25"), tickSize: d("0.01"), lotSize: d("0.0001"), minNotional: d("5"),
                    maxQuantity: d("100"), notional: d("3750"), spendAsset: side == .buy ? "USDC" : "ETH",
                    spend: side == .buy ? d("3760") : d("1.25"), free: d("100000"), gasToken: chain == nil ? nil : "ETH",
                    gas: chain == nil ? .zero : d("0.002"), gasFree: chain == nil ? .zero : d("1"),
                    quoteAge: .milliseconds(300), stalenessBound: .seconds(3))
    }

    static func passing() -> (PreTradeRequest, DeskLimits, RiskUsage) {
        let user = DeskUser(name: "alice", role: .trader, plan: "pro", venues: ["binance", "uniswap"], chains: ["ethereum"],
                            pairs: [symbol], dailyVolumeUSD: d("50000"), maxPositionUSD: d("200000"))
        let proposal = TradeProposal(symbol: symbol, quantity: d("1.25"), buyNotional: d("3750"), sellNotional: d("3790"),
                                     quoteUSD: .one)
        let request = PreTradeRequest(
            user: user, state: .active, proposal: proposal,
            orders: [order("binance", .buy), order("uniswap", .sell, chain: "ethereum")],
            venueExposureAfterUSD: ["binance": d("300000")], positionAfterUSD: ["ETH": d("150000")],
            userVolumeTodayUSD: d("1000"), rateBudget: ["binance": 5, "uniswap": 5])
        let risk = RiskLimits(maxNotionalPerTradeUSD: d("25000"), dailyVolumeUSD: d("1000000"),
                              maxPosition: ["ETH": d("100")], allowedSymbols: [symbol])
        return (request, DeskLimits(risk: risk, maxExposurePerVenueUSD: d("500000")),
                RiskUsage(dailyVolumeUSD: d("2000"), positions: ["ETH": d("40")]))
    }

    func denial(_ change: (inout PreTradeRequest, inout DeskLimits, inout RiskUsage) -> Void) -> PreTradeDenial? {
        var (request, limits, usage) = Self.passing()
        change(&request, &limits, &usage)
        return PreTradeCheck.check(request, limits: limits, usage: usage)
    }

    @Test func aSoundTradePassesEveryStep() {
        #expect(denial { _, _, _ in } == nil)
    }

    @Test func tradingState() {
        #expect(denial { r, _, _ in r.state = .halted }?.description == "denied by trading state: trading is halted: nothing but cancels")
        #expect(denial { r, _, _ in r.state = .reducing }?.step == .tradingState)
        #expect(denial { r, _, _ in r.state = .reducing; r.reducesExposure = true } == nil)
    }

    @Test func userPermission() {
        let denied = denial { r, _, _ in r.user.role = .analyst }
        #expect(denied?.step == .permission)
        #expect(denied?.reason == "approve needs the Trader role (alice is Analyst)")
    }

    @Test func instrumentAllowed() {
        #expect(denial { _, l, _ in l.risk.allowedSymbols = [] }?.reason == "ETH/USDC is not an allowed pair")
        #expect(denial { r, _, _ in r.user.pairs = [Symbol(base: "BTC", quote: "USDC")] }?.reason == "alice may not trade ETH/USDC")
        #expect(denial { r, _, _ in r.user.venues = ["binance"] }?.reason == "alice may not trade on uniswap")
        #expect(denial { r, _, _ in r.user.chains = ["bsc"] }?.reason == "alice may not trade on ethereum")
        // The free plan allows five venues, named.
        #expect(denial { r, _, _ in r.user.plan = "free"; r.user.venues = nil }?.step == .instrument)
        #expect(denial { r, _, _ in r.user.plan = "free"; r.user.dailyVolumeUSD = nil } == nil)
    }

    @Test func precision() {
        #expect(denial { r, _, _ in r.orders[0].quantity = Self.d("1.25005") }?.reason
            == "binance buy 1.25005 is not a multiple of the 0.0001 lot")
        #expect(denial { r, _, _ in r.orders[0].limitPrice = Self.d("3000.015") }?.reason
            == "binance limit 3000.015 is not on the 0.01 tick")
        #expect(denial { r, _, _ in r.orders[0].quantity = Self.d("0.00001") }?.step == .precision)
        #expect(denial { r, _, _ in r.orders[0].notional = Self.d("4") }?.reason == "binance notional 4 is below the 5 minimum")
        #expect(denial { r, _, _ in r.orders[0].maxQuantity = Self.d("1") }?.reason == "binance buy 1.25 is above the 1 maximum")
        // A swap's limit is its min-out: no tick applies on chain.
        #expect(denial { r, _, _ in r.orders[1].limitPrice = Self.d("3000.015") } == nil)
    }

    @Test func notionalPerOrder() {
        let denied = denial { _, l, _ in l.risk.maxNotionalPerTradeUSD = Self.d("3000") }
        #expect(denied?.step == .notional && denied?.reason.contains("over the $3000.00 limit") == true)
    }

    @Test func dailyVolume() {
        #expect(denial { _, l, _ in l.risk.dailyVolumeUSD = Self.d("5000") }?.step == .dailyVolume)
        // The user's own cap, and the plan's.
        #expect(denial { r, _, _ in r.userVolumeTodayUSD = Self.d("49000") }?.reason.contains("alice's") == true)
        #expect(denial { r, _, _ in r.user.plan = "free"; r.user.dailyVolumeUSD = nil; r.userVolumeTodayUSD = Self.d("9000") }?
            .step == .dailyVolume)
    }

    @Test func positionPerAsset() {
        #expect(denial { _, _, u in u.positions["ETH"] = Self.d("99.5") }?.step == .position)
        #expect(denial { r, _, _ in r.user.maxPositionUSD = Self.d("100000") }?.reason.contains("over alice's") == true)
    }

    /// Volatility-based sizing: a position whose one-day 99 % VaR would pass its budget is refused.
    @Test func positionVaRBudget() {
        #expect(denial { r, l, _ in l.positionVaRBudgetUSD = Self.d("20000"); r.positionVaRAfterUSD = ["ETH": Self.d("19000")] } == nil)
        #expect(denial { r, l, _ in l.positionVaRBudgetUSD = Self.d("20000"); r.positionVaRAfterUSD = ["ETH": Self.d("21000")] }?
            .reason == "ETH position's 1-day 99% VaR $21000.00 would be over its $20000.00 budget")
    }

    @Test func exposurePerVenue() {
        #expect(denial { _, l, _ in l.maxExposurePerVenueUSD = Self.d("250000") }?.reason
            == "$300000.00 held at binance would be over the $250000.00 limit")
    }

    @Test func freeBalanceAndGas() {
        #expect(denial { r, _, _ in r.orders[0].free = Self.d("100") }?.reason == "binance needs 3760 USDC, 100 free")
        #expect(denial { r, _, _ in r.orders[1].gasFree = Self.d("0.001") }?.reason == "uniswap needs 0.002 ETH for gas, 0.001 free")
    }

    @Test func quoteFreshness() {
        #expect(denial { r, _, _ in r.orders[1].quoteAge = .seconds(4) }?.reason == "the uniswap quote is 4.00s old, past its 3.00s bound")
    }

    @Test func rateLimitBudget() {
        #expect(denial { r, _, _ in r.rateBudget["binance"] = 0 }?.reason == "binance's rate-limit budget is spent for now")
    }

    /// With several steps broken, the first in the fixed order is the one reported.
    @Test func theOrderIsFixed() {
        let steps = PreTradeStep.allCases
        #expect(steps.map(\.rawValue) == ["trading state", "user permission", "instrument allowed", "price and size precision",
                                          "notional per order", "daily volume", "position per asset", "exposure per venue",
                                          "free balance", "quote freshness", "rate-limit budget"])
        let denied = denial { r, l, _ in
            r.rateBudget["binance"] = 0
            r.orders[0].free = .zero
            l.risk.maxNotionalPerTradeUSD = Self.d("1")
            r.user.role = .riskManager
        }
        #expect(denied?.step == .permission)
        #expect(denial { r, l, _ in r.rateBudget["binance"] = 0; r.orders[0].free = .zero; l.risk.maxNotionalPerTradeUSD = Self.d("1") }?
            .step == .notional)
        #expect(denial { r, _, _ in r.rateBudget["binance"] = 0; r.orders[0].free = .zero }?.step == .balance)
    }
}
