import DexterCore
import DexterMarket
import Testing

/// Perpetual positions and margin, by Binance's USDⓈ-M formulas (its futures FAQ "How to calculate Unrealized PNL and
/// ROE%", and https://www.binance.com/en/futures/trading-rules/perpetual/portfolio-margin/notional-limit):
/// unrealised PnL = size × direction × (mark − entry); initial margin = notional / leverage; maintenance margin =
/// notional × maintenance rate − maintenance amount; margin ratio = maintenance margin / margin balance, liquidation at
/// 100 %. The figures below are worked by hand from those formulas.
@Suite struct PerpetualTests {
    func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

    @Test func addingAveragesTheEntryAndClosingRealisesAgainstIt() {
        var position = PerpetualPosition()
        // Long 2 at 3000, then 1 more at 3300: entry (2·3000 + 1·3300) / 3 = 3100.
        #expect(position.apply(.buy, quantity: d("2"), price: d("3000")) == .zero)
        #expect(position.apply(.buy, quantity: d("1"), price: d("3300")) == .zero)
        #expect(position.size == d("3") && position.entryPrice == d("3100"))
        // Sell 1.5 at 3200: realises (3200 − 3100) × 1.5 = 150; the entry of what is left does not move.
        #expect(position.apply(.sell, quantity: d("1.5"), price: d("3200")) == d("150"))
        #expect(position.size == d("1.5") && position.entryPrice == d("3100"))
        // Sell 2.5 at 3000: closes 1.5 for (3000 − 3100) × 1.5 = −150 and opens a short of 1 at 3000.
        #expect(position.apply(.sell, quantity: d("2.5"), price: d("3000")) == d("-150"))
        #expect(position.size == d("-1") && position.entryPrice == d("3000"))
        // A short gains as the price falls: at a mark of 2900, +100.
        #expect(position.unrealised(at: d("2900")) == d("100"))
        // Buy 1 at 2950 closes it: realises (3000 − 2950) × 1 = 50, and nothing is left.
        #expect(position.apply(.buy, quantity: d("1"), price: d("2950")) == d("50"))
        #expect(position.size == .zero && position.entryPrice == .zero)
    }

    @Test func marginRatioAndAvailableMarginFollowBinancesFormulas() {
        let terms = MarginTerms(maxLeverage: d("20"), maintenanceRate: d("0.005"))
        // Short 10 ETH entered at 3000 on 2,000 USDT collateral, marked at 3150.
        let short = MarginAccount.Holding(symbol: try! Symbol(parsing: "ETH/USDT:USDT"),
                                          position: PerpetualPosition(size: d("-10"), entryPrice: d("3000")), mark: d("3150"), terms: terms)
        let account = MarginAccount(collateral: d("2000"), holdings: [short])
        // Unrealised: −10 × (3150 − 3000) = −1,500; equity 2,000 − 1,500 = 500.
        #expect(account.unrealised == d("-1500") && account.equity == d("500"))
        // Notional 31,500: maintenance 0.5 % = 157.5; initial 1/20 = 1,575.
        #expect(account.maintenanceMargin == d("157.5") && account.initialMargin == d("1575"))
        // Margin ratio 157.5 / 500 = 31.5 %; nothing left for new positions.
        #expect(abs(account.marginRatio - 0.315) < 1e-15)
        #expect(account.available == .zero)
        // At a mark of 3184.25 equity is 157.5: the ratio is 100 %, where the venue liquidates.
        let atLiquidation = MarginAccount(collateral: d("2000"), holdings: [MarginAccount.Holding(
            symbol: short.symbol, position: short.position, mark: d("3184.25"), terms: terms)])
        #expect(atLiquidation.equity == d("157.5") && abs(atLiquidation.maintenanceMargin.doubleValue - 159.2125) < 1e-9)
        #expect(atLiquidation.marginRatio > 1)
        // A bracket's maintenance amount is deducted: 31,500 × 0.5 % − 50 = 107.5.
        let bracket = MarginAccount.Holding(symbol: short.symbol, position: short.position, mark: d("3150"),
                                            terms: MarginTerms(maxLeverage: d("20"), maintenanceRate: d("0.005"), maintenanceAmount: d("50")))
        #expect(bracket.maintenanceMargin == d("107.5"))
    }

    @Test func priceExposureIsHoldingsPlusNetPerpetualSize() {
        let perp = try! Symbol(parsing: "ETH/USDT:USDT")
        var inventory = Inventory()
        inventory.credit("ETH", d("3"), at: .exchange("spot"))
        inventory.credit("USDT", d("1000"), at: .exchange("perp-a"))
        inventory.setPosition(PerpetualPosition(size: d("5"), entryPrice: d("3000")), perp, at: .exchange("perp-a"))
        inventory.setPosition(PerpetualPosition(size: d("-5"), entryPrice: d("3010")), perp, at: .exchange("perp-b"))
        // The hedged pair nets to nothing: 3 ETH of exposure, the spot holding.
        #expect(inventory.priceExposure == ["ETH": d("3"), "USDT": d("1000")])
        // One side gone: the other is exposed like the coin.
        inventory.setPosition(PerpetualPosition(), perp, at: .exchange("perp-b"))
        #expect(inventory.priceExposure["ETH"] == d("8"))
        #expect(inventory.positions[.exchange("perp-b")] == nil, "a closed position is no position")
    }

    @Test func capacityOnMarginIsWhatClosesPlusWhatFreeCollateralOpens() {
        let symbol = try! Symbol(parsing: "ETH/USDT:USDT")
        let terms = MarginTerms(maxLeverage: d("10"), maintenanceRate: d("0.005"))
        var inventory = Inventory()
        inventory.credit("USDT", d("3000"), at: .exchange("perp"))
        // Flat: 3,000 × 10 / 3000 = 10 ETH either way.
        #expect(inventory.perpetualCapacity(symbol, side: .sell, at: .exchange("perp"), price: 3000, terms: terms) == 10)
        // Long 4 at 3000 ties up 1,200: a sell closes 4 and opens (3,000 − 1,200) × 10 / 3000 = 6 more; a buy only opens 6.
        inventory.setPosition(PerpetualPosition(size: d("4"), entryPrice: d("3000")), symbol, at: .exchange("perp"))
        #expect(abs(inventory.perpetualCapacity(symbol, side: .sell, at: .exchange("perp"), price: 3000, terms: terms) - 10) < 1e-9)
        #expect(abs(inventory.perpetualCapacity(symbol, side: .buy, at: .exchange("perp"), price: 3000, terms: terms) - 6) < 1e-9)
        // A spot symbol has no margin capacity.
        #expect(inventory.perpetualCapacity(Symbol(base: "ETH", quote: "USDT"), side: .buy, at: .exchange("perp"), price: 3000, terms: terms) == 0)
    }
}
