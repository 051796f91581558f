import DexterCrypto
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// v0 transactions built, signed by dexter, sent and followed to their end on the local Solana node (slots moved by
/// the test between polls, so nothing here depends on time): an SPL transfer with a compute-unit limit and price
/// lands and every balance moves exactly; a transaction whose blockhash runs out ends expired, never landed; one
/// the token program refuses is refused in simulation with its logs; one that fails in its block ends failed.
@Suite(.serialized) struct SolanaSendTests {
    struct Scene {
        let node: LocalSolanaRuntime
        let client: SolanaRPCClient
        let owner: SolanaKeypair
        let source: SolanaPublicKey
        let destination: SolanaPublicKey

        static func start(balance: UInt64) async throws -> Scene {
            let node = try LocalSolanaRuntime()
            let client = try SolanaRPCClient(urls: [node.rpcURL])
            let owner = try SolanaKeypair(seed: [UInt8](repeating: 11, count: 32))
            let receiver = try SolanaKeypair(seed: [UInt8](repeating: 12, count: 32)).publicKey
            try await node.airdrop(owner.publicKey.description, lamports: 1_000_000_000)
            let mint = try await node.createMint(decimals: 6)
            let source = try await node.setTokenAccount(mint: mint, owner: owner.publicKey.description, amount: balance)
            let destination = try await node.setTokenAccount(mint: mint, owner: receiver.description, amount: 0)
            try await node.advance(1)
            return Scene(node: node, client: client, owner: owner, source: try SolanaPublicKey(base58: source),
                         destination: try SolanaPublicKey(base58: destination))
        }

        func transfer(_ amount: UInt64, limit: UInt32 = 20_000, price: UInt64 = 12_345,
                      blockhash: SolanaBlockhash) throws -> SolanaSignedTransaction {
            try SolanaMessageV0(feePayer: owner.publicKey, recentBlockhash: blockhash.hash, instructions: [
                SolanaPrograms.computeUnitLimit(limit), SolanaPrograms.computeUnitPrice(microLamports: price),
                SolanaPrograms.tokenTransfer(source: source, destination: destination, owner: owner.publicKey, amount: amount),
            ]).signed(by: [owner])
        }

        /// Between polls: one more block.
        var nextBlock: @Sendable () async throws -> Void { { [node] in try await node.advance(1) } }
    }

    @Test func anSPLTransferLandsAndEveryBalanceMovesExactly() async throws {
        let scene = try await Scene.start(balance: 5_000_000_000_000_000_001)
        defer { scene.node.stop() }
        let blockhash = try await scene.client.latestBlockhash(.confirmed)
        let transaction = try scene.transfer(3_000_000_000_000_000_000, blockhash: blockhash)
        let ending = try await scene.client.sendAndConfirm(transaction, lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                                           commitment: .confirmed, pause: scene.nextBlock)
        guard case .landed = ending else {
            Issue.record("the transfer did not land: \(ending)")
            return
        }
        #expect(try await scene.client.tokenAccountBalance(scene.source, .confirmed).amount.amount == 2_000_000_000_000_000_001)
        #expect(try await scene.client.tokenAccountBalance(scene.destination, .confirmed).amount.amount == 3_000_000_000_000_000_000)
        // One signature and ⌈12,345 µlamports × 20,000 CU / 10⁶⌉ = 247 lamports of priority.
        let fee = SolanaPrograms.fee(signatures: 1, computeUnitLimit: 20_000, microLamportsPerUnit: 12_345)
        #expect(fee == 5_247)
        #expect(try await scene.client.balance(scene.owner.publicKey, .confirmed).lamports == 1_000_000_000 - fee)
    }

    @Test func aBlockhashThatRunsOutEndsExpiredNeverLanded() async throws {
        let scene = try await Scene.start(balance: 1_000)
        defer { scene.node.stop() }
        let blockhash = try await scene.client.latestBlockhash(.processed)
        let transaction = try scene.transfer(400, blockhash: blockhash)
        // Signed, then held back past its blockhash's last valid height: a validator would no longer take it.
        try await scene.node.advance(200)
        do {
            let ending = try await scene.client.sendAndConfirm(transaction, lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                                               pause: scene.nextBlock)
            Issue.record("a transaction past its blockhash was taken: \(ending)")
        } catch SolanaSendError.simulationFailed(let error, _) {
            // Preflight refuses it at once: the blockhash is gone.
            #expect(error == .named("BlockhashNotFound"))
        }
        #expect(try await scene.client.tokenAccountBalance(scene.source, .processed).amount.amount == 1_000)
    }

    @Test func aTransactionStillUnknownWhenItsBlockhashRunsOutEndsExpired() async throws {
        let scene = try await Scene.start(balance: 1_000)
        defer { scene.node.stop() }
        let blockhash = try await scene.client.latestBlockhash(.processed)
        let transaction = try scene.transfer(400, blockhash: blockhash)
        // Every sendTransaction dropped by the node (no answer): the transaction never reaches it.
        try await scene.node.fault("drop", ["count": 1000, "method": "sendTransaction"])
        let ending = try await scene.client.sendAndConfirm(
            transaction, lastValidBlockHeight: blockhash.lastValidBlockHeight,
            pause: { [node = scene.node] in try await node.advance(10) })
        #expect(ending == .expired(lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                   blockHeight: try await scene.client.blockHeight(.processed)))
        #expect(try await scene.client.signatureStatuses([transaction.signature], searchTransactionHistory: true).statuses == [nil])
        #expect(try await scene.client.tokenAccountBalance(scene.source, .processed).amount.amount == 1_000)
    }

    @Test func aTransferPastTheBalanceIsRefusedInSimulationWithItsLogs() async throws {
        let scene = try await Scene.start(balance: 1_000)
        defer { scene.node.stop() }
        let blockhash = try await scene.client.latestBlockhash(.processed)
        let transaction = try scene.transfer(1_001, blockhash: blockhash)
        do {
            _ = try await scene.client.sendAndConfirm(transaction, lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                                      pause: scene.nextBlock)
            Issue.record("a transfer past the balance was sent")
        } catch SolanaSendError.simulationFailed(let error, let logs) {
            // SPL Token error 1: InsufficientFunds, in the transfer (instruction 2, after the two compute-budget ones).
            #expect(error == .instruction(index: 2, .custom(1)))
            #expect(logs.contains { $0.contains("insufficient funds") })
        }
        #expect(try await scene.client.signatureStatuses([transaction.signature], searchTransactionHistory: true).statuses == [nil])
    }

    @Test func aTransferThatFailsInItsBlockEndsFailedWithTheProgramsError() async throws {
        let scene = try await Scene.start(balance: 1_000)
        defer { scene.node.stop() }
        let blockhash = try await scene.client.latestBlockhash(.processed)
        let transaction = try scene.transfer(1_001, blockhash: blockhash)
        // Sent without preflight, it lands in its block with the token program's error and pays its fee.
        _ = try await scene.client.send(transaction.wire, preflight: nil, skipPreflight: true)
        let ending = try await scene.client.sendAndConfirm(transaction, lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                                           pause: scene.nextBlock)
        guard case .failed(_, let error, let logs) = ending else {
            Issue.record("expected failed, got \(ending)")
            return
        }
        #expect(error == .instruction(index: 2, .custom(1)))
        #expect(logs.contains { $0.contains("insufficient funds") })
        let fee = SolanaPrograms.fee(signatures: 1, computeUnitLimit: 20_000, microLamportsPerUnit: 12_345)
        #expect(try await scene.client.balance(scene.owner.publicKey, .processed).lamports == 1_000_000_000 - fee)
        #expect(try await scene.client.tokenAccountBalance(scene.source, .processed).amount.amount == 1_000)
    }
}

/// The compute-unit limit from a simulation and the priority price from the node's recent fees.
@Suite(.serialized) struct SolanaFeeTests {
    @Test func theLimitIsTheSimulatedUnitsWithTheMarginAndThePriceAPercentileCapped() async throws {
        #expect(SolanaFees.computeUnitLimit(simulated: 4_645, marginPercent: 20) == 5_574)
        #expect(SolanaFees.computeUnitLimit(simulated: 1_300_000, marginPercent: 20) == 1_400_000)
        #expect(SolanaFees.priorityPrice([], percentile: 75, cap: 10) == 0)

        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let client = try SolanaRPCClient(urls: [node.rpcURL])
        try await node.advance(10)
        try await node.control("/control/priority-fees", ["recent": [0, 100, 5_000, 200, 300, 400, 90_000, 1, 2, 3]])
        let recent = try await client.recentPrioritizationFees().map(\.microLamportsPerUnit)
        #expect(recent.suffix(10) == [0, 100, 5_000, 200, 300, 400, 90_000, 1, 2, 3])
        // Nearest rank over every recent slot the node reports (the ten set here and any earlier at 0).
        let sorted = recent.sorted()
        #expect(try await client.priorityPrice(writing: [], percentile: 90, cap: 1_000_000)
                == sorted[(90 * sorted.count + 99) / 100 - 1])
        #expect(try await client.priorityPrice(writing: [], percentile: 100, cap: 50_000) == 50_000)
    }
}
