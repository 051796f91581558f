import DexterCore
import DexterEngine
import DexterLedger
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// The trader's cancel and speed-up of one order (the Orders panel's keys), through the venue seam: resting orders
/// on a scripted venue (`.rest`), the two crossed books of `ScriptedDesk`.
@Suite struct OrderActionTests: DrivesTheDesk {
    let clock = ManualClock()

    func restingDesk(user: DeskUser? = nil) async throws -> ScriptedDesk {
        try await scriptedDesk(behaviour: ["alpha": .rest, "beta": .rest]) { config in
            if let user { config.deskUser = user }
        }
    }

    func rows(_ engine: Engine) async -> [OrderRow] {
        await engine.publishNow()
        return engine.board.current?.orders ?? []
    }

    func events(_ engine: Engine) -> [DeskEvent] { engine.board.current?.events ?? [] }

    @Test func aCanceledLegEndsCanceledAndTheRestIsBookedAsItStands() async throws {
        let desk = try await restingDesk()
        _ = try await approve(desk.engine)
        await run(desk.engine, for: .milliseconds(50))
        let alpha = try #require(await rows(desk.engine).first { $0.venue == "alpha" })
        #expect(alpha.state == .accepted)
        await desk.engine.handle(.cancelOrder(alpha.clientOrderId))
        #expect(desk.venue.cancels == [alpha.clientOrderId], "only the selected order is asked to cancel")
        #expect(events(desk.engine).contains(.orderCancelRequested(alpha)))
        // A second cancel while the first waits for its answer is refused, and nothing more is sent.
        await desk.engine.handle(.cancelOrder(alpha.clientOrderId))
        #expect(desk.venue.cancels.count == 1)
        #expect(events(desk.engine).contains(.orderActionRefused(clientOrderId: alpha.clientOrderId, action: .cancel,
                                                                 reason: "a cancel of it is already waiting for an answer")))
        await run(desk.engine, for: .milliseconds(100))
        let states = Dictionary(uniqueKeysWithValues: await rows(desk.engine).map { ($0.venue.name, $0.state) })
        #expect(states == ["alpha": .canceled, "beta": .accepted])
        let orderEvents = try desk.ledger.reader.orderEvents().filter { $0.venue == "alpha" }.map(\.event)
        #expect(orderEvents == ["submit", "accept", "cancel_requested", "canceled"])
        #expect(try desk.ledger.reader.auditEntries(actions: ["order cancel"]).count == 1)
        // A canceled order is over: neither key applies to it.
        await desk.engine.handle(.cancelOrder(alpha.clientOrderId))
        #expect(events(desk.engine).contains(.orderActionRefused(clientOrderId: alpha.clientOrderId, action: .cancel,
                                                                 reason: "it is canceled: only a live order can be canceled")))
    }

    @Test func onlyAVenueThatQueuesByWhatOrdersPayCanSpeedOneUp() async throws {
        let desk = try await restingDesk()
        _ = try await approve(desk.engine)
        await run(desk.engine, for: .milliseconds(50))
        let beta = try #require(await rows(desk.engine).first { $0.venue == "beta" })
        await desk.engine.handle(.speedUp(beta.clientOrderId))
        #expect(events(desk.engine).contains(.orderActionRefused(
            clientOrderId: beta.clientOrderId, action: .speedUp,
            reason: "beta orders cannot be sped up: only a chain transaction waiting to be mined can")))
        await desk.engine.handle(.speedUp("no-such-order"))
        #expect(events(desk.engine).contains(.orderActionRefused(clientOrderId: "no-such-order", action: .speedUp,
                                                                 reason: "no such order this session")))
        #expect(desk.venue.cancels.isEmpty && desk.venue.submitted.count == 2, "nothing was sent for either")
    }

    @Test func eachKeyNeedsItsPermission() async throws {
        // A risk manager may cancel orders but not approve: a speed-up spends gas as an approval does.
        let desk = try await restingDesk(user: DeskUser(name: "rita", role: .riskManager))
        await desk.engine.handle(.speedUp("any"))
        let denied = try #require(DeskUser(name: "rita", role: .riskManager).refusal(.approve))
        #expect(events(desk.engine).contains(.notPermitted(denied)))
        let analyst = try await restingDesk(user: DeskUser(name: "ann", role: .analyst))
        await analyst.engine.handle(.cancelOrder("any"))
        let refused = try #require(DeskUser(name: "ann", role: .analyst).refusal(.cancelOrders))
        #expect(events(analyst.engine).contains(.notPermitted(refused)))
        #expect(analyst.venue.cancels.isEmpty)
    }
}
