import DexterCore
import DexterEngine
import Foundation
import Logging
import PostgresNIO

/// Reserves this box's share of the desk-wide daily volume limit in PostgreSQL: each reservation is one transaction
/// that locks the day's usage row, so two boxes racing for the last of the limit are served one after the other
/// and cannot both get it. What the engine is short of is reserved when it asks; `slice` more is kept in hand, so a
/// box that loses the desk trades on within it (and no further).
public actor DeskVolume {
    public static let kind = "daily_volume_usd"

    public let box: String
    let database: DeskDatabase
    let allowance: DeskAllowance
    /// The limit this box's config names: set at the desk when none is set yet.
    let limit: FixedDecimal
    let slice: FixedDecimal
    let logger: Logger
    private let connection = ConnectionSlot()
    private var outage = OutageLog()

    public init(box: String, database: DeskDatabase, allowance: DeskAllowance, limit: FixedDecimal, slice: FixedDecimal,
                logger: Logger) {
        self.box = box
        self.database = database
        self.allowance = allowance
        self.limit = limit
        self.slice = slice
        self.logger = logger
    }

    /// Reserves as the engine asks, and keeps the slice in hand, until cancelled (`handBack` returns what is unused).
    public func run() async {
        await reserveWhenAsked(allowance.asks) { await self.topUp() }
    }

    /// Reserves what the engine is short of, plus what keeps `slice` in hand.
    func topUp() async {
        let now = WallClock().now()
        let day = now.utcDay
        let holding = allowance.current
        let held = holding.day == day ? holding.held : .zero
        // Whole cents, rounded up: the desk's books read as money, and a grant still covers what was asked.
        let wanted = (holding.day == day ? holding.wanted : .zero).rounded(digits: 2, .up)
        let topUp = FixedDecimal.max(.zero, slice - held).rounded(digits: 2, .up)
        guard wanted.isPositive || topUp.isPositive else { return }
        do {
            let granted = try await withDeadline(.seconds(5), "reserving desk-wide volume", abandon: { await self.drop() }) {
                try await self.reserve(atLeast: wanted, preferably: wanted + topUp, on: day)
            }
            if granted.isPositive { allowance.grant(granted, on: day) }
            outage.succeeded(logger, "shared desk reached again at \(database): reserving the desk-wide volume again")
        } catch {
            await drop()
            // A stop, not an outage.
            if Task.isCancelled { return }
            outage.failed(logger, "shared desk unreachable at \(database): \(describe(error)); trading on within the $\(held.formatted(digits: 2)) of desk-wide volume this box holds")
        }
    }

    /// One reservation: at least `minimum` (or nothing), up to `preferred`, of what the limit has left today. Returns
    /// what was granted.
    public func reserve(atLeast minimum: FixedDecimal, preferably preferred: FixedDecimal, on day: String) async throws -> FixedDecimal {
        try await DeskReservation.reserve(Self.kind, for: box, on: day, atLeast: minimum, preferably: preferred,
                                          connection: try await connected(), logger: logger)
    }

    /// Hands what this box holds and has not used back to the desk (a clean stop), so other boxes may use it today.
    public func handBack() async {
        let (day, released) = allowance.release()
        // Whole cents, as the desk's books are kept: the fraction of a cent stays used.
        let amount = released.rounded(digits: 2, .down)
        guard amount.isPositive, !day.isEmpty else { return }
        let box = self.box, kind = Self.kind
        let logger = self.logger
        do {
            try await withDeadline(.seconds(5), "handing back desk-wide volume", abandon: { await self.drop() }) {
                try await DeskReservation.handBack(kind, amount, for: box, on: day, connection: try await self.connected(),
                                                   logger: logger)
            }
        } catch {
            logger.warning("$\(amount.formatted(digits: 2)) of desk-wide volume held by box \(box) could not be handed back (\(describe(error))); it stays used for \(day)")
        }
        await drop()
    }

    /// Connects, creating the schema if needed, and sets the desk's limit from this box's config if none is set
    /// (the first box's limit stands; a box configured otherwise is told which governs).
    private func connected() async throws -> PostgresConnection {
        if let open = connection.open { return open }
        let box = self.box, limit = self.limit, logger = self.logger
        let (connection, governing) = try await database.open(logger: logger) { connection in
            try await DeskReservation.setLimit(Self.kind, limit, by: box, connection: connection, logger: logger)
        }
        if governing.amount != limit {
            logger.warning("the desk's daily volume limit is $\(governing.amount.formatted(digits: 2)) (set by box \(governing.setBy)), not this box's $\(limit.formatted(digits: 2)): the desk's governs")
        }
        await self.connection.keep(connection)
        return connection
    }

    /// Closes the connection (a connection must be closed before it is let go).
    public func close() async { await drop() }

    private func drop() async { await connection.close() }
}
