import DexterCore
import DexterLedger
import DexterMarket
import Foundation
import Testing

@testable import DexterEngine

/// The portfolio alone: opened from the ledger, moved only by a committed booking.
@Suite struct PortfolioTests {
    @Test func opensFromTheLedgerAndMovesByEachBooking() throws {
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-portfolio-\(UUID().uuidString).sqlite")
        let now = Timestamp(nanoseconds: 1_764_000_000_000_000_000)
        _ = try ledger.writer.seedBalances([BalanceChange(account: "alpha", asset: "ETH", delta: FixedDecimal(10)),
                                            BalanceChange(account: "alpha", asset: "USDT", delta: FixedDecimal(30_000))])
        var portfolio = try Portfolio(ledger: ledger.reader, user: "tester", at: now)
        #expect(portfolio.inventory.total("ETH") == FixedDecimal(10))
        #expect(portfolio.usage.positions["USDT"] == FixedDecimal(30_000) && portfolio.usage.dailyVolumeUSD == .zero)
        #expect(portfolio.pnl.realisedTodayUSD == .zero && portfolio.pnl.arbitragesToday == 0)

        func booking(_ kind: ArbitrageBooking.Kind, profit: String) -> ArbitrageBooking {
            let trade = TradeRecord(id: "t-\(kind)", orderId: "o-\(kind)", user: "tester", exchange: "alpha", pair: "ETH/USDT",
                                    side: .buy, amount: FixedDecimal("1.5")!, price: FixedDecimal(2990), fee: .zero,
                                    feeAsset: "USDT", gas: .zero, gasAsset: nil, markPrice: FixedDecimal(3000),
                                    notionalUSD: FixedDecimal(4485), profitUSD: FixedDecimal(profit)!, createdAt: now)
            var booking = ArbitrageBooking(
                id: "a-\(kind)", opportunityId: "r", user: "tester", pair: "ETH/USDT", status: .completed,
                expectedNetUSD: FixedDecimal(profit)!, realisedNetUSD: FixedDecimal(profit)!, createdAt: now, orders: [],
                trades: [trade], balanceChanges: [BalanceChange(account: "alpha", asset: "ETH", delta: FixedDecimal("1.5")!),
                                                  BalanceChange(account: "alpha", asset: "USDT", delta: FixedDecimal(-4485))])
            booking.kind = kind
            return booking
        }
        portfolio.apply(booking(.arbitrage, profit: "12.25"), base: "ETH", lotsFrom: ledger.reader)
        #expect(portfolio.inventory.total("ETH") == FixedDecimal("11.5")!)
        #expect(portfolio.inventory.total("USDT") == FixedDecimal(25_515))
        #expect(portfolio.usage.positions["ETH"] == FixedDecimal("11.5")!)
        #expect(portfolio.deskVolumeTodayUSD == FixedDecimal(4485) && portfolio.userVolumeTodayUSD == FixedDecimal(4485))
        #expect(portfolio.pnl.realisedTodayUSD == FixedDecimal("12.25")!)
        #expect(portfolio.pnl.arbitragesToday == 1 && portfolio.pnl.tradesToday == 1)
        #expect(portfolio.realisedByAsset["ETH"]?["alpha"] == FixedDecimal("12.25")!)
        // A stop-loss is booked and moves the money, but it is not an arbitrage.
        portfolio.apply(booking(.stopLoss, profit: "-40"), base: "ETH", lotsFrom: ledger.reader)
        #expect(portfolio.pnl.arbitragesToday == 1 && portfolio.pnl.tradesToday == 2)
        #expect(portfolio.pnl.realisedTodayUSD == FixedDecimal("-27.75")!)
        #expect(portfolio.pnl.history == [0, 12.25, -27.75])
    }
}
