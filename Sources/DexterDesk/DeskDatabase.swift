import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Synchronization

/// Where the shared desk lives: a PostgreSQL server named by a libpq-style URL,
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` or, over a Unix socket,
/// `postgresql://USER@/DATABASE?host=/socket/dir[&port=5432]`. The password never appears in what this says.
public struct DeskDatabase: Sendable, CustomStringConvertible {
    public let configuration: PostgresConnection.Configuration
    /// The URL without its password, for logs and messages.
    public let description: String

    public init(url text: String) throws(DeskDatabaseError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme) else {
            throw DeskDatabaseError("postgres_url: expected postgresql://user@host:port/database, found a URL that is not one"
                                    + (text.contains("@") ? "" : " (\"\(text)\")"))
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw DeskDatabaseError("postgres_url: name the database after the host, as .../dexter") }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw DeskDatabaseError("postgres_url: name the user before the host, as postgresql://dexter@...")
        }
        let password = components.password?.removingPercentEncoding
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let port: Int
        if let given = components.port ?? query["port"].flatMap(Int.init) {
            guard (1...65_535).contains(given) else { throw DeskDatabaseError("postgres_url: port \(given) is not in 1...65535") }
            port = given
        } else {
            port = 5432
        }
        if let directory = query["host"], directory.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: user, password: password,
                                  database: database)
            description = "postgresql://\(user)@/\(database)?host=\(directory)&port=\(port)"
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw DeskDatabaseError("postgres_url: name a host, or a socket directory as ?host=/run/postgresql")
            }
            // Beyond loopback the password and the desk's trades cross a network: TLS, required.
            let loopback = ["localhost", "127.0.0.1", "::1"].contains(host)
            let tls: PostgresConnection.Configuration.TLS
            if loopback {
                tls = .disable
            } else {
                do { tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration())) } catch {
                    throw DeskDatabaseError("postgres_url: TLS for \(host) could not be set up: \(error)")
                }
            }
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: tls)
            description = "postgresql://\(user)@\(host):\(port)/\(database)"
        }
    }

    /// One connection; throws at once when the server cannot be reached (the callers decide how to wait).
    public func connect(logger: Logger) async throws -> PostgresConnection {
        var configuration = self.configuration
        configuration.options.connectTimeout = .seconds(3)
        return try await PostgresConnection.connect(configuration: configuration, id: Self.nextID(), logger: logger)
    }

    /// Runs `body` on a connection of its own, with the desk's schema in place, closed after, all within `limit`:
    /// at the deadline the connection is closed (so a query waiting on a server that died ends too) and
    /// `DeskTimeout` names `what` was asked.
    public func withConnection<T: Sendable>(within limit: Duration, _ what: String, logger: Logger,
                                            _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let slot = ConnectionSlot()
        do {
            let (_, result) = try await withDeadline(limit, what, abandon: { await slot.retire() }) {
                try await self.open(logger: logger) { connection in
                    await slot.keep(connection)
                    return try await body(connection)
                }
            }
            await slot.retire()
            return result
        } catch {
            await slot.retire()
            throw error
        }
    }

    /// A connection with the desk's schema in place and `setUp` done on it (what it found comes back with it);
    /// closed again if either fails.
    func open<Found: Sendable>(logger: Logger, setUp: @Sendable (PostgresConnection) async throws -> Found)
        async throws -> (PostgresConnection, Found) {
        let connection = try await connect(logger: logger)
        do {
            try await withDeadline(.seconds(5), "preparing the desk's schema", abandon: { try? await connection.close() }) {
                try await DeskSchema.prepare(connection, logger: logger)
            }
            return (connection, try await setUp(connection))
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Listens on `channel` until cancelled, one connection at a time, reconnecting with a growing pause (to 2 s):
    /// `heard` runs on each (re)connect, before anything is heard (so what was missed while away is read), and after
    /// each notice. The outage is said once, as `away`, and the return once, as `back`.
    func listen(on channel: String, logger: Logger, away: String, back: String,
                _ heard: @escaping @Sendable (PostgresConnection) async throws -> Void) async {
        var pause = Duration.milliseconds(200)
        var gone = false
        while !Task.isCancelled {
            do {
                let (connection, _) = try await open(logger: logger) { _ in }
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: channel) { notices in
                    if gone {
                        logger.notice("shared desk reached again at \(self): \(back)")
                        gone = false
                    }
                    pause = .milliseconds(200)
                    try await heard(connection)
                    for try await _ in notices { try await heard(connection) }
                }
            } catch is CancellationError {
                return
            } catch {
                if !gone, !Task.isCancelled {
                    gone = true
                    logger.warning("shared desk unreachable at \(self): \(describe(error)); \(away)")
                }
            }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
    }

    private static let ids = Mutex(0)
    static func nextID() -> Int { ids.withLock { $0 += 1; return $0 } }
}

/// A `postgres_url` that cannot be used, in words.
public struct DeskDatabaseError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What PostgreSQL said, without the query's binds (they can hold a box's trades) — PSQLError's own description
/// says nothing useful, so this names the server's message and code.
public func describe(_ error: any Error) -> String {
    if let psql = error as? PSQLError {
        if let message = psql.serverInfo?[.message] {
            return "PostgreSQL: \(message) (\(psql.serverInfo?[.sqlState] ?? psql.code.description))"
        }
        return "PostgreSQL: \(psql.code.description)" + (psql.underlying.map { ": \($0)" } ?? "")
    }
    return "\(error)"
}
