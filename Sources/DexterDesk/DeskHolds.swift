import DexterCore
import DexterEngine
import Foundation
import Logging
import PostgresNIO

/// Reserves this box's share of the desk-wide standing caps (a position per asset, the VaR budget) in PostgreSQL,
/// as the engine asks, one locked transaction per reservation so boxes racing for the last of a cap cannot both get
/// it. A hold is kept (a position does not use it up) until a clean stop hands it back; a box that restarts after a
/// crash takes up what it held rather than reserving it twice. Cut off from the desk, a box trades within what it
/// holds.
public actor DeskHolds {
    public let box: String
    let database: DeskDatabase
    let caps: DeskCaps
    /// The caps this box's config names: set at the desk where none is set yet (the first box's stand).
    let limits: [String: FixedDecimal]
    let logger: Logger
    private let connection = ConnectionSlot()
    private var outage = OutageLog()
    private var adopted = false

    public init(box: String, database: DeskDatabase, caps: DeskCaps, limits: [String: FixedDecimal], logger: Logger) {
        self.box = box
        self.database = database
        self.caps = caps
        self.limits = limits
        self.logger = logger
    }

    /// Reserves as the engine asks (and on a beat, for a desk that was away) until cancelled.
    public func run() async {
        await reserveWhenAsked(caps.asks) { await self.topUp() }
    }

    /// Reserves what each cap is short of what the engine wants.
    func topUp() async {
        do {
            try await withDeadline(.seconds(5), "reserving desk-wide caps", abandon: { await self.drop() }) {
                try await self.reserveWanted()
            }
            outage.succeeded(logger, "shared desk reached again at \(database): reserving the desk-wide caps again")
        } catch {
            await drop()
            // A stop, not an outage.
            if Task.isCancelled { return }
            outage.failed(logger, "shared desk unreachable at \(database): \(describe(error)); trading on within the desk-wide caps this box holds")
        }
    }

    private func reserveWanted() async throws {
        let connection = try await connected()
        for (kind, hold) in caps.current.sorted(by: { $0.key < $1.key }) where hold.wanted > hold.held {
            // Units of an asset to 8 places, USD to the cent, rounded up: a grant covers what was asked.
            let short = (hold.wanted - hold.held).rounded(digits: kind == DeskCaps.valueAtRisk ? 2 : 8, .up)
            let granted = try await DeskReservation.reserve(kind, for: box, on: DeskReservation.standing, atLeast: short,
                                                            preferably: short, connection: connection, logger: logger)
            if granted.isPositive { caps.grant(granted, of: kind) }
        }
    }

    /// Hands every hold back to the desk (a clean stop), so other boxes may take it.
    public func handBack() async {
        let held = caps.release()
        guard !held.isEmpty else { return }
        let box = self.box, logger = self.logger
        do {
            try await withDeadline(.seconds(5), "handing back desk-wide caps", abandon: { await self.drop() }) {
                let connection = try await self.connected()
                for (kind, amount) in held.sorted(by: { $0.key < $1.key }) {
                    try await DeskReservation.handBack(kind, amount, for: box, on: DeskReservation.standing,
                                                       connection: connection, logger: logger)
                }
            }
        } catch {
            logger.warning("box \(box)'s holds of desk-wide caps could not be handed back (\(describe(error))); it takes them up again at its next start")
        }
        await drop()
    }

    /// Connects, creating the schema if needed; sets the desk's caps from this box's config where none is set; and,
    /// the first time, takes up what this box still holds at the desk (it stopped without handing it back).
    private func connected() async throws -> PostgresConnection {
        if let open = connection.open { return open }
        let box = self.box, limits = self.limits, kinds = caps.kinds, adopting = !adopted, logger = self.logger
        let (connection, holding) = try await database.open(logger: logger) { connection in
            for (kind, limit) in limits.sorted(by: { $0.key < $1.key }) {
                let governing = try await DeskReservation.setLimit(kind, limit, by: box, connection: connection, logger: logger)
                if governing.amount != limit {
                    logger.warning("the desk's \(kind) cap is \(governing.amount) (set by box \(governing.setBy)), not this box's \(limit): the desk's governs")
                }
            }
            var holding: [String: FixedDecimal] = [:]
            for kind in kinds.sorted() where adopting {
                holding[kind] = try await DeskReservation.holding(kind, for: box, on: DeskReservation.standing,
                                                                  connection: connection, logger: logger)
            }
            return holding
        }
        if adopting {
            for (kind, held) in holding where held.isPositive { caps.grant(held, of: kind) }
            adopted = true
        }
        await self.connection.keep(connection)
        return connection
    }

    /// Closes the connection (a connection must be closed before it is let go).
    public func close() async { await drop() }

    private func drop() async { await connection.close() }
}
