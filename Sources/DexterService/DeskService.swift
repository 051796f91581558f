import DexterEngine
import DexterLedger
import DexterRisk
import DexterTUI
import Foundation
import ServiceLifecycle
import Synchronization

/// The headless desk's doors: the API, the event stream and attached screens, all reading the engine's snapshots
/// and sending it commands as the member who asked.
public final class DeskService: Sendable {
    public let engine: Engine
    let ledger: LedgerReader
    let tokens: MemberTokens
    public let journal: EventJournal
    let metricsText: @Sendable () -> String
    let sessions = Mutex<[UInt64: (member: DeskUser, session: AttachSession)]>([:])
    let nextSession = Atomic<UInt64>(0)
    /// The listeners while they run, for `stopServing`.
    let running = Mutex<[ObjectIdentifier: ServiceGroup]>([:])
    /// The screens' keys, as config.toml binds them.
    let keymap: KeyMap
    /// config.toml read again for a screen's reload key: the command to send, or why not.
    let reloadConfig: @Sendable () -> Result<EngineCommand, TerminalApp.ThemeError>

    public init(engine: Engine, ledger: LedgerReader, tokens: MemberTokens, journal: EventJournal = EventJournal(),
                keymap: KeyMap = .standard,
                reloadConfig: @escaping @Sendable () -> Result<EngineCommand, TerminalApp.ThemeError> = {
                    .failure(.init("no config to reload"))
                },
                metrics: @escaping @Sendable () -> String) {
        self.engine = engine
        self.ledger = ledger
        self.tokens = tokens
        self.journal = journal
        self.keymap = keymap
        self.reloadConfig = reloadConfig
        self.metricsText = metrics
    }

    enum Readiness { case starting, ready, cannotBook(String) }

    /// Open once the engine has published; not ready while trading is halted (the reason says why).
    var readiness: Readiness {
        guard let snapshot = engine.board.current else { return .starting }
        if snapshot.tradingState == .halted { return .cannotBook(snapshot.haltReason ?? "halted") }
        return .ready
    }

    struct NotOpen: Error {}

    func snapshot() async throws -> Snapshot {
        guard let snapshot = engine.board.current else { throw NotOpen() }
        return snapshot
    }

    /// Members with a screen attached now, in the order they came.
    public func attached() -> [DeskUser] {
        sessions.withLock { $0.sorted { $0.key < $1.key }.map(\.value.member) }
    }

    func attachedSessions() -> [AttachSession] { sessions.withLock { $0.values.map(\.session) } }

    func sessionOpened(_ member: DeskUser, session: AttachSession) -> UInt64 {
        let id = nextSession.add(1, ordering: .relaxed).newValue
        sessions.withLock { $0[id] = (member, session) }
        return id
    }

    func sessionClosed(_ id: UInt64) { sessions.withLock { _ = $0.removeValue(forKey: id) } }

    // MARK: The document

    /// The OpenAPI document the server's types are generated from, compiled into the binary (no bundle to ship).
    public static func openAPIData() throws -> Data { Data(PackageResources.openapi_json) }

    static let document = Result { try JSONDecoder().decode(OpenAPIObjectContainerBox.self, from: openAPIData()).value }

    static func openAPIObject() throws -> OpenAPIObjectContainerBox.Value { try document.get() }
}
