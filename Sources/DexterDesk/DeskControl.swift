import DexterEngine
import DexterRisk
import Foundation
import Logging
import PostgresNIO

/// The desk's trading state as PostgreSQL holds it: one versioned row every box reads and writes.
public struct DeskState: Sendable, Hashable {
    public var version: Int64
    public var state: TradingState
    public var reason: String
    /// The box that set it, and the member there ("" before anyone has).
    public var box: String
    public var member: String
}

/// Carries the kill switch, reducing and resume between boxes: a change on this box is written to the desk's state
/// with a NOTIFY, and a change another box made is applied here as its member's command (audited under their
/// name, with the box it came from). A box that was away reads the state when it reconnects, and applies it before
/// anything else it does with the desk.
public actor DeskControl {
    public static let channel = "dexter_desk"

    public let box: String
    let database: DeskDatabase
    let engine: Engine
    let logger: Logger
    /// The desk's state as last read or written: what this box's own changes are compared against, so a change
    /// applied from the desk is not sent back to it.
    private var known: DeskState?
    /// A change this box made while the desk was unreachable, sent when it is back.
    private var unsent: TradingStateChange?
    private let writer = ConnectionSlot()
    /// Called after each state this box applies from another (tests and the bench time it).
    private var appliedObserver: (@Sendable (DeskState) -> Void)?

    public init(box: String, database: DeskDatabase, engine: Engine, logger: Logger) {
        self.box = box
        self.database = database
        self.engine = engine
        self.logger = logger
    }

    public func onApplied(_ observer: @escaping @Sendable (DeskState) -> Void) { appliedObserver = observer }

    /// Reads the desk's state once and applies it: before the engine runs, so a box that starts while the desk is
    /// halted starts halted. False when the desk could not be reached.
    @discardableResult
    public func catchUp() async -> Bool {
        do {
            let logger = self.logger
            let state = try await database.withConnection(within: .seconds(5), "reading the desk's trading state",
                                                          logger: logger) { connection in
                try await Self.read(connection, logger: logger)
            }
            await apply(state)
            return true
        } catch {
            logger.warning("shared desk unreachable at \(database): \(describe(error)); this box's halts stay its own until it is back")
            return false
        }
    }

    /// Listens and publishes until cancelled: the engine's own changes go to the desk; the desk's come here.
    public func run() async {
        let (changes, continuation) = AsyncStream.makeStream(of: TradingStateChange.self)
        await engine.onTradingState { continuation.yield($0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            group.addTask {
                for await change in changes { await self.publish(change) }
            }
            await group.next()
            group.cancelAll()
        }
        continuation.finish()
    }

    /// One listening connection at a time, reconnecting with a growing pause; on each (re)connect the state is read
    /// before anything is heard, so a notice missed while away is not missed.
    private func listen() async {
        await database.listen(on: Self.channel, logger: logger, away: "listening again when it is back",
                              back: "reading its state") { connection in
            await self.resend()
            await self.apply(try await Self.read(connection, within: .seconds(5), logger: self.logger))
        }
    }

    /// Applies the desk's state here when it is newer than what this box knows and another box set it.
    func apply(_ state: DeskState) async {
        if let known, state.version <= known.version { return }
        known = state
        guard !state.box.isEmpty, state.box != box else { return }
        guard await engine.tradingState != state.state else { return }
        let member = DeskUser(name: state.member, role: .riskManager)
        let reason = "\(state.reason) (desk-wide, from box \(state.box))"
        switch state.state {
        case .halted: await engine.handle(.halt(reason), by: member)
        case .reducing: await engine.handle(.reduce(reason), by: member)
        case .active: await engine.handle(.resume, by: member)
        }
        logger.notice("desk-wide \(state.state.rawValue) from box \(state.box) by \(state.member): \(state.reason)")
        appliedObserver?(state)
    }

    /// Writes this box's change to the desk, unless the desk already says so (it came from there).
    func publish(_ change: TradingStateChange) async {
        if let known, known.state == change.state { return }
        do {
            let connection = try await writing()
            let box = self.box, state = change.state.rawValue, reason = change.reason, member = change.member
            let logger = self.logger
            let written = try await withDeadline(.seconds(5), "telling the desk this box is \(state)",
                                                 abandon: { try? await connection.close() }) {
                try await connection.transaction(logger: logger) { connection in
                    var version: Int64 = 0
                    for try await value in try await connection.query("""
                        UPDATE desk_state SET version = version + 1, state = \(state), reason = \(reason), box = \(box),
                            member = \(member), at = now()
                        WHERE id = 1 RETURNING version
                        """, logger: logger).decode(Int64.self) { version = value }
                    try await connection.run("SELECT pg_notify(\(Self.channel), \(String(version)))", logger: logger)
                    return version
                }
            }
            known = DeskState(version: written, state: change.state, reason: change.reason, box: box, member: change.member)
            unsent = nil
        } catch {
            unsent = change
            await writer.close()
            logger.warning("this box is \(change.state.rawValue) but the shared desk could not be told (\(describe(error))); telling it when it is back")
        }
    }

    /// Closes the writing connection (a connection must be closed before it is let go).
    public func close() async {
        await writer.close()
    }

    private func resend() async {
        guard let change = unsent else { return }
        await publish(change)
    }

    private func writing() async throws -> PostgresConnection {
        if let open = writer.open { return open }
        let connection = try await database.connect(logger: logger)
        await writer.keep(connection)
        return connection
    }

    /// Reads the state, closing the connection if no answer comes within `limit` (the listener then reconnects).
    static func read(_ connection: PostgresConnection, within limit: Duration, logger: Logger) async throws -> DeskState {
        try await withDeadline(limit, "reading the desk's trading state", abandon: { try? await connection.close() }) {
            try await read(connection, logger: logger)
        }
    }

    static func read(_ connection: PostgresConnection, logger: Logger) async throws -> DeskState {
        let rows = try await connection.query("SELECT version, state, reason, box, member FROM desk_state WHERE id = 1",
                                              logger: logger)
        for try await (version, state, reason, box, member) in rows.decode((Int64, String, String, String, String).self) {
            return DeskState(version: version, state: TradingState(rawValue: state) ?? .halted, reason: reason, box: box,
                             member: member)
        }
        throw DeskDatabaseError("the shared desk has no state row")
    }
}
