import DexterCrypto

/// How the sender prices a transaction: the compute-unit limit is the simulated units plus `marginPercent`; the
/// price the `percentile` of recent prices for the accounts it writes, at most `capMicroLamports` per unit.
public struct SolanaSendPolicy: Sendable, Hashable {
    public var marginPercent: UInt64
    public var percentile: Int
    public var capMicroLamports: UInt64
    /// How settled the transaction must be to count as landed.
    public var commitment: SolanaCommitment

    public init(marginPercent: UInt64 = 10, percentile: Int = 75, capMicroLamports: UInt64 = 1_000_000,
                commitment: SolanaCommitment = .confirmed) {
        self.marginPercent = marginPercent
        self.percentile = percentile
        self.capMicroLamports = capMicroLamports
        self.commitment = commitment
    }
}

/// A transaction the sender signed and followed to its end.
public struct SolanaSent: Sendable, Hashable {
    public let landing: SolanaLanding
    public let signature: String
    /// Lamports the fee payer paid: the fee when it landed (failed too), 0 when it expired unlanded.
    public let fee: UInt64
    public let computeUnitLimit: UInt32
    public let microLamportsPerUnit: UInt64
    /// Why it failed in its block, in words, when it did.
    public let failure: SolanaFailure?
}

public enum SolanaSenderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The simulation (ours, or the node's preflight) says it would fail: nothing landed, no fee paid.
    case refused(SolanaFailure)
    /// The node could not be asked, or answered wrongly. With a signature the transaction was handed to the node
    /// and may land: follow that signature (`error.outcomeUnknown` says whether the node may have acted).
    case rpc(SolanaRPCError, signature: String?)
    /// The transaction could not be built or signed (too many accounts, a signer missing).
    case unsigned(String)
    /// The pause between status checks threw (cancelled): the transaction may still land.
    case interrupted(signature: String, reason: String)
    /// It ended without landing as wanted: failed in its block (fee paid) or expired.
    case notLanded(SolanaSent)

    public var description: String {
        switch self {
        case .refused(let failure): "refused in simulation: \(failure)"
        case .rpc(let error, let signature?): "\(error) (transaction \(signature) sent; its end is unknown)"
        case .rpc(let error, nil): "\(error) (nothing sent)"
        case .unsigned(let reason): "could not sign the transaction: \(reason)"
        case .interrupted(let signature, let reason): "stopped following \(signature): \(reason)"
        case .notLanded(let sent): "\(sent.signature) did not land: \(sent.failure?.description ?? "\(sent.landing)")"
        }
    }
}

/// Sends transactions dexter builds itself: prices them from a simulation and the recent fees, signs once, and
/// follows the one signature to its end (`sendAndConfirm`).
public struct SolanaSender: Sendable {
    public let client: SolanaRPCClient
    public let policy: SolanaSendPolicy
    /// Between status checks (a block's time on a cluster; the test advances its node).
    let pause: @Sendable () async throws -> Void

    public init(client: SolanaRPCClient, policy: SolanaSendPolicy = SolanaSendPolicy(),
                pause: @escaping @Sendable () async throws -> Void = { try await Task.sleep(for: .milliseconds(400)) }) {
        self.client = client
        self.policy = policy
        self.pause = pause
    }

    /// Sends `instructions` (without compute-budget ones: the sender adds them) paid by `feePayer`, signed by it and
    /// `signers`. The limit is the units a simulation at the runtime's maximum consumed plus the margin, unless
    /// `computeUnitLimit` sets it (then the simulation runs at that limit). `skipSimulation` sends it unchecked,
    /// for the ledger to decide (it needs `computeUnitLimit`).
    public func send(_ instructions: [SolanaInstruction], feePayer: SolanaKeypair, signers: [SolanaKeypair] = [],
                     computeUnitLimit: UInt32? = nil, skipSimulation: Bool = false)
        async throws(SolanaSenderError) -> SolanaSent {
        let keypairs = [feePayer] + signers
        let blockhash = try await read { () async throws(SolanaRPCError) in try await client.latestBlockhash(.confirmed) }
        func message(limit: UInt32, price: UInt64) -> SolanaMessageV0 {
            SolanaMessageV0(feePayer: feePayer.publicKey, recentBlockhash: blockhash.hash,
                            instructions: [SolanaPrograms.computeUnitLimit(limit),
                                           SolanaPrograms.computeUnitPrice(microLamports: price)] + instructions)
        }
        var limit = computeUnitLimit ?? 1_400_000
        // Simulated at price 0: the fee of the maximum limit at the real price could exceed the payer's balance.
        let draft = message(limit: limit, price: 0)
        let writable = draft.accountKeys.filter(\.isWritable).map(\.key)
        let price = try await read { () async throws(SolanaRPCError) in
            try await client.priorityPrice(writing: writable, percentile: policy.percentile, cap: policy.capMicroLamports)
        }
        if !skipSimulation {
            let units = try await simulatedUnits(draft, limit: limit, keypairs: keypairs)
            limit = computeUnitLimit ?? SolanaFees.computeUnitLimit(simulated: units, marginPercent: policy.marginPercent)
        }
        let final = message(limit: limit, price: price)
        let signed = try sign(final, keypairs)
        let programs = final.instructions.map(\.program)
        let landing: SolanaLanding
        do {
            if skipSimulation {
                // The node's preflight would refuse what the ledger should decide; sendAndConfirm then follows it.
                _ = try await client.send(signed.wire, preflight: nil, skipPreflight: true)
            }
            landing = try await client.sendAndConfirm(signed, lastValidBlockHeight: blockhash.lastValidBlockHeight,
                                                      commitment: policy.commitment, pause: pause)
        } catch let error as SolanaSendError {
            guard case .simulationFailed(let runtime, let logs) = error else { throw .unsigned(error.description) }
            throw .refused(SolanaFailure(runtime ?? .other("refused without an error"), programs: programs,
                                         computeUnitLimit: limit, logs: logs))
        } catch let error as SolanaRPCError {
            throw .rpc(error, signature: signed.signature)
        } catch {
            throw .interrupted(signature: signed.signature, reason: "\(error)")
        }
        var fee: UInt64 = 0  // expired: never in a block, nothing charged
        var failure: SolanaFailure?
        if case .failed(_, let error, let logs) = landing {
            failure = SolanaFailure(error, programs: programs, computeUnitLimit: limit, logs: logs)
        }
        if case .expired = landing {} else {
            fee = SolanaPrograms.fee(signatures: final.accountKeys.filter(\.isSigner).count, computeUnitLimit: limit,
                                     microLamportsPerUnit: price)
        }
        return SolanaSent(landing: landing, signature: signed.signature, fee: fee, computeUnitLimit: limit,
                          microLamportsPerUnit: price, failure: failure)
    }

    /// The units the message consumes, from a simulation without signature checks; a failure refuses it.
    private func simulatedUnits(_ message: SolanaMessageV0, limit: UInt32, keypairs: [SolanaKeypair])
        async throws(SolanaSenderError) -> UInt64 {
        let signed = try sign(message, keypairs)
        let simulation = try await read { () async throws(SolanaRPCError) in
            try await client.simulate(signed.wire, .confirmed, sigVerify: false)
        }
        if let error = simulation.error {
            throw .refused(SolanaFailure(error, programs: message.instructions.map(\.program), computeUnitLimit: limit,
                                         logs: simulation.logs))
        }
        guard let units = simulation.unitsConsumed else {
            throw .rpc(.malformed(endpoint: client.healthyEndpoint.redacted, method: "simulateTransaction",
                                  field: "result.value.unitsConsumed", reason: "missing"), signature: nil)
        }
        return units
    }

    private func sign(_ message: SolanaMessageV0, _ keypairs: [SolanaKeypair]) throws(SolanaSenderError)
        -> SolanaSignedTransaction {
        do {
            return try message.signed(by: keypairs)
        } catch {
            throw .unsigned("\(error)")
        }
    }

    /// A read before anything is sent: its failure is the RPC's, with no transaction out.
    func read<T>(_ call: () async throws(SolanaRPCError) -> T) async throws(SolanaSenderError) -> T {
        do {
            return try await call()
        } catch {
            throw .rpc(error, signature: nil)
        }
    }
}
