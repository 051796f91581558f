import DexterCore
import DexterDetect
import DexterEngine
import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

extension DeskService {
    /// Feeds the journal from the engine: each detection pass (opportunity new / update / gone, as detected — not
    /// at the snapshot's pace), each desk event and trading-state change, each booking as it is committed.
    public func startJournal() async -> Task<Void, Never> {
        let (detections, feed) = AsyncStream.makeStream(of: (DetectionChanges, Timestamp).self)
        await engine.onDetection { changes, now in feed.yield((changes, now)) }
        let journal = self.journal
        await engine.onEvent { said in
            DeskService.append(said, to: journal)
        }
        await engine.onBooked { id, status, realised in
            journal.append { sequence in
                #"{"seq":\#(sequence),"type":"fill","arbitrage":"\#(JSONText.escaped(id))","status":"\#(JSONText.escaped(status))","realisedUSD":"\#(realised)"}"#
            }
        }
        return Task.detached {
            var listed = Set<UInt64>()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            for await (changes, now) in detections {
                for opportunity in changes.upserted {
                    let type = listed.insert(opportunity.id).inserted ? "opportunity.new" : "opportunity.update"
                    let body = (try? encoder.encode(Components.Schemas.Opportunity(opportunity, now: now)))
                        .map { String(decoding: $0, as: UTF8.self) } ?? "null"
                    journal.append { #"{"seq":\#($0),"type":"\#(type)","at":"\#(now.iso8601)","opportunity":\#(body)}"# }
                }
                for id in changes.removed where listed.remove(id) != nil {
                    journal.append { #"{"seq":\#($0),"type":"opportunity.gone","at":"\#(now.iso8601)","id":\#(id)}"# }
                }
            }
        }
    }

    static func append(_ said: DexterEngine.Notification, to journal: EventJournal) {
        let at = said.time.iso8601
        journal.append {
            #"{"seq":\#($0),"type":"desk.event","at":"\#(at)","kind":"\#(said.event.kind)","level":"\#(said.level.rawValue)","text":"\#(JSONText.escaped(said.text))"}"#
        }
        let state: String? = switch said.event {
        case .halted: "halted"
        case .reducing: "reducing"
        case .active, .resumed: "active"
        default: nil
        }
        if let state {
            journal.append { #"{"seq":\#($0),"type":"desk.state","at":"\#(at)","tradingState":"\#(state)"}"# }
        }
    }

    /// GET /v1/events as a WebSocket: the journal after `?after=N` (or from now), then live. The member's token as
    /// the Authorization header or `?token=`.
    func addEventStream(to router: Router<BasicWebSocketRequestContext>) {
        let journal = self.journal
        router.ws("/v1/events") { [tokens] request, _ in
            guard tokens.member(presenting: DeskService.token(of: request)) != nil else {
                throw HTTPError(.unauthorized, message: "a member's token is needed")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let after = context.request.uri.queryParameters.get("after", as: UInt64.self)
            let subscription = journal.subscribe(after: after)
            defer { journal.unsubscribe(subscription) }
            if subscription.gap { try await outbound.write(.text(#"{"type":"resync"}"#)) }
            for entry in subscription.backlog { try await outbound.write(.custom(.init(fin: true, opcode: .text, data: entry.bytes))) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The client's frames are read only so that its close is seen.
                group.addTask { for try await _ in inbound {} }
                group.addTask {
                    for await entry in subscription.live {
                        try await outbound.write(.custom(.init(fin: true, opcode: .text, data: entry.bytes)))
                    }
                    // Ended while the socket is open: the client fell too far behind; it resumes by number.
                    try? await outbound.write(.text(#"{"type":"resync","reason":"too far behind"}"#))
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    static func token(of request: Request) -> String? {
        MemberTokens.bearer(request.headers[.authorization]) ?? request.uri.queryParameters.get("token")
    }
}

/// JSON string escaping for the few events written by hand (their fields are the desk's own words).
enum JSONText {
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
