import Logging
import PostgresNIO
import Synchronization

/// The one connection an actor of the link keeps to the desk: reused while open, replaced (the earlier closed) when
/// a new one is made, closed on a stop or when a call to the desk is abandoned. A connection must be closed before
/// it is let go.
final class ConnectionSlot: Sendable {
    private let held = Mutex<PostgresConnection?>(nil)

    /// The connection, while it is open.
    var open: PostgresConnection? { held.withLock { $0.flatMap { $0.isClosed ? nil : $0 } } }

    /// Keeps `connection`, closing the one it replaces (a call abandoned at its deadline may have connected
    /// meanwhile: one connection stays).
    func keep(_ connection: PostgresConnection) async {
        let earlier = held.withLock { held in
            defer { held = connection }
            return held
        }
        if let earlier, earlier !== connection { try? await earlier.close() }
    }

    func close() async {
        let connection = held.withLock { held in
            defer { held = nil }
            return held
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
