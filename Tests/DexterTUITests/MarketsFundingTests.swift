import DexterCore
import DexterEngine
@testable import DexterTUI
import Testing

/// A perpetual's row on the Markets panel carries its next funding: the rate to four places of a percent, signed,
/// and the time to it; spot rows carry none.
@Suite struct MarketsFundingTests {
    typealias F = SnapshotFixtures

    @Test func aPerpetualShowsItsFundingRateAndTimeToTheNext() throws {
        var snapshot = F.snapshot()
        let top = MarketRow.Top.book(bid: .init(price: FixedDecimal("60000.00")!, quantity: FixedDecimal("1.5")!),
                                     ask: .init(price: FixedDecimal("60000.10")!, quantity: FixedDecimal("0.75")!))
        snapshot.markets = [
            MarketRow(venue: "binance-usdm", symbol: "BTC/USDT:USDT", top: top, age: .milliseconds(80), stale: false,
                      feed: "live", funding: .init(rate: FixedDecimal("0.0001")!, untilNext: .seconds(3 * 3_600 + 12 * 60 + 59))),
            MarketRow(venue: "binance-usdm", symbol: "ETH/USDT:USDT", top: top, age: .milliseconds(80), stale: false,
                      feed: "live", funding: .init(rate: FixedDecimal("-0.00012345")!, untilNext: .seconds(65))),
            MarketRow(venue: "binance", symbol: "BTC/USDT", top: top, age: .milliseconds(80), stale: false, feed: "live"),
        ]
        // `8` opens the panel zoomed at 120×40, wide enough for every column and the feed.
        var controller = DeskController(keymap: .standard)
        _ = controller.handle(.key(.character("8")), snapshot: snapshot, width: 120, height: 40)
        var view = controller.view
        let frame = Panels.frame(snapshot, view: &view, keymap: .standard, width: 120, height: 40)
        let heading = try #require((0..<40).first { frame.line($0).contains("8 Markets (3)") })
        let rows = (heading..<40).map { frame.line($0) }
        // The pair column widens for the perpetuals' longer symbols rather than cutting them.
        #expect(rows.contains { $0.contains("binance-usdm BTC/USDT:USDT  ") }, "\(rows)")
        #expect(rows.contains { $0.contains("BTC/USDT:USDT") && $0.contains("fund +0.0100% 3h12m live") }, "\(rows)")
        #expect(rows.contains { $0.contains("ETH/USDT:USDT") && $0.contains("fund -0.0123% 0h01m live") }, "\(rows)")
        #expect(rows.contains { $0.contains("binance      BTC/USDT ") && !$0.contains("fund") }, "\(rows)")
    }
}
