import Logging
import PostgresNIO
import Synchronization

/// The one connection an actor of the link keeps to the desk: reused while open, replaced (the earlier closed) when
/// a new one is made, closed on a stop or when a call to the desk is abandoned. A connection must be closed before
/// it is let go.
final class ConnectionSlot: Sendable {
    private struct State {
        var connection: PostgresConnection?
        /// Retired: a connection kept after this is closed as it arrives (a one-off call abandoned at its deadline).
        var retired = false
    }
    private let state = Mutex(State())

    /// The connection, while it is open.
    var open: PostgresConnection? { state.withLock { $0.connection.flatMap { $0.isClosed ? nil : $0 } } }

    /// Keeps `connection`, closing the one it replaces (a call abandoned at its deadline may have connected
    /// meanwhile: one connection stays), or `connection` itself once the slot is retired.
    func keep(_ connection: PostgresConnection) async {
        let closing = state.withLock { state -> PostgresConnection? in
            if state.retired { return connection }
            defer { state.connection = connection }
            return state.connection === connection ? nil : state.connection
        }
        if let closing { try? await closing.close() }
    }

    /// Closes the connection; a later `keep` is kept.
    func close() async { await close(retiring: false) }

    /// Closes the connection and any kept after.
    func retire() async { await close(retiring: true) }

    private func close(retiring: Bool) async {
        let connection = state.withLock { state in
            defer { state.connection = nil }
            if retiring { state.retired = true }
            return state.connection
        }
        if let connection { try? await connection.close() }
    }
}

/// Says an outage of the desk once, when it starts, and once when it ends, however many calls fail in between.
struct OutageLog {
    private(set) var reachable = true

    mutating func failed(_ logger: Logger, _ message: @autoclosure () -> Logger.Message) {
        guard reachable else { return }
        reachable = false
        logger.warning(message())
    }

    mutating func succeeded(_ logger: Logger, _ message: @autoclosure () -> Logger.Message) {
        guard !reachable else { return }
        reachable = true
        logger.notice(message())
    }
}
