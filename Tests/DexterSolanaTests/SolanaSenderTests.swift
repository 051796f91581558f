import DexterCrypto
import Foundation
import Synchronization
import TestServers
import Testing

@testable import DexterSolana

/// dexter's own transactions on the local Solana node (slots moved by the test between status checks): a missing
/// associated token account is created at the address we derive and the payer pays exactly rent + fee, once; a
/// compute limit too low is refused in simulation and, sent unchecked, lands failed with its fee paid; a program
/// error is refused before anything is sent; the node going away while a transaction is followed ends in a
/// transport error naming the signature, never in "expired".
@Suite(.serialized) struct SolanaSenderTests {
    struct Scene {
        let node: LocalSolanaRuntime
        let client: SolanaRPCClient
        let payer: SolanaKeypair
        let sender: SolanaSender

        static func start(requestTimeout: Duration = .seconds(10)) async throws -> Scene {
            let node = try LocalSolanaRuntime()
            let client = try SolanaRPCClient(urls: [node.rpcURL], requestTimeout: requestTimeout)
            let payer = try SolanaKeypair(seed: [UInt8](repeating: 31, count: 32))
            try await node.airdrop(payer.publicKey.description, lamports: 5_000_000_000)
            // 150 blocks of recent prices: 112 at 1,000 µlamports/CU and 38 at 9,000, so the 75th percentile
            // (nearest rank 113) is 9,000.
            try await node.advance(160)
            try await node.control("/control/priority-fees",
                                   ["recent": Array(repeating: 1_000, count: 112) + Array(repeating: 9_000, count: 38)])
            let sender = SolanaSender(client: client, pause: { [node] in try await node.advance(1) })
            return Scene(node: node, client: client, payer: payer, sender: sender)
        }

        func lamports(_ key: SolanaPublicKey) async throws -> UInt64 { try await client.balance(key, .processed).lamports }

        /// How many times the node was asked `method`.
        func requests(_ method: String) async throws -> Int {
            let answer = try await node.read("/control/requests") as? [String: Any]
            return ((answer?["methods"] as? [String: Any])?[method] as? NSNumber)?.intValue ?? 0
        }
    }

    @Test(arguments: ["spl-token", "spl-token-2022"])
    func aMissingAssociatedAccountIsCreatedOnceAndThePayerPaysRentAndFee(program: String) async throws {
        let scene = try await Scene.start()
        defer { scene.node.stop() }
        let tokenProgram: SolanaPublicKey = program == "spl-token" ? .tokenProgram : .token2022Program
        let mint = try SolanaPublicKey(base58: try await scene.node.createMint(decimals: 6, program: program))
        let owner = try SolanaKeypair(seed: [UInt8](repeating: 32, count: 32)).publicKey
        let derived = SolanaPublicKey.associatedTokenAddress(owner: owner, mint: mint, tokenProgram: tokenProgram)
        #expect(try await scene.client.accountInfo(derived, .processed).account == nil)
        let before = try await scene.lamports(scene.payer.publicKey)

        let ensured = try await scene.sender.ensureAssociatedTokenAccount(owner: owner, mint: mint,
                                                                           tokenProgram: tokenProgram, payer: scene.payer)
        // The associated-token program derives the address itself and refuses any other: it landed, so ours is its.
        guard case .created(let address, let rent, let sent) = ensured else {
            Issue.record("expected a creation, got \(ensured)")
            return
        }
        #expect(address == derived && landedSlot(sent) != nil)
        #expect(sent.microLamportsPerUnit == 9_000)
        #expect(sent.fee == SolanaPrograms.fee(signatures: 1, computeUnitLimit: sent.computeUnitLimit,
                                               microLamportsPerUnit: 9_000))
        let account = try #require(try await scene.client.accountInfo(derived, .processed).account)
        #expect(account.owner == tokenProgram && rent == account.lamports)
        #expect(rent == (try await scene.client.minimumBalanceForRentExemption(dataLength: account.data.count)))
        #expect(try await scene.lamports(scene.payer.publicKey) == before - rent - sent.fee)
        #expect(ensured.lamportsPaid == rent + sent.fee)
        let listed = try await scene.client.tokenAccounts(owner: owner, programId: tokenProgram, .confirmed).accounts
        #expect(listed == [SolanaTokenAccount(address: derived, mint: mint, owner: owner, amount: 0, decimals: 6)])

        // Again: it exists, nothing is sent, nothing is paid.
        let sends = try await scene.requests("sendTransaction")
        let again = try await scene.sender.ensureAssociatedTokenAccount(owner: owner, mint: mint,
                                                                         tokenProgram: tokenProgram, payer: scene.payer)
        #expect(again == .exists(derived) && again.lamportsPaid == 0)
        #expect(try await scene.requests("sendTransaction") == sends)
        #expect(try await scene.lamports(scene.payer.publicKey) == before - rent - sent.fee)
    }

    /// What a send ended in. (A `catch SolanaSenderError.refused(let …)` over a typed-throws call crashes the 6.3
    /// compiler's ownership verifier; a Result does not.)
    private func outcome(_ send: () async throws(SolanaSenderError) -> SolanaSent) async
        -> Result<SolanaSent, SolanaSenderError> {
        do {
            return .success(try await send())
        } catch {
            return .failure(error)
        }
    }

    private func landedSlot(_ sent: SolanaSent) -> UInt64? {
        if case .landed(let slot) = sent.landing { return slot }
        return nil
    }

    /// A funded token account of the payer's and a transfer out of it.
    func transfer(_ scene: Scene, balance: UInt64, amount: UInt64) async throws -> (SolanaInstruction, SolanaPublicKey) {
        let mint = try await scene.node.createMint(decimals: 6)
        let source = try await scene.node.setTokenAccount(mint: mint, owner: scene.payer.publicKey.description, amount: balance)
        let receiver = try SolanaKeypair(seed: [UInt8](repeating: 33, count: 32)).publicKey
        let destination = try await scene.node.setTokenAccount(mint: mint, owner: receiver.description, amount: 0)
        let sourceKey = try SolanaPublicKey(base58: source)
        return (SolanaPrograms.tokenTransfer(source: sourceKey, destination: try SolanaPublicKey(base58: destination),
                                             owner: scene.payer.publicKey, amount: amount), sourceKey)
    }

    @Test func aComputeLimitTooLowIsRefusedAndSentUncheckedLandsFailedWithItsFeePaid() async throws {
        let scene = try await Scene.start()
        defer { scene.node.stop() }
        let (instruction, source) = try await transfer(scene, balance: 1_000, amount: 400)
        let before = try await scene.lamports(scene.payer.publicKey)
        switch await outcome({ () async throws(SolanaSenderError) in
            try await scene.sender.send([instruction], feePayer: scene.payer, computeUnitLimit: 300)
        }) {
        case .failure(.refused(let failure)):
            #expect(failure.reason == .outOfComputeUnits)
            #expect(failure.description.hasSuffix("ran out of compute units (limit 300 CU)"), "\(failure)")
        case let other: Issue.record("a 300 CU transfer was not refused: \(other)")
        }
        #expect(try await scene.requests("sendTransaction") == 0)
        #expect(try await scene.lamports(scene.payer.publicKey) == before)

        let sent = try await scene.sender.send([instruction], feePayer: scene.payer, computeUnitLimit: 300,
                                               skipSimulation: true)
        guard case .failed = sent.landing, let failure = sent.failure else {
            Issue.record("expected a failed landing, got \(sent)")
            return
        }
        #expect(failure.reason == .outOfComputeUnits && failure.computeUnitLimit == 300, "\(failure)")
        // 5,000 for the signature and ⌈9,000 × 300 / 10⁶⌉ = 3 of priority, charged though it failed.
        #expect(sent.fee == 5_003 && sent.computeUnitLimit == 300)
        #expect(try await scene.lamports(scene.payer.publicKey) == before - 5_003)
        #expect(try await scene.client.tokenAccountBalance(source, .processed).amount.amount == 1_000)
    }

    @Test func aProgramErrorIsRefusedBeforeAnythingIsSent() async throws {
        let scene = try await Scene.start()
        defer { scene.node.stop() }
        let (instruction, source) = try await transfer(scene, balance: 1_000, amount: 1_001)
        let before = try await scene.lamports(scene.payer.publicKey)
        switch await outcome({ () async throws(SolanaSenderError) in
            try await scene.sender.send([instruction], feePayer: scene.payer)
        }) {
        case .failure(.refused(let failure)):
            // The transfer follows the two compute-budget instructions the sender puts first.
            #expect(failure.description == "instruction 2 (SPL Token): insufficient funds (custom error 1)")
            #expect(failure.logs.contains { $0.contains("insufficient funds") })
        case let other: Issue.record("a transfer past the balance was not refused: \(other)")
        }
        #expect(try await scene.requests("sendTransaction") == 0)
        #expect(try await scene.lamports(scene.payer.publicKey) == before)
        #expect(try await scene.client.tokenAccountBalance(source, .processed).amount.amount == 1_000)

        // Within the balance it lands, priced from its simulation: the units plus 10 %.
        let (fits, _) = try await transfer(scene, balance: 1_000, amount: 1_000)
        let sent = try await scene.sender.send([fits], feePayer: scene.payer)
        #expect(landedSlot(sent) != nil && sent.failure == nil)
        let limit = sent.computeUnitLimit
        #expect(limit > 300 && limit < 20_000)
    }

    @Test(arguments: ["down", "hang"])
    func theNodeGoingAwayWhileFollowingEndsInATransportErrorNeverExpired(fault: String) async throws {
        let scene = try await Scene.start(requestTimeout: .seconds(2))
        defer { scene.node.stop() }
        let (instruction, _) = try await transfer(scene, balance: 1_000, amount: 400)
        let paused = Mutex(false)
        // The transaction lands at once; before it is confirmed (one block later) the node goes away.
        let sender = SolanaSender(client: scene.client, pause: { [node = scene.node] in
            let first = paused.withLock { already in
                defer { already = true }
                return !already
            }
            try await node.advance(1)
            guard first else { return }
            if fault == "down" {
                try await node.fault("down", ["seconds": 3])
            } else {
                try await node.fault("hang", ["seconds": 5, "count": 1000])
            }
        })
        switch await outcome({ () async throws(SolanaSenderError) in
            try await sender.send([instruction], feePayer: scene.payer)
        }) {
        case .failure(.rpc(let error, let signature?)):
            if case .transport = error {} else { Issue.record("not a transport error: \(error)") }
            if fault == "hang" { #expect(error.outcomeUnknown) }
            try await scene.node.fault("clear")
            // Back, the node knows it landed: "expired" would have been wrong.
            var status: SolanaSignatureStatus??
            for _ in 0..<60 where status == nil {
                status = try? await scene.client.signatureStatuses([signature], searchTransactionHistory: true).statuses.first
                if status == nil { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(status??.error == nil && status??.slot != nil, "\(String(describing: status))")
        case let other: Issue.record("expected a transport error naming the signature, got \(other)")
        }
    }
}
