import DexterCore
import DexterCrypto
import DexterNet
import Foundation
import Synchronization
import Testing
import TestServers

/// DexterNet against a real peer: the local Binance-protocol server (Python, loopback), its faults injected.
@Suite(.serialized) struct LinkTests {
    @Test func httpAnswersCarryStatusHeadersAndBody() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let http = HTTPTransport()
        let answer = try await http.send(HTTPCall(.GET, server.restURL + "/api/v3/time"))
        #expect(answer.status == 200)
        #expect(answer.header("X-MBX-USED-WEIGHT-1M").flatMap(Int.init) ?? 0 >= 1)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("\"serverTime\""))
        let missing = try await http.send(HTTPCall(.GET, server.restURL + "/api/v3/order?symbol=ETHUSDT"))
        #expect(missing.status >= 400, "an unsigned order query is refused by the venue, not by the transport")
    }

    @Test func aRequestWithNoAnswerInTimeIsAnUnknownOutcome() async throws {
        let key = "dexterNetTestKey" + String(repeating: "0", count: 48), secret = "dexterNetTestSecret" + String(repeating: "1", count: 45)
        let server = try LocalBinance(["--speed", "0", "--account", "\(key):\(secret):USDT=10000"])
        defer { server.stop() }
        try await server.control("/control/fault", ["type": "delay_ack", "seconds": 3, "count": 1])
        let http = HTTPTransport()
        // A signed order whose ack comes late: the transport gives up at its timeout, and says the outcome is
        // unknown (the venue placed it: only a query by client order id can tell).
        let millis = Int64(Date().timeIntervalSince1970 * 1000)
        let payload = "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=1000"
            + "&newClientOrderId=net-late-1&timestamp=\(millis)"
        let signed = payload + "&signature=" + ExchangeSigning.binance(secret: secret, payload: payload)
        let call = HTTPCall(.POST, server.restURL + "/api/v3/order",
                            headers: ["X-MBX-APIKEY": key, "Content-Type": "application/x-www-form-urlencoded"],
                            body: Array(signed.utf8), timeout: .milliseconds(300))
        do {
            let answer = try await http.send(call)
            Issue.record("expected a timeout, got \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        } catch {
            #expect(error == .timedOut(after: .milliseconds(300)) && error.outcomeUnknown)
        }
        // A refused connection never reached the venue: its outcome is known. On a loaded machine (CI runs this beside
        // a hundred other tests on two cores) the refusal has once come after the 10 s timeout, when the honest answer
        // is "unknown": a refusal in any of three tries is the refusal this checks.
        var answers: [String] = []
        var refused = false
        for _ in 0..<3 where !refused {
            let started = ContinuousClock.now
            do {
                _ = try await http.send(HTTPCall(.GET, "http://127.0.0.1:1/api/v3/time", timeout: .seconds(10)))
                Issue.record("nothing listens on port 1")
                return
            } catch {
                answers.append("\(error) after \(ContinuousClock.now - started)")
                refused = !error.outcomeUnknown
            }
        }
        #expect(refused, "a refused connection never reached the venue, so its outcome is known: \(answers)")
    }

    /// Counts what a link says.
    final class Recorder: WebSocketListener {
        let opens = Mutex(0)
        let messages = Mutex<[String]>([])
        let closes = Mutex<[(String, Duration?)]>([])
        let onOpen: @Sendable (WebSocketLink) async throws -> Void

        init(onOpen: @escaping @Sendable (WebSocketLink) async throws -> Void = { _ in }) { self.onOpen = onOpen }

        func opened(_ link: WebSocketLink) async throws {
            opens.withLock { $0 += 1 }
            try await onOpen(link)
        }
        func received(_ message: [UInt8]) { messages.withLock { $0.append(String(decoding: message, as: UTF8.self)) } }
        func closed(reason: String, retryIn: Duration?) { closes.withLock { $0.append((reason, retryIn)) } }
    }

    /// Polls `condition` for up to `seconds` (the peer is another process): no assertion on time, only on outcome.
    func eventually(_ seconds: Double = 15, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test func aDroppedLinkComesBackAndSubscribesAgain() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let recorder = Recorder { link in
            try await link.send(#"{"method":"SUBSCRIBE","params":["ethusdt@bookTicker"],"id":7}"#)
        }
        let link = WebSocketLink(settings: WebSocketSettings(url: server.streamURL + "/ws",
                                                            backoff: Backoff(first: .milliseconds(50), cap: .milliseconds(200))))
        let running = Task { await link.run(recorder) }
        #expect(await eventually { recorder.messages.withLock { $0.contains { $0.contains(#""id":7"#) } } })
        try await server.control("/control/fault", ["type": "drop_ws", "which": "streams"])
        #expect(await eventually { recorder.opens.withLock { $0 } >= 2 })
        let closes = recorder.closes.withLock { $0 }
        #expect(closes.first.map { $0.1 ?? .zero > .zero } == true, "a drop waits its backoff: \(closes)")
        #expect(await eventually { recorder.messages.withLock { $0.filter { $0.contains(#""id":7"#) }.count } >= 2 },
                "subscribed again on the new connection")
        running.cancel()
        await running.value
    }

    @Test func aConnectionIsReplacedBeforeItsLifetimeEnds() async throws {
        let server = try LocalBinance()
        defer { server.stop() }
        let recorder = Recorder()
        let link = WebSocketLink(settings: WebSocketSettings(url: server.streamURL + "/ws/ethusdt@bookTicker",
                                                            lifetime: .milliseconds(500)))
        let running = Task { await link.run(recorder) }
        #expect(await eventually { recorder.opens.withLock { $0 } >= 3 })
        let closes = recorder.closes.withLock { $0 }
        #expect(closes.prefix(2).allSatisfy { $0.0 == "connection lifetime reached" && $0.1 == .zero }, "\(closes)")
        running.cancel()
        await running.value
    }
}
