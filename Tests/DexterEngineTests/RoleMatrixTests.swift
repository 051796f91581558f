import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Testing

/// Every engine command for every role: allowed, or refused with the role it needs, and the refusal audited.
@Suite struct RoleMatrixTests {
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

    static let needed: [Command: String] = [
        .approve: "approve needs the Trader role",
        .reject: "reject needs the Trader role",
        .halt: "kill switch needs the Trader, RiskManager or Admin role",
        .reduce: "set trading state needs the RiskManager role",
        .resume: "resume needs the RiskManager role",
        .setLimit: "set limits needs the RiskManager role",
    ]

    func engine(for user: DeskUser) async throws -> (Engine, Ledger) {
        var config = twoVenueConfig()
        config.user = user.name
        config.deskUser = user
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-roles-\(UUID().uuidString).sqlite")
        return (try await Engine(config: config, ledger: ledger, clock: clock), ledger)
    }

    func opportunity(_ engine: Engine) async throws -> Opportunity {
        for _ in 0..<6000 {
            clock.advance(.milliseconds(10))
            await engine.tick()
            await engine.publishNow()
            if let first = engine.board.current?.opportunities.first { return first }
        }
        throw EngineTestError.noOpportunity
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
                let said = engine.board.current?.notifications.first?.text ?? ""
                #expect(said.hasSuffix("rejected") == allowed.contains(.reject), "\(label) reject: \(said)")
            case .halt:
                await engine.halt("test")
                #expect((engine.board.current?.tradingState == .halted) == allowed.contains(.halt), "\(label) halt")
            case .reduce:
                await engine.reduce("test")
                #expect((engine.board.current?.tradingState == .reducing) == allowed.contains(.reduce), "\(label) reduce")
            case .setLimit:
                await engine.setLimit(.maxNotionalPerTradeUSD(FixedDecimal(1_234)))
                let said = engine.board.current?.notifications.first?.text ?? ""
                let changed = said.hasPrefix("limit changed: max notional per trade $1234.00 (was $5000.00)")
                #expect(changed == allowed.contains(.setLimit), "\(label) set limit: \(said)")
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
                let said = engine.board.current?.notifications.first?.text ?? ""
                let reason = try #require(Self.needed[command])
                #expect(said == "refused: \(reason) (\(user.name) is \(user.role))", "\(label): \(said)")
                let audit = try ledger.reader.auditEntries()
                #expect(audit.count > before && audit.last?.action == "refused", "\(label) \(command) refusal audited")
            }
        }
    }
}
