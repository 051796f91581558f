import DexterCore
import DexterDetect
import DexterEngine
import DexterTUI
import Testing

/// Every key path of the desk, without a terminal: what the trader types becomes view changes and engine commands.
@Suite struct DeskControllerTests {
    typealias F = SnapshotFixtures

    func press(_ controller: inout DeskController, _ keys: [Key], _ snapshot: Snapshot = F.snapshot()) -> [DeskController.Effect] {
        var effects: [DeskController.Effect] = []
        for key in keys {
            // Each frame reconciles the selection, as the screen does.
            _ = Panels.frame(snapshot, view: &controller.view, keymap: controller.keymap, width: 80, height: 24)
            effects += controller.handle(.key(key), snapshot: snapshot, width: 80, height: 24)
        }
        return effects
    }

    func typed(_ text: String) -> [Key] { text.map { Key.character($0) } }

    @Test func navigatesAndApprovesTheSelectedOpportunity() {
        var controller = DeskController(keymap: .standard)
        #expect(press(&controller, [.character("j")]).isEmpty)
        #expect(controller.view.selectedId == 3)
        #expect(press(&controller, [.character("a")]) == [.send(.requestApproval(3))])
        #expect(press(&controller, [.character("k"), .character("x")]) == [.send(.reject(7))])
        _ = press(&controller, [.character("G")])
        #expect(controller.view.selectedId == 12)
        _ = press(&controller, [.character("g")])
        #expect(controller.view.selectedId == 7)
    }

    @Test func aStaleOpportunityIsRefusedWithTheReason() {
        var controller = DeskController(keymap: .standard)
        // BTC/USDT #12's quote is 4 s old against a 3 s bound.
        let effects = press(&controller, [.character("G"), .character("a")])
        #expect(effects.isEmpty)
        #expect(controller.view.message?.text.contains("#12 is stale") == true)
        #expect(controller.view.message?.isError == true)
    }

    @Test func duringAConfirmationOnlyConfirmAndCancelAct() {
        let pending = F.opportunity(id: 7, quantity: "2", buyPrice: "3000", sellPrice: "3012.5")
        let snapshot = F.snapshot(confirmation: Confirmation(original: pending, repriced: pending))
        var controller = DeskController(keymap: .standard)
        #expect(press(&controller, [.character("j"), .character("a"), .character("x"), .character("K")], snapshot).isEmpty)
        #expect(controller.view.overlay == .none)
        #expect(press(&controller, [.character("y")], snapshot) == [.send(.confirm(7))])
        #expect(press(&controller, [.escape], snapshot) == [.send(.cancelApproval)])
        // Until the engine's next snapshot drops the canceled confirmation, keys are no answer to it; q quits.
        #expect(press(&controller, [.character("y"), .character("n")], snapshot).isEmpty)
        #expect(press(&controller, [.character("q")], snapshot) == [.quit])
        // A new confirmation of the same opportunity, once the old one has gone, is answered again.
        _ = press(&controller, [.character("j")])
        #expect(press(&controller, [.character("y")], snapshot) == [.send(.confirm(7))])
    }

    @Test func theKillSwitchAsksOnceThenHalts() {
        var controller = DeskController(keymap: .standard)
        #expect(press(&controller, [.character("K")]).isEmpty)
        #expect(controller.view.overlay == .killSwitch)
        #expect(press(&controller, [.character("n")]).isEmpty)
        #expect(controller.view.overlay == .none && controller.view.message?.text.contains("not pulled") == true)
        #expect(press(&controller, [.character("K"), .character("y")]) == [.send(.halt("kill switch pulled by alice"))])

        var halted = F.snapshot()
        halted.haltReason = "kill switch pulled by alice"
        #expect(press(&controller, [.character("a")], halted).isEmpty)
        #expect(controller.view.message?.text.contains("halted") == true)
        #expect(press(&controller, [.character(":")] + typed("resume") + [.enter], halted) == [.send(.resume)])
    }

    /// The Orders panel's selection and its two keys: each asks first, naming the order, and sends only on `y`.
    @Test func theOrdersPanelSelectsAnOrderAndAsksBeforeACancelOrASpeedUp() throws {
        var controller = DeskController(keymap: .standard)
        // Away from the Orders panel the keys say where to go.
        #expect(press(&controller, [.character("X")]).isEmpty)
        #expect(controller.view.message?.text.contains("Orders panel") == true)
        // Focused, the newest live order is selected: r-a3-1 (submitted).
        _ = press(&controller, [.character("6")])
        #expect(controller.view.selectedOrderId == "r-a3-1")
        #expect(press(&controller, [.character("F")]).isEmpty)
        #expect(controller.view.overlay == .orderAction(.speedUp, clientOrderId: "r-a3-1"))
        var canvas = Panels.frame(F.snapshot(), view: &controller.view, keymap: controller.keymap, width: 80, height: 24)
        #expect((0..<24).contains { canvas.line($0).contains("Speed up") })
        #expect((0..<24).contains { canvas.line($0).contains("#7 binance buy 2 ETH/USDT  (r-a3-1)") })
        #expect(press(&controller, [.character("y")]) == [.send(.speedUp("r-a3-1"))])
        // Any other key keeps the order as it is.
        _ = press(&controller, [.character("X")])
        #expect(press(&controller, [.character("n")]).isEmpty)
        #expect(controller.view.message?.text == "r-a3-1 kept as it is")
        #expect(press(&controller, [.character("X"), .character("y")]) == [.send(.cancelOrder("r-a3-1"))])
        // Down selects the next order; a filled one is not live: refused with its state, nothing asked.
        _ = press(&controller, [.character("j")])
        #expect(controller.view.selectedOrderId == "r-a2-2")
        canvas = Panels.frame(F.snapshot(), view: &controller.view, keymap: controller.keymap, width: 80, height: 24)
        let row = try #require((0..<24).first { canvas.line($0).contains("#2 okx") })
        #expect(canvas.line(row).contains("▶"))
        #expect(press(&controller, [.character("X")]).isEmpty)
        #expect(controller.view.overlay == .none)
        #expect(controller.view.message?.text == "#2 okx sell 1.5 ETH/USDT is filled: only a live order can be canceled")
    }

    @Test func focusZoomAndScrollFollowThePanels() {
        var controller = DeskController(keymap: .standard)
        // At 80 columns the detail panel is not beside the table: Tab skips it, and 2 opens it zoomed.
        _ = press(&controller, [.tab])
        #expect(controller.view.focus == .positions)
        _ = press(&controller, [.backTab, .backTab])
        #expect(controller.view.focus == .log)
        _ = press(&controller, [.character("2")])
        #expect(controller.view.focus == .detail && controller.view.zoomed)
        _ = press(&controller, [.escape])
        #expect(controller.view.focus == .opportunities && !controller.view.zoomed)
        _ = press(&controller, [.character("6")])
        #expect(controller.view.focus == .orders)
        _ = press(&controller, [.character("j")])
        #expect(controller.view.selectedOrderId == "r-a2-2", "j moves the Orders panel's own selection")
        #expect(controller.view.selectedId == 7, "and leaves the table's alone")
        _ = press(&controller, [.character("z")])
        var view = controller.view
        let zoomed = Panels.frame(F.snapshot(), view: &view, keymap: .standard, width: 80, height: 24)
        #expect(zoomed.line(1).contains("6 Orders") && !zoomed.text.contains("1 Opportunities"))
        _ = press(&controller, [.escape])
        #expect(!controller.view.zoomed)
    }

    @Test func theCommandLineSortsFiltersSwitchesThemesAndExplainsMistakes() {
        var controller = DeskController(keymap: .standard)
        _ = press(&controller, [.character(":")] + typed("sort age") + [.enter])
        #expect(controller.view.sort == .age)
        #expect(controller.view.visible(F.snapshot().opportunities, now: F.now).map(\.id) == [12, 3, 7])
        #expect(press(&controller, [.character(":")] + typed("theme light") + [.enter]) == [.theme("light")])
        _ = press(&controller, [.character(":")] + typed("sortt net") + [.enter])
        #expect(controller.view.message?.isError == true && controller.view.message?.text.contains("unknown command") == true)
        _ = press(&controller, [.character(":")] + typed("focus wallets") + [.enter])
        #expect(controller.view.focus == .wallets)
        #expect(press(&controller, [.character(":"), .character("q"), .enter]) == [.quit])
    }

    @Test func slashFiltersAsYouTypeAndEscapeClears() {
        var controller = DeskController(keymap: .standard)
        _ = press(&controller, [.character("/")] + typed("sol"))
        #expect(controller.view.visible(F.snapshot().opportunities, now: F.now).map(\.id) == [3])
        _ = press(&controller, [.backspace, .backspace, .backspace] + typed("kraken") + [.enter])
        #expect(controller.view.filter == "kraken" && controller.view.prompt == nil)
        #expect(controller.view.visible(F.snapshot().opportunities, now: F.now).map(\.id) == [12])
        // While typing, keys are text: "a" does not approve.
        #expect(press(&controller, [.character("/"), .character("a")]).isEmpty)
        _ = press(&controller, [.escape])
        #expect(controller.view.filter.isEmpty)
    }

    @Test func aClickSelectsARowOrFocusesAPanelAndTheWheelScrolls() {
        var controller = DeskController(keymap: .standard)
        _ = press(&controller, [])
        // Row 5 of the screen is the third table row (after the border and the header).
        _ = controller.handle(.click(x: 10, y: 5), snapshot: F.snapshot(), width: 80, height: 24)
        #expect(controller.view.selectedId == 12)
        _ = controller.handle(.click(x: 70, y: 19), snapshot: F.snapshot(), width: 80, height: 24)
        #expect(controller.view.focus == .log)
        _ = controller.handle(.wheel(x: 10, y: 19, up: false), snapshot: F.snapshot(), width: 80, height: 24)
        #expect(controller.view.selectedOrderId == "r-a1-1", "the wheel moves the Orders panel's selection, to its last row")
    }

    @Test func rebindingReplacesKeysAndRefusesAmbiguity() throws {
        let map = try KeyMap.standard.rebinding([("approve", ["A"]), ("quit", ["q", "Q"])])
        #expect(map.action(for: .character("A")) == .approve && map.action(for: .character("a")) == nil)
        #expect(map.action(for: .character("Q")) == .quit)
        var controller = DeskController(keymap: map)
        #expect(press(&controller, [.character("a")]).isEmpty)
        #expect(press(&controller, [.character("A")]) == [.send(.requestApproval(7))])
        #expect(throws: KeyMap.RebindError.self) { try KeyMap.standard.rebinding([("reject", ["a"])]) }
        #expect(throws: KeyMap.RebindError.self) { try KeyMap.standard.rebinding([("aprove", ["A"])]) }
        #expect(throws: KeyMap.RebindError.self) { try KeyMap.standard.rebinding([("approve", ["Ctrl-Q"])]) }
        #expect(KeyMap.parse("PgDn") == .pageDown && KeyMap.parse("esc") == .escape && KeyMap.parse("Space") == .character(" "))
    }

    @Test func commandsParseOrSayWhatIsWrong() throws {
        #expect(try DeskCommand.parse("sort bps") == .sort(.bps))
        #expect(try DeskCommand.parse("filter ETH/USDT") == .filter("ETH/USDT"))
        #expect(try DeskCommand.parse("focus 4") == .focus(.risk))
        #expect(try DeskCommand.parse("focus pos") == .focus(.positions))
        #expect(try DeskCommand.parse("  theme   high-contrast ") == .theme("high-contrast"))
        #expect(throws: DeskCommand.ParseError.self) { try DeskCommand.parse("sort volume") }
        #expect(throws: DeskCommand.ParseError.self) { try DeskCommand.parse("focus 9") }
        #expect(throws: DeskCommand.ParseError.self) { try DeskCommand.parse("") }
    }
}

extension DeskControllerTests {
    @Test func keysTypedInOneBurstActInOrder() {
        var controller = DeskController(keymap: .standard)
        var effects: [DeskController.Effect] = []
        // No frame between the keys, as when the terminal delivers them in one read.
        for key in [Key.character(":")] + typed("sort age") + [.enter, .character("g"), .character("a")] {
            effects += controller.handle(.key(key), snapshot: F.snapshot(), width: 80, height: 24)
        }
        #expect(effects.isEmpty)
        #expect(controller.view.message?.text.contains("#12 is stale") == true, "\(String(describing: controller.view.message))")
    }
}

extension DeskControllerTests {
    /// Rows hold their places while their figures change, and are re-sorted every `resortInterval`; a newcomer goes
    /// where it sorts at once; a new sort or filter applies at once.
    @Test func rowsHoldStillBetweenResorts() {
        var view = ViewState()
        let a = F.opportunity(id: 1, quantity: "1", buyPrice: "3000", sellPrice: "3020")
        let b = F.opportunity(id: 2, quantity: "1", buyPrice: "3000", sellPrice: "3010")
        #expect(view.arrange([a, b], now: F.now).map(\.id) == [1, 2])
        // B overtakes A: within the interval the rows stay put.
        let b2 = F.opportunity(id: 2, quantity: "1", buyPrice: "3000", sellPrice: "3050")
        let soon = F.now.adding(.milliseconds(500))
        #expect(view.arrange([a, b2], now: soon).map(\.id) == [1, 2])
        // A newcomer better than both goes straight to the top.
        let c = F.opportunity(id: 3, quantity: "1", buyPrice: "3000", sellPrice: "3100")
        #expect(view.arrange([a, b2, c], now: soon).map(\.id) == [3, 1, 2])
        // Past the interval, the table re-sorts.
        #expect(view.arrange([a, b2, c], now: F.now.adding(ViewState.resortInterval)).map(\.id) == [3, 2, 1])
        // A closed row leaves at once.
        #expect(view.arrange([a, c], now: F.now.adding(ViewState.resortInterval)).map(\.id) == [3, 1])
        view.sort = .pair
        #expect(view.arrange([a, b2, c], now: F.now.adding(ViewState.resortInterval)).map(\.id) == [1, 2, 3])
    }

    @Test func limitCommandsParse() throws {
        #expect(try DeskCommand.parse("limit notional 20,000") == .limit(.maxNotionalPerTradeUSD(FixedDecimal(20_000))))
        #expect(try DeskCommand.parse("limit daily-volume 500000") == .limit(.dailyVolumeUSD(FixedDecimal(500_000))))
        #expect(try DeskCommand.parse("limit position eth 50") == .limit(.maxPosition("ETH", FixedDecimal(50))))
        #expect(throws: DeskCommand.ParseError.self) { try DeskCommand.parse("limit notional -5") }
        #expect(throws: DeskCommand.ParseError.self) { try DeskCommand.parse("limit leverage 3") }
    }
}

/// Cycles under the table: `c` moves the selection onto them, and a cycle is approved, confirmed and rejected with
/// the same keys as a pair, by its own number.
@Suite struct CycleSelectionTests {
    typealias F = SnapshotFixtures

    static func cycle(id: UInt64, net: String, now: Timestamp) -> CycleOpportunity {
        func leg(_ venue: String, _ symbol: Symbol, _ side: Side, from: String, input: String, to: String, output: String,
                 quantity: String, price: String) -> CycleLeg {
            CycleLeg(venue: VenueId(venue), symbol: symbol, side: side, from: Asset(from), input: FixedDecimal(input)!, to: Asset(to),
                     output: FixedDecimal(output)!, quantity: FixedDecimal(quantity)!, averagePrice: FixedDecimal(price)!,
                     worstPrice: FixedDecimal(price)!, fee: .zero, receivedAt: now)
        }
        let legs = [leg("binance", Symbol(base: "ETH", quote: "USDT"), .buy, from: "USDT", input: "3000", to: "ETH", output: "1",
                        quantity: "1", price: "3000"),
                    leg("okx", Symbol(base: "ETH", quote: "BTC"), .sell, from: "ETH", input: "1", to: "BTC", output: "0.051",
                        quantity: "1", price: "0.051"),
                    leg("binance", Symbol(base: "BTC", quote: "USDT"), .sell, from: "BTC", input: "0.051", to: "USDT",
                        output: "3060", quantity: "0.051", price: "60000")]
        return CycleOpportunity(id: id, legs: legs, net: FixedDecimal(net)!, gasUSD: .zero, netUSD: FixedDecimal(net)!,
                                detectedAt: now, expiresAt: now.adding(.seconds(5)))
    }

    func snapshot(confirming: CycleOpportunity? = nil) -> Snapshot {
        var snapshot = F.snapshot()
        snapshot.cycles = [Self.cycle(id: 4, net: "60", now: snapshot.clock), Self.cycle(id: 9, net: "20", now: snapshot.clock)]
        snapshot.cycleConfirmation = confirming.map { CycleConfirmation(original: $0, repriced: $0) }
        return snapshot
    }

    func press(_ controller: inout DeskController, _ keys: [Key], _ snapshot: Snapshot) -> [DeskController.Effect] {
        var effects: [DeskController.Effect] = []
        for key in keys {
            _ = Panels.frame(snapshot, view: &controller.view, keymap: controller.keymap, width: 100, height: 30)
            effects += controller.handle(.key(key), snapshot: snapshot, width: 100, height: 30)
        }
        return effects
    }

    @Test func cKeySelectsCyclesWhichApproveAndRejectByTheirNumber() {
        var controller = DeskController(keymap: .standard)
        let screen = snapshot()
        #expect(press(&controller, [.character("c")], screen).isEmpty)
        #expect(controller.view.onCycles && controller.view.selectedCycleId == 4)
        let selected = Panels.frame(screen, view: &controller.view, keymap: controller.keymap, width: 100, height: 30).text
        #expect(selected.contains("▶  c4 USDT→ETH"), "\(selected)")
        #expect(press(&controller, [.character("j"), .character("a")], screen) == [.send(.requestCycleApproval(9))])
        #expect(press(&controller, [.character("k"), .character("x")], screen) == [.send(.rejectCycle(4))])
        // Back on the pairs, the same key approves the pair selected there.
        #expect(press(&controller, [.character("c"), .character("a")], screen) == [.send(.requestApproval(7))])
        let frame = Panels.frame(screen, view: &controller.view, keymap: controller.keymap, width: 100, height: 30).text
        #expect(frame.contains("c4 USDT→ETH@binance→BTC@okx→USDT@binance"))
    }

    @Test func aCycleConfirmationTakesOnlyConfirmAndCancel() {
        var controller = DeskController(keymap: .standard)
        let pending = Self.cycle(id: 4, net: "60", now: F.snapshot().clock)
        let screen = snapshot(confirming: pending)
        #expect(press(&controller, [.character("a"), .character("x"), .character("j")], screen).isEmpty)
        #expect(press(&controller, [.character("y")], screen) == [.send(.confirmCycle(4))])
        #expect(press(&controller, [.escape], screen) == [.send(.cancelApproval)])
        let frame = Panels.frame(screen, view: &controller.view, keymap: controller.keymap, width: 100, height: 30).text
        #expect(frame.contains("Approve cycle?") && frame.contains("2. okx sell 1.00 ETH/BTC at ≥ 0.051000: 1.00 ETH → 0.0510 BTC"))
    }
}
