import DexterEngine
import DexterRisk
import DexterTUI
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Synchronization

/// One attached screen, on the desk's side: the member's own view (focus, selection, overlays) and key handling,
/// rendered from the engine's snapshots as that member sees them. Keys become commands sent as the member, so the
/// engine's role check is theirs.
actor AttachSession {
    let member: DeskUser
    let desk: DeskService
    let outbound: WebSocketOutboundWriter
    private var controller: DeskController
    private var size: (width: Int, height: Int)
    private var sent: AttachWire.Frame?
    private var drawnVersion: UInt64 = .max
    private let encoder = JSONEncoder()

    init(member: DeskUser, desk: DeskService, keymap: KeyMap, width: Int, height: Int, outbound: WebSocketOutboundWriter) {
        self.member = member
        self.desk = desk
        self.outbound = outbound
        controller = DeskController(keymap: keymap)
        size = (width, height)
    }

    /// What the member sent. Returns false when the screen asked to leave (q).
    func receive(_ message: AttachWire.Message) async throws -> Bool {
        switch message {
        case .size(let width, let height):
            size = (width, height)
            try await render(force: true)
            return true
        case .input(let input):
            guard let snapshot = desk.engine.board.current.map({ desk.view(of: $0, by: member) }) else { return true }
            for effect in controller.handle(input, snapshot: snapshot, width: size.width, height: size.height) {
                switch effect {
                case .send(let command): await desk.engine.handle(command, by: member)
                case .quit:
                    try await say(.init(bye: "detached; the desk runs on"))
                    return false
                case .theme(let name): try await say(.init(theme: name))
                case .reloadConfig:
                    switch desk.reloadConfig() {
                    case .success(let command): await desk.engine.handle(command, by: member)
                    case .failure(let error): controller.view.message = ("config not reloaded: \(error)", true)
                    }
                }
            }
            try await render(force: true)
            return true
        }
    }

    /// Sends the screen when the desk has published since the last frame (or `force`), and only if it changed.
    func render(force: Bool = false) async throws {
        let version = desk.engine.board.currentVersion
        guard force || version != drawnVersion, let published = desk.engine.board.current else { return }
        drawnVersion = version
        let canvas = Panels.frame(desk.view(of: published, by: member), view: &controller.view, keymap: controller.keymap,
                                  width: size.width, height: size.height)
        let frame = AttachWire.Frame(canvas)
        guard frame != sent else { return }
        sent = frame
        try await say(.init(frame: frame))
    }

    func say(_ message: AttachWire.ServerMessage) async throws {
        try await outbound.write(.text(String(decoding: try encoder.encode(message), as: UTF8.self)))
    }
}

extension DeskService {
    /// The snapshot as `member` sees it: their name and role on the status bar, and only their own confirmation.
    func view(of snapshot: Snapshot, by member: DeskUser) -> Snapshot {
        var seen = snapshot
        seen.user = member.name
        seen.role = member.role.description
        if seen.confirmation?.requestedBy != member.name { seen.confirmation = nil }
        if seen.cycleConfirmation?.requestedBy != member.name { seen.cycleConfirmation = nil }
        return seen
    }

    /// GET /attach?width=W&height=H as a WebSocket: a member's screen. Frames at most every `refreshInterval`
    /// when the market moves, at once after a key.
    func addAttach(to router: Router<BasicWebSocketRequestContext>) {
        router.ws("/attach") { [tokens] request, _ in
            guard let member = tokens.member(presenting: DeskService.token(of: request)) else {
                throw HTTPError(.unauthorized, message: "a member's token is needed")
            }
            if let named = request.uri.queryParameters.get("user"), named != member.name {
                throw HTTPError(.forbidden, message: "the token is \(member.name)'s, not \(named)'s")
            }
            return .upgrade([:])
        } onUpgrade: { [self] inbound, outbound, context in
            guard let member = tokens.member(presenting: DeskService.token(of: context.request)) else { return }
            let query = context.request.uri.queryParameters
            let width = min(max(query.get("width", as: Int.self) ?? 80, 1), 1000)
            let height = min(max(query.get("height", as: Int.self) ?? 24, 1), 1000)
            let token = DeskService.token(of: context.request)
            let session = AttachSession(member: member, desk: self, keymap: keymap, width: width, height: height,
                                        outbound: outbound)
            let id = sessionOpened(member, session: session)
            defer { sessionClosed(id) }
            try await session.render(force: true)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 12) {
                        guard case .text(let line) = message, let decoded = AttachWire.decode(line) else { continue }
                        // A revoked token (or a member removed) ends the screen at its next key.
                        guard self.tokens.member(presenting: token)?.name == member.name else {
                            try await session.say(.init(bye: "the token is no longer live (revoked); detached"))
                            return
                        }
                        if try await !session.receive(decoded) { return }
                    }
                }
                group.addTask {
                    var frames = 0
                    while !Task.isCancelled {
                        try await Task.sleep(for: DeskService.refreshInterval)
                        frames += 1
                        // A screen left alone is checked too, every few seconds.
                        if frames % 50 == 0, self.tokens.member(presenting: token)?.name != member.name {
                            try await session.say(.init(bye: "the token is no longer live (revoked); detached"))
                            return
                        }
                        try await session.render()
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    /// 10 Hz, as the in-process screen: what a thin SSH link carries.
    static let refreshInterval = Duration.milliseconds(100)

    /// Says goodbye to every attached screen (the desk is stopping), naming why.
    public func detachAll(_ reason: String) async {
        for session in attachedSessions() { try? await session.say(.init(bye: reason)) }
    }
}
