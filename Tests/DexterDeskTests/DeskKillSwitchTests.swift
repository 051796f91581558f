import DexterDesk
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Logging
import Synchronization
import Testing
import TestServers

/// Three boxes on one desk, against a real PostgreSQL: the kill switch pressed on one stops the others (audited on
/// each under the member who pressed it, with the box it came from), a box that was away reads the halt when it is
/// back before it trades again, and a resume on any box reaches them all.
@Suite(.serialized) struct DeskKillSwitchTests {
    @Test func theKillSwitchOnOneBoxStopsEveryBoxAndResumeReachesThemAll() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let tokyo = try await Box("tokyo", desk: desk, seed: 5)
        let london = try await Box("london", desk: desk, seed: 6)
        let virginia = try await Box("virginia", desk: desk, seed: 7)
        let boxes = [tokyo, london, virginia]
        let heard = Mutex<[String: ContinuousClock.Instant]>([:])
        for box in boxes {
            let name = box.name
            await box.control.onApplied { _ in heard.withLock { $0[name] = .now } }
            await box.start()
        }
        #expect(try await Box.eventually { try boxes.allSatisfy { try $0.bookings() > 0 } }, "every box trades")

        // Virginia's link drops; Tokyo's risk manager presses the kill switch.
        await virginia.unlink()
        let pressed = ContinuousClock.now
        await tokyo.engine.handle(.halt("BTC basis blew out"), by: Box.riskManager)
        #expect(await Box.eventually { await london.engine.tradingState == .halted }, "London halts")
        if let at = heard.withLock({ $0["london"] }) { print("desk halt: tokyo → london applied in \(at - pressed)") }
        let londonHalt = try #require(try london.ledger.reader.auditEntries(actions: ["halt"]).last)
        #expect(londonHalt.user == "rita" && londonHalt.detail.contains("BTC basis blew out")
                && londonHalt.detail.contains("desk-wide, from box tokyo"), "\(londonHalt)")
        // Nothing is approved on London after its halt.
        let after = try london.ledger.reader.auditEntries(fromSequence: londonHalt.sequence + 1)
        #expect(!after.contains { $0.action == "auto-approve" }, "\(after.map(\.action))")

        // Virginia did not hear it and trades on; back on the desk, it reads the halt before anything else.
        #expect(await virginia.engine.tradingState == .active)
        await virginia.link()
        #expect(await virginia.engine.tradingState == .halted, "the halt is read on reconnect")
        let virginiaHalt = try #require(try virginia.ledger.reader.auditEntries(actions: ["halt"]).last)
        #expect(virginiaHalt.user == "rita" && virginiaHalt.detail.contains("desk-wide, from box tokyo"))

        // London's risk manager resumes: every box trades again.
        await london.engine.handle(.resume, by: Box.riskManager)
        #expect(await Box.eventually {
            for box in boxes where await box.engine.tradingState != .active { return false }
            return true
        }, "resume reaches every box")
        #expect(try postgres.psql("SELECT state || ' ' || box || ' ' || member FROM desk_state") == "active london rita")

        // An analyst's halt is refused on their box and goes nowhere.
        await tokyo.engine.handle(.halt("not mine to press"), by: DeskUser(name: "ann", role: .analyst))
        try await Task.sleep(for: .milliseconds(300))
        for box in boxes { #expect(await box.engine.tradingState == .active) }
        for box in boxes { await box.stop() }
    }
}
