import DexterCrypto

extension SolanaPrograms {
    /// Associated Token CreateIdempotent (instruction 1): creates `owner`'s associated account of `mint` under
    /// `tokenProgram`, `payer` paying its rent; succeeds without a change when the account already exists. The
    /// program derives the address itself and refuses any other.
    public static func createAssociatedTokenAccountIdempotent(payer: SolanaPublicKey, owner: SolanaPublicKey,
                                                              mint: SolanaPublicKey,
                                                              tokenProgram: SolanaPublicKey) -> SolanaInstruction {
        let address = SolanaPublicKey.associatedTokenAddress(owner: owner, mint: mint, tokenProgram: tokenProgram)
        return SolanaInstruction(program: .associatedTokenProgram,
                                 accounts: [.init(key: payer, isSigner: true, isWritable: true),
                                            .init(key: address, isSigner: false, isWritable: true),
                                            .init(key: owner, isSigner: false, isWritable: false),
                                            .init(key: mint, isSigner: false, isWritable: false),
                                            .init(key: .systemProgram, isSigner: false, isWritable: false),
                                            .init(key: tokenProgram, isSigner: false, isWritable: false)],
                                 data: [1])
    }
}

/// What `ensureAssociatedTokenAccount` found or did.
public enum SolanaAssociatedAccount: Sendable, Hashable {
    /// The account was already there: nothing sent.
    case exists(SolanaPublicKey)
    /// Created by our transaction: the rent the payer put into it and the transaction's fee.
    case created(SolanaPublicKey, rentLamports: UInt64, sent: SolanaSent)

    public var address: SolanaPublicKey {
        switch self {
        case .exists(let address), .created(let address, _, _): address
        }
    }

    /// Lamports the payer spent: rent and fee (nothing when it existed).
    public var lamportsPaid: UInt64 {
        switch self {
        case .exists: 0
        case .created(_, let rent, let sent): rent + sent.fee
        }
    }
}

extension SolanaSender {
    /// `owner`'s associated token account of `mint` under `tokenProgram`: looked up, and created by a transaction
    /// `payer` signs and pays for when missing. An address holding only lamports (sent there before it was
    /// created) counts as missing; the rent reported is what the creation added.
    public func ensureAssociatedTokenAccount(owner: SolanaPublicKey, mint: SolanaPublicKey,
                                             tokenProgram: SolanaPublicKey = .tokenProgram,
                                             payer: SolanaKeypair) async throws(SolanaSenderError) -> SolanaAssociatedAccount {
        let address = SolanaPublicKey.associatedTokenAddress(owner: owner, mint: mint, tokenProgram: tokenProgram)
        let before = try await read { () async throws(SolanaRPCError) in
            try await client.accountInfo(address, .confirmed).account
        }
        if let before, before.owner == tokenProgram { return .exists(address) }
        let sent = try await send([SolanaPrograms.createAssociatedTokenAccountIdempotent(
            payer: payer.publicKey, owner: owner, mint: mint, tokenProgram: tokenProgram)], feePayer: payer)
        guard case .landed = sent.landing else { throw .notLanded(sent) }
        let after: SolanaAccount?
        do {
            after = try await client.accountInfo(address, policy.commitment).account
        } catch {
            throw .rpc(error, signature: sent.signature)
        }
        guard let after, after.owner == tokenProgram else {
            throw .rpc(.malformed(endpoint: client.healthyEndpoint.redacted, method: "getAccountInfo", field: "result.value",
                                  reason: "no token account at \(address) after \(sent.signature) landed"),
                       signature: sent.signature)
        }
        let prior = before?.lamports ?? 0
        return .created(address, rentLamports: after.lamports > prior ? after.lamports - prior : 0, sent: sent)
    }
}
