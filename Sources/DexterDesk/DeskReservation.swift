import DexterCore
import Logging
import PostgresNIO

/// The desk's limits as PostgreSQL keeps them, and the one way a box takes a share: a transaction that locks the
/// limit's usage row, so boxes asking at once are served one after the other and never together past the limit.
/// A daily limit (volume) is kept per UTC day; a standing one (a position, the VaR budget) under the day
/// `infinity`, for as long as the box holds it.
enum DeskReservation {
    static let standing = "infinity"

    /// At least `minimum` (or nothing), up to `preferred`, of what `kind` has left on `day`. Returns what was granted.
    static func reserve(_ kind: String, for box: String, on day: String, atLeast minimum: FixedDecimal,
                        preferably preferred: FixedDecimal, connection: PostgresConnection, logger: Logger) async throws
        -> FixedDecimal {
        try await connection.run("BEGIN", logger: logger)
        do {
            try await connection.run("INSERT INTO desk_usage (day, kind) VALUES (\(day)::date, \(kind)) ON CONFLICT DO NOTHING",
                                     logger: logger)
            var used = FixedDecimal.zero
            for try await text in try await connection.query(
                "SELECT used::text FROM desk_usage WHERE day = \(day)::date AND kind = \(kind) FOR UPDATE", logger: logger)
                .decode(String.self) { used = try amount(text) }
            var limit = FixedDecimal.zero
            for try await text in try await connection.query("SELECT amount::text FROM desk_limits WHERE kind = \(kind)",
                                                             logger: logger).decode(String.self) { limit = try amount(text) }
            let left = FixedDecimal.max(.zero, limit - used)
            let granted = left >= preferred ? preferred : (left >= minimum && left.isPositive ? left : .zero)
            guard granted.isPositive else {
                try await connection.run("COMMIT", logger: logger)
                return .zero
            }
            try await connection.run("""
                UPDATE desk_usage SET used = used + \(granted.description)::numeric WHERE day = \(day)::date AND kind = \(kind)
                """, logger: logger)
            try await connection.run("""
                INSERT INTO desk_grants (box, day, kind, granted) VALUES (\(box), \(day)::date, \(kind), \(granted.description)::numeric)
                ON CONFLICT (box, day, kind) DO UPDATE SET granted = desk_grants.granted + EXCLUDED.granted
                """, logger: logger)
            try await connection.run("COMMIT", logger: logger)
            return granted
        } catch {
            try? await connection.run("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Gives `amount` of what `box` holds of `kind` back to the desk.
    static func handBack(_ kind: String, _ amount: FixedDecimal, for box: String, on day: String,
                         connection: PostgresConnection, logger: Logger) async throws {
        try await connection.transaction(logger: logger) { connection in
            try await connection.run("""
                UPDATE desk_usage SET used = used - \(amount.description)::numeric WHERE day = \(day)::date AND kind = \(kind)
                """, logger: logger)
            try await connection.run("""
                UPDATE desk_grants SET returned = returned + \(amount.description)::numeric
                WHERE box = \(box) AND day = \(day)::date AND kind = \(kind)
                """, logger: logger)
        }
    }

    /// What `box` holds of `kind` on `day` (granted, not handed back): a box that restarts takes up its standing
    /// holds again rather than reserving them twice.
    static func holding(_ kind: String, for box: String, on day: String, connection: PostgresConnection,
                        logger: Logger) async throws -> FixedDecimal {
        var held = FixedDecimal.zero
        for try await text in try await connection.query("""
            SELECT (granted - returned)::text FROM desk_grants WHERE box = \(box) AND day = \(day)::date AND kind = \(kind)
            """, logger: logger).decode(String.self) { held = try amount(text) }
        return held
    }

    /// Sets the desk's limit of `kind` to `limit` unless one is set; returns the one that governs and who set it.
    static func setLimit(_ kind: String, _ limit: FixedDecimal, by box: String, connection: PostgresConnection,
                         logger: Logger) async throws -> (amount: FixedDecimal, setBy: String) {
        try await connection.run("""
            INSERT INTO desk_limits (kind, amount, set_by) VALUES (\(kind), \(limit.description)::numeric, \(box))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        for try await (text, setBy) in try await connection.query(
            "SELECT amount::text, set_by FROM desk_limits WHERE kind = \(kind)", logger: logger).decode((String, String).self) {
            return (try amount(text), setBy)
        }
        throw DeskDatabaseError("the desk has no limit \(kind) after setting it")
    }

    static func amount(_ text: String) throws -> FixedDecimal {
        guard let value = FixedDecimal(text) else { throw DeskDatabaseError("the desk holds an amount that is not a decimal: \(text)") }
        return value
    }
}

/// Tops a box's reservations up until cancelled: at once, whenever the engine asks, and on a half-second beat (a day
/// rolls over, the desk comes back).
func reserveWhenAsked(_ asks: AsyncStream<Void>, _ topUp: @escaping @Sendable () async -> Void) async {
    await topUp()
    await withTaskGroup(of: Void.self) { group in
        group.addTask {
            for await _ in asks { await topUp() }
        }
        group.addTask {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                await topUp()
            }
        }
        await group.next()
        group.cancelAll()
    }
}
