import DexterCore
import DexterEngine
@testable import DexterService
import DexterTUI
import Foundation
import Testing

/// An attached screen is the desk's screen as its member sees it, and its keys are that member's commands.
@Suite(.serialized) struct AttachTests {
    /// Attaches as `member`, sends `lines` one by one (each after the frame before), returns every frame's text and
    /// the goodbye.
    func attach(_ desk: ServedDesk, as member: String, sending lines: [String]) async throws -> (frames: [String], bye: String?) {
        let socket = try await DeskSocket.open(.unix(desk.socket), path: "/attach?user=\(member)&width=100&height=30",
                                               token: try #require(desk.tokens[member]))
        var frames: [String] = []
        var bye: String?
        try await socket.run { texts, send in
            var pending = lines
            for try await text in texts {
                let message = try JSONDecoder().decode(AttachWire.ServerMessage.self, from: Data(text.utf8))
                if let canvas = message.frame?.canvas { frames.append(canvas.text) }
                if let said = message.bye {
                    bye = said
                    return
                }
                // One line per frame seen; after the last (a quit), frames already on their way may still come
                // before the goodbye, so read on until it does.
                if message.frame != nil, !pending.isEmpty { try await send(pending.removeFirst()) }
            }
        }
        return (frames, bye)
    }

    @Test func theScreenIsTheMembersAndQuittingOnlyDetaches() async throws {
        let desk = try await ServedDesk.open()
        do {
            let (frames, bye) = try await attach(desk, as: "tom", sending: ["size 100 30", "char q"])
            let first = try #require(frames.first)
            #expect(first.contains("user tom Trader"), "\(first)")
            #expect(bye == "detached; the desk runs on")
            // The desk lets go of the session once the screen has gone.
            for _ in 0..<100 where !desk.service.attached().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            #expect(desk.service.attached().isEmpty)
            #expect(await desk.engine.tradingState == .active)
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
    }

    @Test func anAnalystsKillSwitchIsRefusedByTheEngine() async throws {
        let desk = try await ServedDesk.open()
        do {
            let (frames, _) = try await attach(desk, as: "ann", sending: ["char K", "char y", "char q"])
            #expect(await desk.engine.tradingState == .active)
            #expect(frames.contains { $0.contains("kill switch needs the") }, "\(frames.last ?? "")")
            let refused = try desk.ledger.reader.auditEntries().filter { $0.action == "refused" && $0.user == "ann" }
            #expect(refused.contains { $0.detail.hasPrefix("kill switch") })
            // Her colleague's kill switch works.
            _ = try await attach(desk, as: "rita", sending: ["char K", "char y", "char q"])
            #expect(await desk.engine.tradingState == .halted)
            let halts = try desk.ledger.reader.auditEntries().filter { $0.action == "halt" }
            #expect(halts.contains { $0.user == "rita" && $0.detail.contains("kill switch pulled by rita") })
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
    }

    @Test func anotherMembersTokenDoesNotOpenTheirScreen() async throws {
        let desk = try await ServedDesk.open()
        await #expect(throws: DeskSocket.Refused.self) {
            _ = try await DeskSocket.open(.unix(desk.socket), path: "/attach?user=ada", token: desk.tokens["tom"] ?? "")
        }
        await desk.stop()
    }
}

extension AttachTests {
    @Test func aRevokedTokenEndsTheScreenAtItsNextKey() async throws {
        let desk = try await ServedDesk.open()
        do {
            let socket = try await DeskSocket.open(.unix(desk.socket), path: "/attach?user=ann", token: try #require(desk.tokens["ann"]))
            var bye: String?
            try await socket.run { texts, send in
                var revoked = false
                for try await text in texts {
                    let message = try JSONDecoder().decode(AttachWire.ServerMessage.self, from: Data(text.utf8))
                    if let said = message.bye {
                        bye = said
                        return
                    }
                    guard !revoked else { continue }
                    revoked = true
                    try desk.ledger.writer.revokeTokens(of: "ann", by: "ada", at: WallClock().now(), hash: Engine.auditHash)
                    try await send("key down")
                }
            }
            #expect(bye?.contains("no longer live") == true)
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
    }
}
