import Foundation

/// A PostgreSQL server of Debian's package, started for a test on a private Unix socket (no TCP) in a folder of its
/// own, as an unprivileged user (nobody, when the tests run as root: PostgreSQL refuses root), and removed with it.
/// It can be killed (SIGKILL, as a crash) and started again on the same data, for outage tests.
public final class LocalPostgres: @unchecked Sendable {
    public let folder: URL
    public let socketDirectory: String
    public let port = 5432
    public let database: String
    private let dataDirectory: String
    private let binaries: URL
    private let lock = NSLock()
    private var server: Process?
    private let log: URL

    /// Initialises a cluster (superuser "dexter", trust on the socket, which only this folder's owner and root can
    /// reach), starts it, and creates `database`.
    public init(database: String = "desk") throws {
        guard let binaries = Self.binaries() else {
            throw LocalServerError(description: "PostgreSQL's server programs are not installed (apt-get install postgresql)")
        }
        self.binaries = binaries
        self.database = database
        folder = URL(fileURLWithPath: "/tmp/dexter-pg-\(UUID().uuidString.prefix(8))", isDirectory: true)
        socketDirectory = folder.appendingPathComponent("run").path
        dataDirectory = folder.appendingPathComponent("data").path
        log = folder.appendingPathComponent("server.log")
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        if getuid() == 0 {
            for path in [folder.path, socketDirectory, log.path] {
                try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: path)
            }
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try Self.runToEnd(binaries.appendingPathComponent("initdb"),
                          ["-D", dataDirectory, "-U", "dexter", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        try start()
        try Self.runToEnd(binaries.appendingPathComponent("psql"),
                          ["-h", socketDirectory, "-p", String(port), "-U", "dexter", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                           "-q", "-c", "CREATE DATABASE \(database)"])
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The `[desk] postgres_url` that reaches it.
    public var url: String { "postgresql://dexter@/\(database)?host=\(socketDirectory)&port=\(port)" }

    /// Starts the server on the existing data and waits until it accepts connections.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard server == nil else { return }
        let process = Process()
        Self.prepare(process, binaries.appendingPathComponent("postgres"),
                     ["-D", dataDirectory, "-k", socketDirectory, "-p", String(port), "-c", "listen_addresses=",
                      "-c", "max_connections=60", "-c", "shared_buffers=16MB"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        server = process
        let ready = binaries.appendingPathComponent("pg_isready")
        for _ in 0..<300 {
            if (try? Self.runToEnd(ready, ["-h", socketDirectory, "-p", String(port), "-U", "dexter", "-q"])) != nil { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw LocalServerError(description: "PostgreSQL did not start: \(said.suffix(1500))")
    }

    /// Kills the server as a crash would (SIGKILL to the postmaster; its backends follow it out).
    public func kill() {
        lock.lock()
        defer { lock.unlock() }
        guard let process = server else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        server = nil
        // The backends notice their postmaster is gone and exit; a start before they have would find their shared
        // memory still attached. Wait for the socket's lock file to be free of them.
        Thread.sleep(forTimeInterval: 0.3)
    }

    /// A fast shutdown (SIGINT): running transactions roll back, the server exits.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard let process = server else { return }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGINT) }
        process.waitUntilExit()
        server = nil
    }

    /// Runs SQL with psql as the superuser; returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String) throws -> String {
        try Self.runToEnd(binaries.appendingPathComponent("psql"),
                          ["-h", socketDirectory, "-p", String(port), "-U", "dexter", "-d", database, "-v", "ON_ERROR_STOP=1",
                           "-At", "-q", "-c", sql])
    }

    /// As nobody when this process is root (setpriv execs in place, so the pid is the server's own).
    private static func prepare(_ process: Process, _ executable: URL, _ arguments: [String]) {
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment.removeValue(forKey: "PGPASSWORD")
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
    }

    @discardableResult
    private static func runToEnd(_ executable: URL, _ arguments: [String]) throws -> String {
        let process = Process()
        prepare(process, executable, arguments)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complained = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LocalServerError(description: "\(executable.lastPathComponent) failed (\(process.terminationStatus)): "
                                   + String(decoding: complained, as: UTF8.self).suffix(1500))
        }
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The newest installed server's programs.
    static func binaries() -> URL? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.last.map { URL(fileURLWithPath: "\(root)/\($0)/bin", isDirectory: true) }
    }
}
