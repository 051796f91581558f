import ArgumentParser
import DexterCore
import DexterEngine
import DexterLedger
import DexterRisk
import DexterService
import DexterTUI
import Foundation
import Logging

/// The desk as a service: the engine headless, reached through its Unix socket (and a TCP port when configured) by
/// attached screens, the API and its event stream, and Prometheus.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the desk headless as a service: screens attach to it (dexter attach), tools use its API.",
        discussion: """
            Listens on a Unix socket (0600; --socket, [service] socket, else $XDG_RUNTIME_DIR/dexter/<mode>.sock) and, \
            with --listen or [service] listen, on a TCP port (TLS required beyond loopback). The vault passphrase comes \
            from the terminal, --passphrase-fd N, or the systemd credential "passphrase" — never from the environment \
            or an argument. Members reach it with a token (dexter user token NAME). SIGTERM or Ctrl-C stops it: \
            attached screens are told, and who was attached is logged.
            """)

    @OptionGroup var desk: DeskOptions

    @OptionGroup var recorded: ReplayDeskOptions

    @OptionGroup var trading: LiveOptions

    @Option(name: .long, help: "User the desk runs as (default: config's user, then the OS user).")
    var user: String?

    @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/<mode>.sqlite).")
    var ledger: String?

    @Option(name: .long, help: "Unix socket path (default: [service] socket, else $XDG_RUNTIME_DIR/dexter/<mode>.sock).")
    var socket: String?

    @Option(name: .long, help: "Also listen on HOST:PORT (default: [service] listen); TLS beyond loopback.")
    var listen: String?

    @Option(name: .customLong("passphrase-fd"), help: "Read the vault passphrase from this open file descriptor.")
    var passphraseFD: Int32?

    @Flag(name: .customLong("confirm-live"), help: "With --live and no terminal: the LIVE confirmation, given in advance.")
    var confirmLive = false

    func run() async throws {
        let config = try desk.load()
        var listenAddress = config.service.listen
        if let listen {
            do { listenAddress = try ListenAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
        }
        if let problem = config.service.tlsProblem(listen: listenAddress) { throw ValidationError("[service] \(problem.text)") }
        PassphraseSource.current = PassphraseSource.choose(descriptor: passphraseFD,
                                                           environment: ProcessInfo.processInfo.environment)
        let confirm: () throws -> Void = {
            if confirmLive { return }
            guard isatty(STDIN_FILENO) == 1 else {
                throw ValidationError("--live without a terminal to type LIVE on needs --confirm-live")
            }
            try LiveAccess.confirm()
        }
        // Before the venues and the engine are made: their metrics bind to the backend when they are made.
        DeskMetrics.bootstrap()
        let opened = try await DeskOpening.open(
            desk, recorded: recorded, trading: trading, user: user, ledger: ledger, confirmLive: confirm,
            stderrLog: LogFile.stderrFormat(configured: config.service.logFormat, serving: true))
        let engine = opened.engine, logger = opened.logger
        let socketPath = socket ?? config.service.socket ?? Self.defaultSocket(mode: opened.mode)
        let ledgerFile = opened.ledgerFile
        let members = ledgerFile.reader
        let tokens = MemberTokens(reader: ledgerFile.reader) { name in
            guard let record = try? members.users().first(where: { $0.name == name }) else { return nil }
            return try? DeskMembers.user(record)
        }
        let service = DeskService(engine: engine, ledger: ledgerFile.reader, tokens: tokens, keymap: config.keymap,
                                  reloadConfig: { [desk] in
                                      do { return .success(.reloadConfig(try desk.load().configReload)) } catch {
                                          return .failure(TerminalApp.ThemeError("\(error)"))
                                      }
                                  },
                                  metrics: { DeskMetrics.exposition() })
        let journal = await service.startJournal()
        let shared = await SharedDeskLink.start(config.sharedDesk, engine: engine, ledger: ledgerFile)
        let loop = Task { await engine.run() }
        let listeners = ServiceListeners(
            socketPath: socketPath,
            tcp: listenAddress.map {
                ServiceListeners.TCP(host: $0.host, port: $0.port,
                                     tls: config.service.tlsCertificate.flatMap { cert in config.service.tlsKey.map { (cert, $0) } })
            })
        let serving = Task {
            try await service.serve(on: listeners, logger: Logger(label: "dexter.service")) { address in
                logger.notice("serving the \(opened.mode) desk of \(opened.userName) on \(address)")
                Self.emit(#"{"event":"listening","address":"\#(address)","mode":"\#(opened.mode)"}"#)
            }
        }
        let signal = await Self.stopSignal(or: serving)
        let attached = service.attached().map { "\($0.name) (\($0.role.rawValue))" }
        let who = attached.isEmpty ? "no screen attached" : "attached: \(attached.joined(separator: ", "))"
        logger.notice("stopping (\(signal)); \(who)")
        Self.emit(#"{"event":"stopping","reason":"\#(signal)","attached":[\#(service.attached().map { "\"\($0.name)\"" }.joined(separator: ","))]}"#)
        await service.detachAll("the desk is stopping (\(signal))")
        await service.stopServing()
        let served = await serving.result
        await engine.stop()
        await loop.value
        await shared?.stop()
        journal.cancel()
        if case .failure(let error) = served, !(error is CancellationError) {
            logger.error("the service ended: \(error)")
            throw ValidationError("\(error)")
        }
        logger.notice("stopped")
        Self.emit(#"{"event":"stopped"}"#)
    }

    /// $XDG_RUNTIME_DIR/dexter/<mode>.sock, else $XDG_STATE_HOME/dexter/<mode>.sock.
    static func defaultSocket(mode: DeskMode) -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? ".") + "/.local/state")
        return base + "/dexter/\(mode.rawValue.lowercased()).sock"
    }

    /// Waits for SIGTERM, SIGINT or SIGHUP — or for the listeners to end on their own (a bind that failed).
    static func stopSignal(or serving: Task<Void, any Error>) async -> String {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
        let watcher = Task {
            _ = await serving.result
            continuation.yield("the listeners ended")
        }
        defer {
            watcher.cancel()
            for source in sources { source.cancel() }
        }
        for await reason in stream { return reason }
        return "stopped"
    }

    /// One line on stdout, whole: a supervisor or a test waits for "listening".
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
