import BigInt
import DexterCrypto
import DexterEVM
import Testing
import TestServers

/// The client against the local node (real answers, a real revert), against a port nothing listens on, a node of
/// another chain, and a scripted server that answers garbage, an HTTP error, or nothing.
@Suite struct EVMRPCClientTests {
    static let chainId: UInt64 = 31337

    @Test func singleAndBatchCallsAgainstTheNode() async throws {
        let node = try LocalEVMNode()
        defer { node.stop() }
        let deployments = try #require(node.deployments)
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [node.rpcURL])
        try await client.connect()
        #expect(try await client.call("eth_blockNumber").uint64() == UInt64(deployments.blockNumber))
        let usdc = try EthereumAddress(parsing: deployments.token("USDC").address)
        let weth = try EthereumAddress(parsing: deployments.token("WETH").address)
        let factory = try deployments.contract("UniswapV2Factory")
        let getPair = try ABI.call("getPair", [.address, .address], [.address(usdc), .address(weth)])
        let outcomes = try await client.batch([
            RPCCall("eth_chainId"),
            RPCCall("eth_call", [["to": .string(factory), "data": .string(Hex.encode(getPair))], "latest"]),
            RPCCall("eth_getBlockByNumber", ["latest", false]),
        ])
        #expect(try outcomes[0].get().uint64() == Self.chainId)
        let pair = try ABI.decode(try outcomes[1].get().data(), as: [.address])
        #expect(pair == [.address(try EthereumAddress(parsing: deployments.v2Pairs["WETH/USDC"]!.address))])
        #expect(try outcomes[2].get().member("number").uint64() == UInt64(deployments.blockNumber))
        #expect(try outcomes[2].get().member("hash").data(count: 32).count == 32)
    }

    @Test func aRevertIsAnRPCErrorWithItsReasonBytes() async throws {
        let node = try LocalEVMNode()
        defer { node.stop() }
        let deployments = try #require(node.deployments)
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [node.rpcURL])
        let path = try [deployments.token("USDC").address, deployments.token("WETH").address].map {
            ABIValue.address(try EthereumAddress(parsing: $0))
        }
        let zeroIn = try ABI.call("getAmountsOut", [.uint(bits: 256), .array(.address, count: nil)], [.uint(0), .array(path)])
        let router = try deployments.contract("UniswapV2Router")
        do {
            _ = try await client.call("eth_call", [["to": .string(router), "data": .string(Hex.encode(zeroIn))], "latest"])
            Issue.record("getAmountsOut(0, …) did not revert")
        } catch {
            guard case .rpc(let object) = error else { Issue.record("not an RPC error: \(error)"); return }
            #expect(object.code == 3)
            let data = try #require(object.data)
            #expect(Array(data.prefix(4)) == ABI.selector("Error(string)"))
            #expect(try ABI.decode(Array(data.dropFirst(4)), as: [.string])
                == [.string("UniswapV2Library: INSUFFICIENT_INPUT_AMOUNT")])
        }
    }

    @Test func aDeadURLIsPassedOverAndTheHealthyOneRemembered() async throws {
        let node = try LocalEVMNode(bare: true)
        defer { node.stop() }
        let port = deadPort()
        let dead = "http://127.0.0.1:\(port)/v3/SECRETKEY"
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [dead, node.rpcURL], requestTimeout: .seconds(5))
        try await client.connect()
        #expect(client.healthyEndpoint == client.endpoints[1])
        #expect(try await client.call("eth_chainId").uint64() == Self.chainId)

        let alone = try EVMRPCClient(chainId: Self.chainId, urls: [dead], requestTimeout: .seconds(5))
        do {
            _ = try await alone.call("eth_blockNumber")
            Issue.record("a dead URL answered")
        } catch {
            guard case .transport(let endpoint, let method, _, let unknown) = error else {
                Issue.record("not a transport error: \(error)"); return
            }
            #expect(endpoint == "http://127.0.0.1:\(port)")
            #expect(method == "eth_chainId")  // the chain check before the URL's first use
            #expect(!unknown)
            #expect(!error.description.contains("SECRETKEY"))
        }
    }

    @Test func aURLOnAnotherChainIsAnErrorNamingIt() async throws {
        let node = try LocalEVMNode(chainId: 5, bare: true)
        defer { node.stop() }
        let keyed = node.rpcURL + "/v2/SECRETKEY?apikey=OTHERSECRET"
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [keyed])
        await #expect(throws: EVMRPCError.wrongChain(endpoint: node.rpcURL, expected: 31337, actual: 5)) {
            try await client.connect()
        }
        // Also when the wrong URL is a fallback reached by failing over.
        let dead = "http://127.0.0.1:\(deadPort())"
        let failingOver = try EVMRPCClient(chainId: Self.chainId, urls: [dead, keyed])
        await #expect(throws: EVMRPCError.wrongChain(endpoint: node.rpcURL, expected: 31337, actual: 5)) {
            try await failingOver.call("eth_blockNumber")
        }
    }

    @Test func garbageIsMalformedAndAReadFailsOverFromIt() async throws {
        let garbage = try ScriptedHTTPServer(.answer(status: 200, body: "<html>hello</html>"))
        defer { garbage.stop() }
        let alone = try EVMRPCClient(chainId: Self.chainId, urls: [garbage.url + "/SECRETKEY"])
        try await alone.connect()
        await #expect(throws: EVMRPCError.malformed(endpoint: garbage.url, method: "eth_blockNumber", field: "answer",
                                                   problem: "not JSON at byte 0: unexpected byte 0x3c")) {
            try await alone.call("eth_blockNumber")
        }
        let node = try LocalEVMNode(bare: true)
        defer { node.stop() }
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [garbage.url, node.rpcURL])
        try await client.connect()
        #expect(try await client.call("eth_blockNumber").uint64() == 0)
        #expect(client.healthyEndpoint == client.endpoints[1])
        // A 502 page from a proxy is a transport failure, its outcome unknown.
        let proxy = try ScriptedHTTPServer(.answer(status: 502, body: "<html>Bad Gateway</html>"))
        defer { proxy.stop() }
        let behindProxy = try EVMRPCClient(chainId: Self.chainId, urls: [proxy.url])
        await #expect(throws: EVMRPCError.transport(endpoint: proxy.url, method: "eth_blockNumber",
                                                   reason: "HTTP status 502", outcomeUnknown: true)) {
            try await behindProxy.call("eth_blockNumber")
        }
    }

    @Test func aTimeoutFailsOverForAReadButNeverResendsATransaction() async throws {
        let silent = try ScriptedHTTPServer(.silent)
        defer { silent.stop() }
        let node = try LocalEVMNode(bare: true)
        defer { node.stop() }
        let client = try EVMRPCClient(chainId: Self.chainId, urls: [silent.url, node.rpcURL], requestTimeout: .seconds(1))
        try await client.connect()
        #expect(client.healthyEndpoint == client.endpoints[0])
        #expect(try await client.call("eth_blockNumber").uint64() == 0)
        #expect(silent.requestsReceived == 1)

        let again = try EVMRPCClient(chainId: Self.chainId, urls: [silent.url, node.rpcURL], requestTimeout: .seconds(1))
        try await again.connect()
        do {
            _ = try await again.call("eth_sendRawTransaction", ["0x02f8"])
            Issue.record("a transaction with no answer was reported sent")
        } catch {
            guard case .transport(let endpoint, "eth_sendRawTransaction", _, true) = error else {
                Issue.record("not an unknown-outcome transport error: \(error)"); return
            }
            #expect(endpoint == silent.url)
            #expect(error.outcomeUnknown)
        }
        #expect(silent.requestsReceived == 2)
        // The node never saw it: its only block is still genesis, and the error above came from the silent URL alone.
        #expect(try await again.call("eth_blockNumber").uint64() == 0)
    }
}
