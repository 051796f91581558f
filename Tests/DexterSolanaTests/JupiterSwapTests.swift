import DexterCrypto
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// A Jupiter swap end to end on the local node and the local Jupiter Swap API server: quote → swap transaction →
/// simulated and checked against the quote → signed by dexter → sent → confirmed → the fill from the landed
/// transaction's token balances, exact; and a transaction paying someone else is refused before it is signed.
@Suite(.serialized) struct JupiterSwapTests {
    struct Scene {
        let node: LocalSolanaRuntime
        let jupiter: LocalJupiter
        let rpc: SolanaRPCClient
        let client: JupiterClient
        let user: SolanaKeypair
        let usdc: SolanaPublicKey
        let bonk: SolanaPublicKey
        let userUSDC: SolanaPublicKey

        static func start() async throws -> Scene {
            let node = try LocalSolanaRuntime()
            let jupiter = try LocalJupiter(node: node)
            let user = try SolanaKeypair(seed: [UInt8](repeating: 21, count: 32))
            try await node.airdrop(user.publicKey.description, lamports: 2_000_000_000)
            let usdc = try await node.createMint(decimals: 6), bonk = try await node.createMint(decimals: 5)
            let account = try await node.setTokenAccount(mint: usdc, owner: user.publicKey.description, amount: 900_000_000)
            try await jupiter.control("/control/pool", ["mintA": usdc, "mintB": bonk, "reserveA": "250000000000",
                                                        "reserveB": "1700000000000000", "feeBps": 25])
            try await node.advance(1)
            return Scene(node: node, jupiter: jupiter, rpc: try SolanaRPCClient(urls: [node.rpcURL]),
                         client: JupiterClient(baseURL: jupiter.restURL), user: user,
                         usdc: try SolanaPublicKey(base58: usdc), bonk: try SolanaPublicKey(base58: bonk),
                         userUSDC: try SolanaPublicKey(base58: account))
        }

        func stop() {
            jupiter.stop()
            node.stop()
        }
    }

    @Test func aQuotedSwapLandsAndFillsExactlyAsQuoted() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let quote = try await scene.client.quote(input: scene.usdc, output: scene.bonk, amount: 123_456_789, slippageBps: 50)
        // The constant-product terms of the server's README, computed here: 25 bp off the input.
        let expectedOut = UInt64((UInt128(123_456_789) * 9_975 * 1_700_000_000_000_000)
                                 / (UInt128(250_000_000_000) * 10_000 + UInt128(123_456_789) * 9_975))
        #expect(quote.inAmount == 123_456_789 && quote.outAmount == expectedOut)
        #expect(quote.otherAmountThreshold == expectedOut * 9_950 / 10_000)
        let fill = try await scene.client.swap(quote, keypair: scene.user, rpc: scene.rpc, microLamportsPerUnit: 1_000,
                                               pause: { [node = scene.node] in try await node.advance(1) })
        guard case .landed = fill.landing else {
            Issue.record("the swap did not land: \(fill.landing)")
            return
        }
        #expect(fill.paid == 123_456_789 && fill.received == expectedOut)
        #expect(try await scene.rpc.tokenAccountBalance(scene.userUSDC, .confirmed).amount.amount == 900_000_000 - 123_456_789)
        #expect(fill.fee > 5_000)
    }

    @Test func aSwapPayingSomeoneElseIsRefusedBeforeSigning() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        let quote = try await scene.client.quote(input: scene.usdc, output: scene.bonk, amount: 5_000_000, slippageBps: 50)
        try await scene.jupiter.control("/control/fault", ["type": "mismatch", "count": 1])
        await #expect { () async throws -> Void in
            _ = try await scene.client.swap(quote, keypair: scene.user, rpc: scene.rpc, microLamportsPerUnit: 0,
                                            pause: { [node = scene.node] in try await node.advance(1) })
        } throws: { error in
            guard case JupiterError.refused(let reason) = error else { return false }
            return reason.contains("gains 0")
        }
        #expect(try await scene.rpc.tokenAccountBalance(scene.userUSDC, .processed).amount.amount == 900_000_000)
    }

    @Test func aQuoteForAnotherAmountIsRefused() async throws {
        let scene = try await Scene.start()
        defer { scene.stop() }
        try await scene.jupiter.control("/control/fault", ["type": "mismatch", "count": 1])
        await #expect(throws: JupiterError.self) {
            try await scene.client.quote(input: scene.usdc, output: scene.bonk, amount: 5_000_000, slippageBps: 50)
        }
    }
}
