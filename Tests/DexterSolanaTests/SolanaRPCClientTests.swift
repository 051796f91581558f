import DexterCrypto
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// The JSON-RPC client against the local Solana node (LiteSVM behind the documented HTTP methods, started here):
/// reads at explicit commitments equal what the test set on the node to the base unit; a transfer signed by dexter
/// simulates, lands and settles processed → confirmed → finalized; a refused preflight comes back with its logs; a
/// dead URL or a dropped request fails over to the next URL.
@Suite(.serialized) struct SolanaRPCClientTests {
    static func keypair(_ byte: UInt8) throws -> SolanaKeypair { try SolanaKeypair(seed: [UInt8](repeating: byte, count: 32)) }

    @Test func readsEqualWhatTheNodeHoldsAtTheCommitmentAsked() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let client = try SolanaRPCClient(urls: [node.rpcURL])
        let owner = try Self.keypair(7).publicKey
        let mint = try await node.createMint(decimals: 6)
        let tokenAccount = try await node.setTokenAccount(mint: mint, owner: owner.description, amount: 18_446_744_073_709_551_615)
        try await node.airdrop(owner.description, lamports: 2_500_000_123)
        try await node.advance(40)
        let state = try await node.state()

        let balance = try await client.tokenAccountBalance(try SolanaPublicKey(base58: tokenAccount), .processed)
        #expect(balance.amount == SolanaTokenAmount(amount: UInt64.max, decimals: 6))
        #expect(try await client.balance(owner, .confirmed).lamports == 2_500_000_123)

        let (_, account) = try await client.accountInfo(try SolanaPublicKey(base58: tokenAccount), .confirmed)
        let token = try SPLTokenAccount(decoding: try #require(account).data)
        let mintKey = try SolanaPublicKey(base58: mint)
        #expect(token.amount == UInt64.max && token.owner == owner && token.mint == mintKey)
        let missing = try Self.keypair(9).publicKey
        let (_, accounts) = try await client.multipleAccounts([missing, mintKey], .finalized)
        #expect(accounts.count == 2 && accounts[0] == nil && accounts[1]?.data.count == 82)

        let blockhash = try await client.latestBlockhash(.processed)
        #expect(Base58.encode(blockhash.hash) == state["blockhash"] as? String)
        #expect(blockhash.lastValidBlockHeight == (state["lastValidBlockHeight"] as? NSNumber)?.uint64Value)
        let tip = try await client.blockHeight(.processed)
        #expect(tip == (state["blockHeight"] as? NSNumber)?.uint64Value)
        // The node keeps finalized 32 blocks behind the tip, confirmed one.
        #expect(try await client.blockHeight(.finalized) == tip - 32)
        #expect(try await client.blockHeight(.confirmed) == tip - 1)
    }

    @Test func aTransferSimulatesLandsAndSettles() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let client = try SolanaRPCClient(urls: [node.rpcURL])
        let payer = try Self.keypair(1), receiver = try Self.keypair(2).publicKey
        try await node.airdrop(payer.publicKey.description, lamports: 1_000_000_000)
        try await node.advance(1)
        let blockhash = try await client.latestBlockhash(.confirmed)
        let transfer = SolanaTransaction(feePayer: payer.publicKey, recentBlockhash: blockhash.hash,
                                         instructions: [.transfer(from: payer.publicKey, to: receiver, lamports: 10_000_000)])
        let wire = try transfer.signed(by: [payer])

        let simulation = try await client.simulate(wire, .confirmed)
        #expect(simulation.error == nil && simulation.logs.contains { $0.contains("11111111111111111111111111111111 success") })
        let signature = try await client.send(wire, preflight: .confirmed)
        #expect(try await client.signatureStatuses([signature]).statuses.first??.commitment == .processed)
        try await node.advance(1)
        #expect(try await client.signatureStatuses([signature]).statuses.first??.commitment == .confirmed)
        try await node.advance(40)
        let settled = try #require(try await client.signatureStatuses([signature]).statuses.first ?? nil)
        #expect(settled.commitment == .finalized && settled.error == nil && settled.confirmations == nil)
        #expect(try await client.balance(receiver, .finalized).lamports == 10_000_000)
        // 5,000 lamports for the one signature, no priority fee.
        #expect(try await client.balance(payer.publicKey, .finalized).lamports == 1_000_000_000 - 10_000_000 - 5_000)
        // Sent again, the same bytes are the same transaction: its signature, nothing moves twice.
        #expect(try await client.send(wire, preflight: nil, skipPreflight: true) == signature)
        #expect(try await client.balance(receiver, .processed).lamports == 10_000_000)
        // A signature never sent is unknown.
        let unknown = Base58.encode([UInt8](repeating: 3, count: 64))
        #expect(try await client.signatureStatuses([unknown]).statuses == [nil])
    }

    @Test func aRefusedPreflightComesBackWithTheSimulationAndItsLogs() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let client = try SolanaRPCClient(urls: [node.rpcURL])
        let payer = try Self.keypair(4), receiver = try Self.keypair(5).publicKey
        try await node.airdrop(payer.publicKey.description, lamports: 1_000_000)
        let blockhash = try await client.latestBlockhash(.processed)
        // More lamports than the payer holds: the system program refuses.
        let wire = try SolanaTransaction(feePayer: payer.publicKey, recentBlockhash: blockhash.hash,
                                         instructions: [.transfer(from: payer.publicKey, to: receiver, lamports: 5_000_000)])
            .signed(by: [payer])
        let simulation = try await client.simulate(wire, .processed)
        #expect(simulation.error == .instruction(index: 0, .custom(1)))
        do {
            _ = try await client.send(wire, preflight: .processed)
            Issue.record("a transfer the payer cannot cover was accepted")
        } catch {
            guard case .rpc(_, let method, let code, _, let refused) = error else {
                Issue.record("expected the node's refusal, got \(error)")
                return
            }
            #expect(method == "sendTransaction" && code == -32002)
            #expect(refused?.error == .instruction(index: 0, .custom(1)))
            #expect(refused?.logs.contains { $0.contains("insufficient lamports") } == true)
        }
    }

    @Test func aDeadURLOrADroppedRequestFailsOverToTheNext() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        // A port nothing listens on (the node's own port, closed by binding and releasing it is racy: use port 9,
        // the discard service, which is not served on loopback here).
        let client = try SolanaRPCClient(urls: ["http://127.0.0.1:9/secret-key", node.rpcURL])
        let height = try await client.blockHeight(.processed)
        #expect(client.healthyEndpoint.redacted == (try SolanaEndpoint(node.rpcURL)).redacted)
        #expect(height > 0)
        // Both URLs the same node: the first request is dropped, the second URL answers it.
        let localhost = node.rpcURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let pair = try SolanaRPCClient(urls: [node.rpcURL, localhost])
        try await node.fault("drop", ["count": 1, "method": "getBlockHeight"])
        #expect(try await pair.blockHeight(.processed) == height)
        #expect(pair.healthyEndpoint.redacted.contains("localhost"))
        // One URL only: an HTTP error is the URL's failure, named with its status, the key in the URL never shown.
        let single = try SolanaRPCClient(urls: [node.rpcURL + "?api-key=hunter2"])
        try await node.fault("http_error", ["count": 1, "method": "getBlockHeight"])
        do {
            _ = try await single.blockHeight(.processed)
            Issue.record("an HTTP error read as an answer")
        } catch {
            guard case .transport(_, _, let reason, _) = error else {
                Issue.record("expected a transport failure, got \(error)")
                return
            }
            #expect(reason.hasPrefix("HTTP status"))
            #expect(!error.description.contains("hunter2"))
        }
        let dead = try SolanaRPCClient(urls: ["http://127.0.0.1:9/secret-key"])
        await #expect { try await dead.blockHeight(.processed) } throws: { error in
            !"\(error)".contains("secret-key") && (error as? SolanaRPCError)?.outcomeUnknown == false
        }
    }
}
