import DexterCore
import DexterDesk
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Logging
import Testing
import TestServers

/// Members, roles and plans desk-wide, against a real PostgreSQL: a member added, changed or removed on one box is
/// so on the others (audited there with the box it came from, and not sent back), a box that was away catches up
/// when it returns, and members a box had before it joined reach the desk without overriding the desk's own.
@Suite(.serialized) struct DeskMembersTests {
    let logger = Logger(label: "test.desk.members")

    /// A box without a market: its ledger, its shipper and its member sync, as `dexter` links them.
    final class MemberBox: @unchecked Sendable {
        let name: String
        let ledger: Ledger
        let folder: String
        let shipper: LedgerShipper
        let members: DeskRoster
        private var tasks: [Task<Void, Never>] = []

        init(_ name: String, desk: DeskDatabase, logger: Logger, before: [UserRecord] = []) throws {
            self.name = name
            folder = NSTemporaryDirectory() + "dexter-members-\(name)-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            ledger = try Ledger(path: folder + "/desk.sqlite")
            for record in before {
                try ledger.writer.saveUser(record, by: "olga", action: "user added", detail: record.name, at: WallClock().now(),
                                           hash: Engine.auditHash)
            }
            shipper = LedgerShipper(box: name, database: desk, ledger: ledger.reader, logger: logger, pollInterval: .milliseconds(20))
            members = DeskRoster(box: name, database: desk, ledger: ledger, hash: Engine.auditHash, logger: logger)
        }

        func start() {
            let shipper = self.shipper, members = self.members
            tasks = [Task { await shipper.run() }, Task { await members.run() }]
        }

        func stop() async {
            for task in tasks { task.cancel() }
            for task in tasks { await task.value }
            tasks = []
            await shipper.close()
        }

        func save(_ record: UserRecord, action: String = "user added") throws {
            try ledger.writer.saveUser(record, by: "olga", action: action, detail: record.name, at: WallClock().now(),
                                       hash: Engine.auditHash)
        }

        func member(_ name: String) throws -> UserRecord? { try ledger.reader.users().first { $0.name == name } }

        /// Member entries this box's outbox holds (its own changes, never the desk's).
        func memberEntries() throws -> [OutboxEntry] {
            try ledger.reader.outbox(after: 0, limit: 100_000).filter { $0.kind == DeskMemberSync.kind }
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    @Test func aMemberChangedOnOneBoxIsChangedOnEveryBox() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let olga = UserRecord(name: "olga", role: "admin", mayTrade: true, plan: "desk")
        let tokyo = try MemberBox("tokyo", desk: desk, logger: logger, before: [olga])
        let london = try MemberBox("london", desk: desk, logger: logger, before: [olga])
        tokyo.start()
        london.start()

        // Added in Tokyo, with a plan and access: London has the same member.
        let bob = UserRecord(name: "bob", role: "trader", mayTrade: true, plan: "pro", venues: "binance,okx", pairs: "ETH/USDT",
                             dailyVolumeUSD: "250000")
        try tokyo.save(bob)
        #expect(try await Box.eventually { try london.member("bob") == bob }, "bob reached london")
        let heard = try london.ledger.reader.auditEntries().last { $0.detail.hasPrefix("bob:") }
        #expect(heard?.user == "desk" && heard?.action == "user added" && heard?.detail.contains("(desk-wide, from box tokyo)") == true,
                "\(String(describing: heard))")

        // Changed in London: Tokyo follows. Removed in Tokyo: gone from London.
        var analyst = bob
        analyst.role = "analyst"
        analyst.mayTrade = false
        analyst.plan = "basic"
        try london.save(analyst, action: "user changed")
        #expect(try await Box.eventually { try tokyo.member("bob") == analyst }, "bob's new role reached tokyo")
        try tokyo.ledger.writer.removeUser("bob", by: "olga", at: WallClock().now(), hash: Engine.auditHash)
        #expect(try await Box.eventually { try london.member("bob") == nil }, "bob's removal reached london")

        // Nothing echoed: each box's outbox holds only the member changes made on it (olga joining, then its own).
        #expect(try tokyo.memberEntries().map(\.key) == ["olga", "bob", "bob"])
        #expect(try london.memberEntries().map(\.key) == ["olga", "bob"])

        // London away while Tokyo adds carol: London has her when it is back.
        await london.stop()
        let carol = UserRecord(name: "carol", role: "riskManager", mayTrade: false, plan: "desk")
        try tokyo.save(carol)
        #expect(try await Box.eventually { try postgres.psql("SELECT count(*) FROM desk_members WHERE name = 'carol'") == "1" })
        #expect(try london.member("carol") == nil)
        london.start()
        #expect(try await Box.eventually { try london.member("carol") == carol }, "carol reached london on its return")

        // A box joining with members of its own: the desk keeps its olga, takes the newcomer's dave, and the
        // newcomer gets the desk's members (olga as the desk has her, bob still removed).
        let staleOlga = UserRecord(name: "olga", role: "trader", mayTrade: true, plan: "old")
        let dave = UserRecord(name: "dave", role: "trader", mayTrade: true, plan: "pro")
        let virginia = try MemberBox("virginia", desk: desk, logger: logger, before: [staleOlga, dave])
        virginia.start()
        #expect(try await Box.eventually { try tokyo.member("dave") == dave && london.member("dave") == dave }, "dave reached the desk")
        #expect(try await Box.eventually { try virginia.member("olga") == olga && virginia.member("carol") == carol },
                "virginia took the desk's members")
        #expect(try virginia.member("bob") == nil && tokyo.member("olga") == olga)

        // Every box's audit chain still verifies, the desk-applied entries included.
        for box in [tokyo, london, virginia] {
            #expect(try box.ledger.reader.verifyAudit(hash: Engine.auditHash).problems.isEmpty, "\(box.name)")
            await box.stop()
        }
    }
}

/// The plan tiers a member's plan means, desk-wide: the first box to name a tier sets it at the desk, and every
/// box's engine takes the desk's (audited there), whatever its own config says.
@Suite(.serialized) struct DeskPlansTests {
    let logger = Logger(label: "test.desk.plans")

    @Test func theDesksPlanTiersGovernEveryBox() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let tokyo = try await Box("tokyo", desk: desk, autoApprove: false)
        let london = try await Box("london", desk: desk, autoApprove: false)
        var tokyoPlans = Plan.standard
        tokyoPlans["pro"] = Plan(name: "pro", maxVenues: 3, dailyVolumeUSD: FixedDecimal(50_000))
        tokyoPlans["desk"] = Plan(name: "desk", maxVenues: nil, dailyVolumeUSD: FixedDecimal("2500000.5")!)
        let first = DeskRoster(box: "tokyo", database: desk, ledger: tokyo.ledger, hash: Engine.auditHash, logger: logger,
                               engine: tokyo.engine, plans: tokyoPlans)
        let second = DeskRoster(box: "london", database: desk, ledger: london.ledger, hash: Engine.auditHash, logger: logger,
                                engine: london.engine, plans: Plan.standard)
        let tokyoRuns = Task { await first.run() }
        #expect(await Box.eventually { (try? postgres.psql("SELECT count(*) FROM desk_plans")) == "4" }, "tokyo set its tiers")
        let londonRuns = Task { await second.run() }
        #expect(await Box.eventually { await london.engine.plans == tokyoPlans }, "london took the desk's tiers")
        #expect(await tokyo.engine.plans == tokyoPlans)
        // London's own "pro" did not replace the desk's; the change is in London's audit trail, exactly.
        #expect(try postgres.psql("SELECT max_venues || ' ' || daily_volume_usd FROM desk_plans WHERE name = 'pro'") == "3 50000")
        let audited = try london.ledger.reader.auditEntries().last { $0.action == "plans from desk" }
        #expect(audited?.detail.contains("desk: $2500000.50 a day") == true,
                "\(String(describing: audited?.detail))")
        #expect(audited?.detail.contains("pro: 3 venues, $50000.00 a day") == true,
                "\(String(describing: audited?.detail))")
        tokyoRuns.cancel()
        londonRuns.cancel()
        _ = await (tokyoRuns.value, londonRuns.value)
        await tokyo.stop()
        await london.stop()
    }
}
