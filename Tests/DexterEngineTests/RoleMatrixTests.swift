import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Testing

/// Every engine command for every role: allowed, or refused with the role it needs, and the refusal audited.
@Suite struct RoleMatrixTests: DrivesTheDesk {
    let clock = ManualClock()

    enum Command: CaseIterable { case approve, reject, halt, reduce, resume, setLimit }

    static let members: [(String, DeskUser)] = [
        ("trader", DeskUser(name: "tess", role: .trader)),
        ("analyst", DeskUser(name: "andy", role: .analyst)),
        ("risk manager", DeskUser(name: "rita", role: .riskManager)),
        ("admin", DeskUser(name: "adam", role: .admin)),
        ("admin who may trade", DeskUser(name: "solo", role: .admin, mayTrade: true)),
    ]

    /// What each member may do; a refusal names the roles that may.
    static let expected: [String: Set<Command>] = [
        "trader": [.approve, .reject, .halt],
        "analyst": [],
        "risk manager": [.halt, .reduce, .resume, .setLimit],
        "admin": [.halt],
        "admin who may trade": [.approve, .reject, .halt, .reduce, .resume, .setLimit],
    ]

    /// The permission each command asks for (a refusal names the roles that hold it).
    static let needed: [Command: DeskAction] = [
        .approve: .approve, .reject: .reject, .halt: .halt, .reduce: .setTradingState, .resume: .resume,
        .setLimit: .setLimits,
    ]

    /// A desk on the scripted crossed books (`ScriptedDesk.crossedBooks`), run by `user`: the opportunity to approve
    /// or reject is there at the first tick.
    func engine(for user: DeskUser) async throws -> (Engine, Ledger) {
        let desk = try await scriptedDesk { config in
            config.user = user.name
            config.deskUser = user
        }
        return (desk.engine, desk.ledger)
    }

    func opportunity(_ engine: Engine) async throws -> Opportunity {
        let found = try await firstOpportunity(engine)
        #expect(found.route == Route(symbol: ScriptedDesk.eth, buyVenue: "alpha", sellVenue: "beta"))
        return found
    }

    @Test(arguments: members.map(\.0))
    func everyCommandForARole(_ label: String) async throws {
        let user = try #require(Self.members.first { $0.0 == label }?.1)
        let allowed = try #require(Self.expected[label])
        for command in Command.allCases {
            let (engine, ledger) = try await engine(for: user)
            let before = try ledger.reader.auditEntries().count
            switch command {
            case .approve:
                let found = try await opportunity(engine)
                await engine.requestApproval(of: found.id)
                let confirmed = engine.board.current?.confirmation != nil
                #expect(confirmed == allowed.contains(.approve), "\(label) approve")
            case .reject:
                let found = try await opportunity(engine)
                await engine.reject(found.id)
                let said = engine.board.current?.notifications.first
                let rejected = if case .rejected(found.id, _) = said?.event { true } else { false }
                #expect(rejected == allowed.contains(.reject), "\(label) reject: \(said?.text ?? "-")")
            case .halt:
                await engine.halt("test")
                #expect((engine.board.current?.tradingState == .halted) == allowed.contains(.halt), "\(label) halt")
            case .reduce:
                await engine.reduce("test")
                #expect((engine.board.current?.tradingState == .reducing) == allowed.contains(.reduce), "\(label) reduce")
            case .setLimit:
                await engine.setLimit(.maxNotionalPerTradeUSD(FixedDecimal(1_234)))
                let said = engine.board.current?.notifications.first
                let changed = said?.event
                    == .limitChanged(.maxNotionalPerTradeUSD(FixedDecimal(1_234)), previous: FixedDecimal(5_000))
                #expect(changed == allowed.contains(.setLimit), "\(label) set limit: \(said?.text ?? "-")")
                if changed {
                    #expect(engine.board.current?.limitsSummary.maxNotionalPerTradeUSD == FixedDecimal(1_234))
                    #expect(try ledger.reader.auditEntries().last?.action == "limit changed")
                }
            case .resume:
                // Halted by the desk itself, then resumed (or not) by this member.
                await engine.haltByDesk()
                await engine.resume()
                #expect((engine.board.current?.tradingState == .active) == allowed.contains(.resume), "\(label) resume")
            }
            if !allowed.contains(command) {
                let said = engine.board.current?.notifications.first
                let action = try #require(Self.needed[command])
                let refused = if case .notPermitted(let denied) = said?.event {
                    denied.action == action && denied.user == user.name && denied.role == user.role
                } else { false }
                #expect(refused, "\(label): \(said?.text ?? "-")")
                let audit = try ledger.reader.auditEntries()
                #expect(audit.count > before && audit.last?.action == "refused", "\(label) \(command) refusal audited")
            }
        }
    }
}
