import DexterCrypto
import DexterEVM
import Foundation
import Testing

/// The `newHeads` subscription's messages as the project's WebSocket front sends them in geth's documented shapes
/// (Tests/EVMFixtures/ws, recorded from Tests/Servers/evm_ws before the local node; also the fuzz target's seeds).
struct HeadMessageTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EVMFixtures/ws")
    let endpoint = "ws://127.0.0.1:8546"

    func decode(_ name: String) throws -> HeadMessage {
        try HeadMessage.decode(Array(try Data(contentsOf: Self.folder.appendingPathComponent(name))), endpoint: endpoint)
    }

    @Test func theSubscriptionAndItsHeads() throws {
        guard case .answer(1, .string(let subscription)) = try decode("subscribed.json") else {
            Issue.record("eth_subscribe's answer")
            return
        }
        #expect(subscription.count == 34)
        guard case .head(let notified, let header) = try decode("head.json") else {
            Issue.record("the notification")
            return
        }
        #expect(notified == subscription && header.number == 1 && header.hash.count == 32 && header.parentHash != header.hash)
        #expect(try decode("unsubscribed.json") == .answer(id: 2, result: .bool(true)))
    }

    @Test func errorsAreRefusals() throws {
        #expect(try decode("error-unknown-subscription.json") == .refused(id: 3, code: -32000, message: "subscription not found"))
        guard case .refused(4, -32602, let message) = try decode("error-subscribe-name.json") else {
            Issue.record("an unknown subscription name")
            return
        }
        #expect(message.contains("pendingThings"))
        #expect(try decode("error-parse.json") == .refused(id: nil, code: -32700, message: "parse error"))
    }

    @Test(arguments: ["malformed-header.json", "malformed-subscription.json", "malformed-json.json"])
    func malformedNotificationsAreErrorsNamingTheField(name: String) throws {
        #expect(throws: EVMRPCError.self) { try decode(name) }
        do { _ = try decode(name) } catch {
            #expect("\(error)".contains(endpoint) && "\(error)".contains("eth_subscription"), "\(error)")
        }
    }

    @Test func otherShapesAreRefused() {
        for text in ["[]", #"{"jsonrpc":"2.0","method":"eth_subscription","params":[]}"#,
                     #"{"jsonrpc":"1.0","id":1,"result":"0x1"}"#, #"{"jsonrpc":"2.0","id":"one","result":"0x1"}"#,
                     #"{"jsonrpc":"2.0","method":"eth_other","params":{"subscription":"0x1","result":{}}}"#,
                     #"{"jsonrpc":"2.0","id":1}"#, #"{"jsonrpc":"2.0","id":null,"result":true}"#] {
            #expect(throws: EVMRPCError.self, "\(text)") { try HeadMessage.decode(Array(text.utf8), endpoint: endpoint) }
        }
    }

    @Test func theSubscribeRequestIsGethsShape() throws {
        let request = try JSONValue.parse(Array(HeadMessage.subscribeRequest(id: 7).utf8))
        #expect(request == .object(["jsonrpc": "2.0", "id": 7, "method": "eth_subscribe", "params": ["newHeads"]]))
    }
}
