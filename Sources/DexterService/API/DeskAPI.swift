import DexterCore
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import OpenAPIRuntime

/// The API's handlers, typed by the generated protocol: what the document says is what compiles. Reads come from
/// the engine's latest snapshot (never its live state); commands go to the engine as the calling member, and the
/// answer is what the desk said doing them.
struct DeskAPI: APIProtocol {
    let desk: DeskService

    // MARK: For supervisors and clients without a token

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReady(_ input: Operations.GetReady.Input) async throws -> Operations.GetReady.Output {
        switch desk.readiness {
        case .ready: return .ok(.init(body: .json(.init(status: .ready))))
        case .starting: return .serviceUnavailable(.init(body: .json(.init(status: .starting, reason: "the desk is opening"))))
        case .cannotBook(let reason): return .serviceUnavailable(.init(body: .json(.init(status: .halted, reason: reason))))
        }
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .json(try DeskService.openAPIObject())))
    }

    // MARK: Reading the desk

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        _ = try Caller.current()
        return .ok(.init(body: .plainText(HTTPBody(desk.metricsText()))))
    }

    func getDesk(_ input: Operations.GetDesk.Input) async throws -> Operations.GetDesk.Output {
        let member = try Caller.current()
        let snapshot = try await desk.snapshot()
        let mode: Components.Schemas.Desk.ModePayload = switch snapshot.mode {
        case .sim: .sim
        case .replay: .replay
        case .paper: .paper
        case .live: .live
        }
        return .ok(.init(body: .json(.init(
            mode: mode, member: .init(member), tradingState: .init(snapshot.tradingState), haltReason: snapshot.haltReason,
            clock: snapshot.clock.iso8601, feedHealthy: snapshot.feed.isHealthy,
            updatesPerSecond: snapshot.feed.updatesPerSecond, staleVenues: snapshot.feed.staleVenues,
            alerts: snapshot.alerts, attached: desk.attached().map { .init($0) }))))
    }

    func listOpportunities(_ input: Operations.ListOpportunities.Input) async throws -> Operations.ListOpportunities.Output {
        _ = try Caller.current()
        let snapshot = try await desk.snapshot()
        return .ok(.init(body: .json(snapshot.opportunities.map { .init($0, now: snapshot.clock) })))
    }

    func getOpportunity(_ input: Operations.GetOpportunity.Input) async throws -> Operations.GetOpportunity.Output {
        _ = try Caller.current()
        let snapshot = try await desk.snapshot()
        guard let index = Self.listed(input.path.id, in: snapshot) else {
            return .notFound(.init(body: .json(Self.notListed(input.path.id))))
        }
        return .ok(.init(body: .json(.init(snapshot.opportunities[index], now: snapshot.clock))))
    }

    func listPositions(_ input: Operations.ListPositions.Input) async throws -> Operations.ListPositions.Output {
        _ = try Caller.current()
        return .ok(.init(body: .json(try await desk.snapshot().positions.map { .init($0) })))
    }

    func getPnL(_ input: Operations.GetPnL.Input) async throws -> Operations.GetPnL.Output {
        _ = try Caller.current()
        return .ok(.init(body: .json(.init(try await desk.snapshot().pnl))))
    }

    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        _ = try Caller.current()
        return .ok(.init(body: .json(try await desk.snapshot().orders.map { .init($0) })))
    }

    func getRisk(_ input: Operations.GetRisk.Input) async throws -> Operations.GetRisk.Output {
        _ = try Caller.current()
        return .ok(.init(body: .json(.init(try await desk.snapshot()))))
    }

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        _ = try Caller.current()
        let after = input.query.after ?? 0
        let limit = min(max(input.query.limit ?? 100, 1), 1000)
        let entries = try desk.ledger.auditEntries(fromSequence: after + 1, toSequence: after + Int64(limit))
        return .ok(.init(body: .json(entries.prefix(limit).map { .init($0) })))
    }

    // MARK: Commands, as the calling member

    func approveOpportunity(_ input: Operations.ApproveOpportunity.Input) async throws -> Operations.ApproveOpportunity.Output {
        let member = try Caller.current()
        if member.may(.approve), !(try await isListed(input.path.id)) { return .notFound(.init(body: .json(Self.notListed(input.path.id)))) }
        guard let id = UInt64(exactly: input.path.id) else { return .notFound(.init(body: .json(Self.notListed(input.path.id)))) }
        let outcome = await desk.engine.approveNow(id, by: member)
        if outcome.awaitingOther {
            return .conflict(.init(body: .json(.init(error: "another member's confirmation is waiting; nothing was tried"))))
        }
        if let refusal = Self.refusal(in: outcome.said) { return .forbidden(.init(body: .json(.init(error: refusal)))) }
        return .ok(.init(body: .json(try await result(done: outcome.executed, said: outcome.said))))
    }

    func rejectOpportunity(_ input: Operations.RejectOpportunity.Input) async throws -> Operations.RejectOpportunity.Output {
        let member = try Caller.current()
        // Refused by role before anything else (and audited); then an opportunity that is not listed is not found.
        if member.may(.reject), !(try await isListed(input.path.id)) { return .notFound(.init(body: .json(Self.notListed(input.path.id)))) }
        let said = await desk.engine.perform(.reject(UInt64(clamping: input.path.id)), by: member)
        if let refusal = Self.refusal(in: said) { return .forbidden(.init(body: .json(.init(error: refusal)))) }
        return .ok(.init(body: .json(try await result(done: said.contains { $0.event.kind == "rejected" }, said: said))))
    }

    func haltDesk(_ input: Operations.HaltDesk.Input) async throws -> Operations.HaltDesk.Output {
        let member = try Caller.current()
        guard case .json(let body) = input.body else { throw Caller.Missing() }
        let said = await desk.engine.perform(.halt("\(body.reason) (by \(member.name) through the API)"), by: member)
        if let refusal = Self.refusal(in: said) { return .forbidden(.init(body: .json(.init(error: refusal)))) }
        return .ok(.init(body: .json(try await result(done: said.contains { $0.event.kind == "halted" }, said: said))))
    }

    func reduceDesk(_ input: Operations.ReduceDesk.Input) async throws -> Operations.ReduceDesk.Output {
        let member = try Caller.current()
        guard case .json(let body) = input.body else { throw Caller.Missing() }
        let said = await desk.engine.perform(.reduce("\(body.reason) (by \(member.name) through the API)"), by: member)
        if let refusal = Self.refusal(in: said) { return .forbidden(.init(body: .json(.init(error: refusal)))) }
        return .ok(.init(body: .json(try await result(done: said.contains { $0.event.kind == "reducing" }, said: said))))
    }

    func resumeDesk(_ input: Operations.ResumeDesk.Input) async throws -> Operations.ResumeDesk.Output {
        let member = try Caller.current()
        let said = await desk.engine.perform(.resume, by: member)
        if let refusal = Self.refusal(in: said) { return .forbidden(.init(body: .json(.init(error: refusal)))) }
        let done = said.contains { ["resumed", "active", "stopsRearmed"].contains($0.event.kind) }
        return .ok(.init(body: .json(try await result(done: done, said: said))))
    }

    private func isListed(_ id: Int64) async throws -> Bool {
        Self.listed(id, in: try await desk.snapshot()) != nil
    }

    /// Where opportunity `id` is in the snapshot's list, if it is listed.
    static func listed(_ id: Int64, in snapshot: Snapshot) -> Int? {
        snapshot.opportunities.firstIndex { Int64($0.id) == id }
    }

    static func notListed(_ id: Int64) -> Components.Schemas._Error {
        .init(error: "opportunity #\(id) is not listed (gone, or never was)")
    }

    /// The engine's refusal for the member's role, in its words, when that is what it said.
    static func refusal(in said: [DexterEngine.Notification]) -> String? {
        for notification in said {
            if case .notPermitted(let denied) = notification.event { return denied.description }
        }
        return nil
    }

    private func result(done: Bool, said: [DexterEngine.Notification]) async throws -> Components.Schemas.CommandResult {
        let state = await desk.engine.tradingState
        return .init(done: done, tradingState: .init(state), events: said.map { .init($0) })
    }
}
