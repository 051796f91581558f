import DexterCore
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Logging
import PostgresNIO

/// Members, roles and plans desk-wide. A box's own changes reach the desk's list through its shipper (in the batch's
/// transaction, with a NOTIFY); this applies the list's changes from other boxes to the box's ledger, where dexter
/// serve, attach and the user commands read members, on every notice and on every (re)connect, so a box that was
/// away catches up before it is told anything new. The plan tiers (what "pro" allows) are the desk's too: the first
/// box to name a tier sets it, and every box's engine takes the desk's. Secrets stay each box's own: a member's vault and API tokens
/// are made on the box they use.
public actor DeskRoster {
    public static let channel = "dexter_members"

    public let box: String
    let database: DeskDatabase
    let ledger: Ledger
    let hash: AuditHash
    let logger: Logger
    /// The engine the desk's plan tiers govern, and the tiers this box's config names (set at the desk where it
    /// has none of that name: the first box's stand).
    let engine: Engine?
    let plans: [String: Plan]
    private var appliedObserver: (@Sendable ([String]) -> Void)?
    private var warnedPlans: Set<String> = []

    public init(box: String, database: DeskDatabase, ledger: Ledger, hash: @escaping AuditHash, logger: Logger,
                engine: Engine? = nil, plans: [String: Plan] = [:]) {
        self.box = box
        self.database = database
        self.ledger = ledger
        self.hash = hash
        self.logger = logger
        self.engine = engine
        self.plans = plans
    }

    /// Called with the names changed here by each change applied from the desk (tests wait on it).
    public func onApplied(_ observer: @escaping @Sendable ([String]) -> Void) { appliedObserver = observer }

    /// Listens until cancelled: one connection at a time, reading the desk's list on each (re)connect and notice.
    public func run() async {
        await database.listen(on: Self.channel, logger: logger, away: "members stay as this box last heard them",
                              back: "reading its members") { connection in
            try await self.catchUp(on: connection)
        }
    }

    /// Reads what the desk changed since this box last applied, and applies what came from other boxes; and the
    /// desk's plan tiers.
    func catchUp(on connection: PostgresConnection) async throws {
        if let engine { try await adoptPlans(on: connection, engine: engine) }
        let known = try ledger.reader.deskMemberVersion()
        let logger = self.logger
        let rows = try await withDeadline(.seconds(5), "reading the desk's members", abandon: { try? await connection.close() }) {
            var rows: [(String, String, Bool, Int64, String)] = []
            for try await row in try await connection.query("""
                SELECT name, record::text, removed, version, box FROM desk_members WHERE version > \(known) ORDER BY version
                """, logger: logger).decode((String, String, Bool, Int64, String).self) { rows.append(row) }
            return rows
        }
        guard let last = rows.last?.3 else { return }
        var changes: [DeskMemberChange] = []
        for (name, record, removed, version, from) in rows where from != box {
            let member = removed ? nil : try MemberPayload.decode(record).record(named: name)
            changes.append(DeskMemberChange(version: version, box: from, name: name, record: member))
        }
        let changed = try ledger.writer.applyDeskMembers(changes, through: last, at: WallClock().now(), hash: hash)
        for name in changed {
            let change = changes.last { $0.name == name }
            logger.notice("member \(name) \(change?.record == nil ? "removed" : "set to \(change?.record?.role ?? "")") desk-wide, from box \(change?.box ?? "?")")
        }
        if !changed.isEmpty { appliedObserver?(changed) }
    }

    /// Sets this box's plan tiers at the desk where it has none of the name, reads the desk's, and has the engine
    /// take them; a tier this box's config defines otherwise is said once (the desk's governs).
    func adoptPlans(on connection: PostgresConnection, engine: Engine) async throws {
        let own = plans, box = self.box, logger = self.logger
        let rows = try await withDeadline(.seconds(5), "reading the desk's plans", abandon: { try? await connection.close() }) {
            for plan in own.values.sorted(by: { $0.name < $1.name }) {
                try await connection.run("""
                    INSERT INTO desk_plans (name, max_venues, daily_volume_usd, set_by)
                    VALUES (\(plan.name), \(plan.maxVenues.map(Int32.init)), \(plan.dailyVolumeUSD?.description)::numeric, \(box))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            var rows: [(String, Int32?, String?, String)] = []
            for try await row in try await connection.query(
                "SELECT name, max_venues, daily_volume_usd::text, set_by FROM desk_plans ORDER BY name", logger: logger)
                .decode((String, Int32?, String?, String).self) { rows.append(row) }
            return rows
        }
        var desk: [String: Plan] = [:], setBy: Set<String> = []
        for (name, venues, volume, by) in rows {
            let plan = Plan(name: name, maxVenues: venues.map(Int.init), dailyVolumeUSD: try volume.map(DeskReservation.amount))
            desk[name] = plan
            setBy.insert(by)
            if let mine = own[name], mine != plan, warnedPlans.insert(name).inserted {
                logger.warning("the desk's plan \(name) (set by box \(by)) is not this box's config's: the desk's governs")
            }
        }
        await engine.adoptDeskPlans(desk, setBy: setBy)
    }

    /// In a shipper's batch transaction: this box's member changes into the desk's list, each with a new version,
    /// and one NOTIFY (sent at commit). A member the box had before it first reached the desk is taken only where
    /// the desk has none of that name: the desk's own stands.
    static func publish(_ entries: [OutboxEntry], from box: String, joinedThrough: Int64, on connection: PostgresConnection,
                        logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        for entry in entries {
            let payload = try MemberPayload.decode(entry.payload)
            let removed = payload.removed ?? false
            let name = entry.key, record = entry.payload, joined = entry.sequence <= joinedThrough
            try await connection.run("""
                INSERT INTO desk_members (name, record, removed, version, box)
                VALUES (\(name), \(record)::jsonb, \(removed), nextval('desk_members_version'), \(box))
                ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record, removed = EXCLUDED.removed,
                    version = EXCLUDED.version, box = EXCLUDED.box, at = now()
                WHERE NOT \(joined)::boolean
                """, logger: logger)
        }
        try await connection.run("SELECT pg_notify(\(channel), '')", logger: logger)
    }
}

/// A member as a box's outbox writes it (the users row as JSON), or its removal.
struct MemberPayload: Decodable {
    var name: String
    var role: String?
    var mayTrade: Int?
    var plan: String?
    var venues: String?
    var chains: String?
    var pairs: String?
    var dailyVolumeUSD: String?
    var maxPositionUSD: String?
    var removed: Bool?

    enum CodingKeys: String, CodingKey {
        case name, role, plan, venues, chains, pairs, removed
        case mayTrade = "may_trade", dailyVolumeUSD = "daily_volume_usd", maxPositionUSD = "max_position_usd"
    }

    static func decode(_ json: String) throws -> MemberPayload {
        do { return try JSONDecoder().decode(MemberPayload.self, from: Data(json.utf8)) } catch {
            throw DeskDatabaseError("a desk member entry is not one (\(error)): \(json.prefix(200))")
        }
    }

    func record(named name: String) throws -> UserRecord {
        guard let role, let plan else { throw DeskDatabaseError("the desk's member \(name) has no role or plan") }
        return UserRecord(name: name, role: role, mayTrade: (mayTrade ?? 0) != 0, plan: plan, venues: venues ?? "",
                          chains: chains ?? "", pairs: pairs ?? "", dailyVolumeUSD: dailyVolumeUSD ?? "",
                          maxPositionUSD: maxPositionUSD ?? "")
    }
}
