import DexterCore
import DexterRisk
import Testing

@Suite struct RiskCheckTests {
    let ethUSDT = Symbol(base: "ETH", quote: "USDT")
    let limits = RiskLimits(
        maxNotionalPerTradeUSD: FixedDecimal(25_000), dailyVolumeUSD: FixedDecimal(100_000),
        maxPosition: ["ETH": FixedDecimal(50), "USDT": FixedDecimal(200_000)],
        allowedSymbols: [Symbol(base: "ETH", quote: "USDT")])

    func proposal(quantity: Int = 2, price: Int = 3000, symbol: Symbol? = nil) -> TradeProposal {
        TradeProposal(symbol: symbol ?? ethUSDT, quantity: FixedDecimal(quantity),
                      buyNotional: FixedDecimal(quantity * price), sellNotional: FixedDecimal(quantity * price + 10),
                      quoteUSD: .one)
    }

    @Test func passesWithinEveryLimit() {
        #expect(RiskCheck.check(proposal(), limits: limits, usage: RiskUsage()) == nil)
    }

    @Test func deniesAPairThatIsNotAllowed() {
        let btc = Symbol(base: "BTC", quote: "USDT")
        let denial = RiskCheck.check(proposal(symbol: btc), limits: limits, usage: RiskUsage())
        #expect(denial == .symbolNotAllowed(btc))
        #expect(denial?.description == "denied by allowed pairs: BTC/USDT is not an allowed pair")
    }

    @Test func deniesNotionalAboveThePerTradeLimitSayingByHowMuch() {
        let denial = RiskCheck.check(proposal(quantity: 9), limits: limits, usage: RiskUsage())
        #expect(denial == .notionalPerTrade(requested: FixedDecimal(27_000), limit: FixedDecimal(25_000)))
        #expect(denial?.description == "denied by max notional per trade: $27000.00 is $2000.00 over the $25000.00 limit")
    }

    @Test func deniesPastTheDailyVolume() {
        let usage = RiskUsage(dailyVolumeUSD: FixedDecimal(90_000))
        let denial = RiskCheck.check(proposal(), limits: limits, usage: usage)
        #expect(denial == .dailyVolume(used: FixedDecimal(90_000), requested: FixedDecimal(12_010), limit: FixedDecimal(100_000)))
        #expect(denial?.description.contains("$2010.00 over the $100000.00 limit") == true)
    }

    @Test func deniesWhenAMissedLegWouldBreakAPositionLimit() {
        let heavy = RiskUsage(positions: ["ETH": FixedDecimal(49)])
        #expect(RiskCheck.check(proposal(), limits: limits, usage: heavy)
            == .position(asset: "ETH", resulting: FixedDecimal(51), limit: FixedDecimal(50)))
        let cashHeavy = RiskUsage(positions: ["USDT": FixedDecimal(195_000)])
        #expect(RiskCheck.check(proposal(), limits: limits, usage: cashHeavy)
            == .position(asset: "USDT", resulting: FixedDecimal(201_010), limit: FixedDecimal(200_000)))
    }

    @Test func reportsUsageOfEachLimit() {
        let rows = RiskCheck.utilisation(limits: limits, usage: RiskUsage(dailyVolumeUSD: FixedDecimal(25_000),
                                                                         positions: ["ETH": FixedDecimal(10)]))
        #expect(rows.map(\.name) == ["daily volume", "position ETH", "position USDT"])
        #expect(rows.map(\.fraction) == [0.25, 0.2, 0])
    }
}
