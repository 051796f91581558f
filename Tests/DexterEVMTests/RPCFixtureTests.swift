import BigInt
import DexterCrypto
import DexterEVM
import Foundation
import Testing

/// Real answers of the local node (py-evm behind JSON-RPC), recorded into Tests/EVMFixtures/rpc — also the fuzz
/// target's seeds — read as the client, the pool reader and the follower read them.
struct RPCFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EVMFixtures/rpc")
    let node = "http://127.0.0.1:8545"

    func fixture(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.folder.appendingPathComponent(name))) }

    func single(_ name: String, _ method: String) throws -> RPCResult {
        RPCResult(value: try RPCAnswer.single(try fixture(name), asked: .init(id: 1, method: method), endpoint: node),
                  method: method, endpoint: node)
    }

    @Test func singleAnswers() throws {
        #expect(try single("single-blockNumber.json", "eth_blockNumber").uint64() == 39)
        let header = try BlockHeader(try single("single-getBlockByNumber.json", "eth_getBlockByNumber"))
        #expect(header.number == 39 && header.hash.count == 32 && header.parentHash != header.hash)
        let slot0 = try ABI.decode(try single("single-call-slot0.json", "eth_call").data(),
                                   as: [.uint(bits: 160), .int(bits: 24), .uint(bits: 16), .uint(bits: 16), .uint(bits: 16),
                                        .uint(bits: 8), .bool])
        #expect(slot0[0] == .uint(BigUInt("1446501726624926496477173928747177")) && slot0[1] == .int(196256))
        let logs = try single("single-getLogs-mint.json", "eth_getLogs").elements().map(ChainLog.init)
        #expect(logs.count == 1)
        #expect(try PoolEvent.decode(logs[0]) == .v3Mint(tickLower: 192250, tickUpper: 200250,
                                                          amount: BigUInt("301740835777426283")))
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(
            method: "eth_subscribe", code: -32601, message: "the method eth_subscribe does not exist/is not available",
            data: nil, otherData: nil))) { try single("single-unknown-method.json", "eth_subscribe") }
        #expect(throws: EVMRPCError.rpc(RPCErrorObject(method: "eth_call", code: -32700, message: "parse error", data: nil,
                                                       otherData: nil))) { try single("single-parse-error.json", "eth_call") }
        do {
            _ = try single("single-call-revert.json", "eth_call")
            Issue.record("a revert read as a result")
        } catch {
            guard case .rpc(let object)? = error as? EVMRPCError, let data = object.data else { Issue.record("\(error)"); return }
            #expect(try ABI.decode(Array(data.dropFirst(4)), as: [.string])
                == [.string("UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT")])
        }
    }

    @Test func batchAnswersInEitherOrder() throws {
        let asked = ["eth_chainId", "eth_blockNumber", "eth_call", "eth_call", "eth_getBlockByNumber"].enumerated()
            .map { RPCAnswer.Asked(id: $0.offset + 1, method: $0.element) }
        let inOrder = try RPCAnswer.batch(try fixture("batch-mixed.json"), asked: asked, endpoint: node)
        let reordered = try RPCAnswer.batch(try fixture("batch-mixed-reordered.json"), asked: asked, endpoint: node)
        #expect(inOrder == reordered)
        #expect(try inOrder[0].get() == .string("0x7a69") && inOrder[1].get() == .string("0x27"))
        #expect(throws: EVMRPCError.self) { try inOrder[3].get() }

        let blocks = (20..<40).map { RPCAnswer.Asked(id: $0 - 19, method: "eth_getLogs") }
        let logs = try RPCAnswer.batch(try fixture("batch-logs.json"), asked: blocks, endpoint: node).flatMap {
            try RPCResult(value: $0.get(), method: "eth_getLogs", endpoint: node).elements().map(ChainLog.init)
        }
        let events = try logs.compactMap(PoolEvent.decode)
        // The deploy's first V2 liquidity (a Sync) and its three 0.05 % positions (Mints).
        #expect(events.filter { if case .v2Sync = $0 { true } else { false } }.count == 1)
        #expect(events.filter { if case .v3Mint = $0 { true } else { false } }.count == 3)
    }
}
