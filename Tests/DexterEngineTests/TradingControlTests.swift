import DexterCore
import DexterRisk
import Testing

@testable import DexterEngine

/// The trading state alone: what each state lets out, what a resume accepts, and what a restart reads back.
@Suite struct TradingControlTests {
    @Test func eachStateLetsOutOnlyWhatItShould() {
        var control = TradingControl()
        let purposes: [ExecutionPurpose] = [.arbitrage, .correction(of: "a1", action: .unwind), .stopLoss("ETH"),
                                            .marginReduction(.exchange("okx-swap"))]
        #expect(purposes.allSatisfy { control.refusal(for: $0) == nil })
        let reduced = control.reduce("risk review")
        #expect(reduced)
        #expect(control.refusal(for: .arbitrage) == .reducing(reason: "risk review"))
        #expect(purposes.dropFirst().allSatisfy { control.refusal(for: $0) == nil }, "what cuts exposure still goes")
        let halted = control.halt("kill switch")
        let haltedAgain = control.halt("a second press")
        #expect(halted && !haltedAgain, "the first reason stands")
        #expect(control.state == .halted)
        #expect(control.refusal(for: .stopLoss("ETH")) == .halted(reason: "kill switch"))
        #expect(control.refusal(for: .correction(of: "a1", action: .hedge)) == .halted(reason: "kill switch"))
        #expect(control.refusal(for: .marginReduction(.exchange("okx-swap"))) == nil, "the alternative is liquidation")
        control.ledgerCannotBeWritten()
        #expect(control.refusal(for: .marginReduction(.exchange("okx-swap"))) == .ledgerCannotBeWritten)
        let refused = control.resume(realisedToday: .zero)
        #expect(refused == .refused("the ledger could not be written"))
        #expect(control.state == .halted)
    }

    @Test func aResumeAcceptsTheLossItLifts() {
        var control = TradingControl()
        control.arbitrageFilledNothing()
        control.arbitrageFilledNothing()
        #expect(control.failuresInARow == 2)
        _ = control.halt("automatic halt: daily loss")
        let resumed = control.resume(realisedToday: FixedDecimal(-1_250))
        #expect(resumed == .fromHalt("automatic halt: daily loss", baseline: FixedDecimal(-1_250)))
        #expect(control.lossBaselineUSD == FixedDecimal(-1_250) && control.realisedPeakUSD == FixedDecimal(-1_250))
        #expect(control.failuresInARow == 0)
        _ = control.halt("again")
        let inProfit = control.resume(realisedToday: FixedDecimal(300))
        #expect(inProfit == .fromHalt("again", baseline: .zero), "a day in profit has nothing to accept")
        let nothing = control.resume(realisedToday: .zero)
        #expect(nothing == .nothingToResume)
    }

    @Test func aRestartReadsBackWhatWasLeftInForce() {
        func line(_ action: String, _ detail: String, _ at: String = "2026-11-29T10:00:00Z") -> TradingControl.AuditLine {
            .init(action: action, detail: detail, at: at)
        }
        let today = "2026-11-29"
        let entries = [
            line("halt", "kill switch"),
            line("resume", "after: kill switch" + TradingControl.baselineMarker + "-400 USD"),
            line("stop-loss", "ETH fell 12.5 % under its cost"),
            line("stop-loss", "SOL fell 19 % under its cost"),
            line("stop re-armed", "SOL"),
            line("reducing", "risk review"),
            line("halt", "automatic halt: feed lost"),
        ]
        let control = TradingControl(standingFrom: entries, today: today, realisedToday: FixedDecimal(-100))
        #expect(control.haltReason == "automatic halt: feed lost")
        #expect(control.reducingReason == "risk review")
        #expect(Array(control.stoppedOut.keys) == ["ETH"])
        #expect(control.lossBaselineUSD == FixedDecimal(-400))
        #expect(control.realisedPeakUSD == FixedDecimal(-100))
        // Yesterday's resume baseline does not carry into today.
        let tomorrow = TradingControl(standingFrom: entries, today: "2026-11-30", realisedToday: .zero)
        #expect(tomorrow.lossBaselineUSD == .zero)
    }
}
