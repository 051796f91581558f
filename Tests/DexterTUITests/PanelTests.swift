import DexterCore
import DexterDetect
import DexterEngine
import DexterTUI
import Foundation
import Testing

@Suite struct PanelTests {
    typealias F = SnapshotFixtures

    /// Compares a frame with Golden/<name>.txt; DEXTER_RECORD_GOLDEN=1 writes it instead (then read it, and commit).
    func expectGolden(_ canvas: Canvas, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
        if ProcessInfo.processInfo.environment["DEXTER_RECORD_GOLDEN"] == "1" {
            try (canvas.text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(canvas.text + "\n" == golden, sourceLocation: sourceLocation)
    }

    @Test func rendersTheDeskAt80x24() throws {
        var view = ViewState()
        let canvas = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24)
        try expectGolden(canvas, "desk-80x24")
        // Best net first, and the first row is selected.
        #expect(view.selectedId == 7)
        #expect(canvas.line(3).contains("ETH/USDT"))
        #expect(canvas[1, 3].role == .selected)
    }

    @Test func rendersTheDeskAt120x40() throws {
        var view = ViewState()
        try expectGolden(Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 120, height: 40), "desk-120x40")
    }

    @Test func anOverdueKeyIsFlaggedInTheStatusBarAndTheWalletsPanel() throws {
        var snapshot = F.snapshot()
        snapshot.wallets[1].wallet.keyNote = "key …Q7xa 120d ROTATE"
        snapshot.wallets[1].wallet.keyOverdue = true
        snapshot.alerts = ["binance API key …Q7xa is 120 days old: dexter keys rotate binance"]
        var view = ViewState()
        let canvas = Panels.frame(snapshot, view: &view, keymap: .standard, width: 120, height: 40)
        #expect(canvas.line(0).contains("⚠ binance API key …Q7xa is 120 days"))
        #expect(canvas.line(0).hasSuffix("17:44:05 UTC "), "the clock keeps its place")
        let row = try #require((0..<40).first { canvas.line($0).contains("binance key …Q7xa 120d ROTATE") })
        let column = try #require(canvas.line(row).range(of: "key …Q7xa")).lowerBound.utf16Offset(in: canvas.line(row))
        #expect(canvas[column, row].role == .warning)
        #expect(canvas[(try #require(canvas.line(0).range(of: "⚠")).lowerBound.utf16Offset(in: canvas.line(0))), 0].role == .warning)
    }

    /// Wide enough for the detail panel beside the table.
    @Test func rendersTheDeskAt140x40WithTheDetailBeside() throws {
        var view = ViewState()
        let canvas = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 140, height: 40)
        try expectGolden(canvas, "desk-140x40")
        #expect(canvas.text.contains("2 Detail") && canvas.text.contains("expires in"))
    }

    /// The markets panel: under the detail when the screen is tall and wide; elsewhere `8` opens it zoomed.
    @Test func theMarketsPanelShowsEachBooksTopAndEachPoolsPrices() throws {
        var snapshot = F.snapshot()
        snapshot.markets = [
            MarketRow(venue: "binance", symbol: "ETH/USDT",
                      top: .book(bid: .init(price: FixedDecimal("2683.80")!, quantity: FixedDecimal("3.0292")!),
                                 ask: .init(price: FixedDecimal("2683.81")!, quantity: FixedDecimal("31.4395")!)),
                      age: .milliseconds(120), stale: false, feed: "live"),
            MarketRow(venue: "binance-b", symbol: "ETH/USDT", top: .book(bid: nil, ask: nil), age: .seconds(3), stale: false,
                      feed: "resyncing (ETH/USDT gap)"),
            MarketRow(venue: "uniswap", symbol: "ETH/USDT", top: .pool(bid: 2682.5, ask: 2690.25), age: .seconds(12),
                      stale: true, feed: nil),
        ]
        var view = ViewState()
        let tall = Panels.frame(snapshot, view: &view, keymap: .standard, width: 200, height: 60)
        let heading = try #require((0..<60).first { tall.line($0).contains("8 Markets (3)") })
        let rows = (heading..<60).map { tall.line($0) }
        #expect(rows.contains { $0.contains("binance      ETH/USDT        2,683.80    2,683.81   0.0  120ms live") })
        #expect(rows.contains { $0.contains("binance-b    ETH/USDT               —           —         3.0s") })
        #expect(rows.contains { $0.contains("uniswap      ETH/USDT        2,682.50    2,690.25  28.8  12.0s STALE") })
        #expect(tall.text.contains("2 Detail"), "the detail keeps its place above")

        view = ViewState()
        var controller = DeskController(keymap: .standard)
        _ = controller.handle(.key(.character("8")), snapshot: snapshot, width: 120, height: 40)
        view = controller.view
        #expect(view.focus == .markets && view.zoomed, "no room at 120×40: it opens zoomed")
        let zoomed = Panels.frame(snapshot, view: &view, keymap: .standard, width: 120, height: 40)
        #expect(zoomed.text.contains("Bid qty") && zoomed.text.contains("31.4395"), "wide enough for the quantities")
        #expect(zoomed.text.contains("3.0s resyncing (ETH/USDT gap)"), "and for the feed's whole state")
        _ = controller.handle(.key(.escape), snapshot: snapshot, width: 120, height: 40)
        #expect(!controller.view.zoomed && controller.view.focus == .opportunities)
    }

    @Test func rendersUpTo300x100AndSaysWhenTooSmall() {
        var view = ViewState()
        let large = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 300, height: 100)
        #expect(large.line(0).contains("SIM"))
        let small = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 40, height: 10)
        #expect(small.line(0).contains("dexter needs at least 60×16"))
    }

    /// A spot pair against its perpetual: the row says "ETH basis", the detail names each leg's instrument.
    @Test func aBasisTradeSaysWhichLegIsThePerpetual() throws {
        let basis = F.opportunity(id: 9, pair: "ETH/USDT", sellPair: "ETH/USDT:USDT", buy: "binance", sell: "binance-usdm")
        var view = ViewState()
        let table = Panels.frame(F.snapshot(opportunities: [basis]), view: &view, keymap: .standard, width: 80, height: 24)
        #expect(table.line(3).contains("9 ETH basis  binance      binance-usdm "), "\(table.line(3))")
        view.overlay = .detail
        let detail = Panels.frame(F.snapshot(opportunities: [basis]), view: &view, keymap: .standard, width: 80, height: 24).text
        for label in ["#9 ETH/USDT basis  binance → binance-usdm", "BUY  binance spot ", "SELL binance-usdm perp "] {
            #expect(detail.contains(label), "missing \(label)")
        }
    }

    @Test func detailShowsLegsAndTheCostWaterfall() throws {
        var view = ViewState()
        view.overlay = .detail
        let canvas = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24)
        try expectGolden(canvas, "detail-80x24")
        let text = canvas.text
        for label in ["BUY  binance", "SELL okx", "gross", "fees", "gas", "slippage", "net"] {
            #expect(text.contains(label), "missing \(label)")
        }
    }

    @Test func confirmationShowsTheRepricedNumbers() throws {
        let original = F.opportunity(id: 7, quantity: "2", buyPrice: "3000", sellPrice: "3012.5")
        let repriced = F.opportunity(id: 7, quantity: "1.8", buyPrice: "3001", sellPrice: "3011")
        var view = ViewState()
        let canvas = Panels.frame(F.snapshot(confirmation: Confirmation(original: original, repriced: repriced)),
                                  view: &view, keymap: .standard, width: 80, height: 24)
        try expectGolden(canvas, "confirm-80x24")
        #expect(canvas.text.contains("Re-priced on the market now (was $12.98"))
        #expect(canvas.text.contains("1.80 @ 3,001.00"))
        #expect(canvas.text.contains("y confirm and send"))
    }

    @Test func selectionStaysOnTheSameOpportunityWhenRowsResort() {
        var view = ViewState()
        let first = F.snapshot()
        view.reconcile(with: first.opportunities)
        view.move(by: 1, in: first.opportunities)
        #expect(view.selectedId == 3)
        // The list re-sorts: id 3 moves to the top; the selection follows it, not the row.
        let resorted = [first.opportunities[1], first.opportunities[2], first.opportunities[0]]
        view.reconcile(with: resorted)
        #expect(view.selectedId == 3)
        #expect(view.selectedRow == 0)
        // It disappears: the selection lands on whatever now holds its row, never on nothing.
        let without = [first.opportunities[2], first.opportunities[0]]
        view.reconcile(with: without)
        #expect(view.selectedId == 12)
    }

    /// The best cycles sit under the table, view only: a click on them selects no opportunity.
    @Test func cyclesShowUnderTheTable() throws {
        var snapshot = F.snapshot()
        func leg(_ venue: String, _ pair: String, _ side: Side, _ from: Asset, _ input: String, _ to: Asset, _ output: String)
            throws -> CycleLeg {
            CycleLeg(venue: VenueId(venue), symbol: try Symbol(parsing: pair), side: side, from: from, input: F.d(input),
                     to: to, output: F.d(output), quantity: side == .buy ? F.d(output) : F.d(input), averagePrice: F.d("1"),
                     worstPrice: F.d("1"), fee: .zero, receivedAt: F.now)
        }
        snapshot.cycles = [CycleOpportunity(
            id: 1, legs: [try leg("binance", "ETH/USDC", .buy, "USDC", "3000", "ETH", "1"),
                          try leg("okx", "ETH/USDT", .sell, "ETH", "1", "USDT", "3030"),
                          try leg("curve", "USDC/USDT", .buy, "USDT", "3030", "USDC", "3029.5")],
            net: F.d("29.5"), gasUSD: F.d("1.2"), netUSD: F.d("28.3"), detectedAt: F.now, expiresAt: F.now.adding(.seconds(5)))]
        var view = ViewState()
        let canvas = Panels.frame(snapshot, view: &view, keymap: .standard, width: 120, height: 40)
        let headingRow = try #require((0..<canvas.height).first { canvas.line($0).contains("Cycles (best 1") })
        #expect(canvas.line(headingRow + 1).contains("USDC→ETH@binance→USDT@okx→USDC@curve"))
        #expect(canvas.line(headingRow + 1).contains("$28.30"))
        // A click there selects nothing (the controller maps clicks through the same row function).
        var controller = DeskController(keymap: .standard)
        controller.view = view
        let before = controller.view.selectedId
        _ = controller.handle(.click(x: 10, y: headingRow + 1), snapshot: snapshot, width: 120, height: 40)
        #expect(controller.view.selectedId == before)
    }

    @Test func staleRowsAreDimmed() {
        var view = ViewState()
        let canvas = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24)
        // BTC/USDT's quote is 4 s old against a 3 s bound.
        let row = (0..<canvas.height).first { canvas.line($0).contains("BTC/USDT") } ?? 0
        #expect(canvas[10, row].role == .stale)
    }

    @Test func footerAndHelpComeFromTheKeyTable() {
        var view = ViewState()
        let wide = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 140, height: 40)
        for binding in KeyMap.standard.bindings where binding.inFooter {
            #expect(wide.line(39).contains(binding.description))
        }
        // At 80 columns some hints give way, but help and quit always stay.
        let narrow = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24)
        #expect(narrow.line(23).contains("? help") && narrow.line(23).contains("q quit"))
        view.overlay = .help
        let help = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24).text
        for binding in KeyMap.standard.bindings { #expect(help.contains(binding.description), "\(binding.action)") }
        // A rebound key shows as rebound, in the footer and in help.
        let rebound = try! KeyMap.standard.rebinding([("approve", ["A"])])
        var view2 = ViewState()
        #expect(Panels.frame(F.snapshot(), view: &view2, keymap: rebound, width: 80, height: 24).line(23).contains("A approve"))
        view2.overlay = .help
        #expect(Panels.frame(F.snapshot(), view: &view2, keymap: rebound, width: 80, height: 24).text.contains("A          approve"))
    }
}
