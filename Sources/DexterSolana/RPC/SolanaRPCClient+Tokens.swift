import DexterCrypto

extension SolanaRPCClient {
    /// Every token account `owner` holds under `programId` (SPL Token or Token-2022).
    public func tokenAccounts(owner: SolanaPublicKey, programId: SolanaPublicKey, _ commitment: SolanaCommitment)
        async throws(SolanaRPCError) -> (slot: UInt64, accounts: [SolanaTokenAccount]) {
        try await tokenAccounts(owner: owner, filter: ["programId": .string(programId.description)], commitment)
    }

    /// Every token account `owner` holds of `mint` (under whichever token program owns the mint).
    public func tokenAccounts(owner: SolanaPublicKey, mint: SolanaPublicKey, _ commitment: SolanaCommitment)
        async throws(SolanaRPCError) -> (slot: UInt64, accounts: [SolanaTokenAccount]) {
        try await tokenAccounts(owner: owner, filter: ["mint": .string(mint.description)], commitment)
    }

    private func tokenAccounts(owner: SolanaPublicKey, filter: SolanaJSON, _ commitment: SolanaCommitment)
        async throws(SolanaRPCError) -> (slot: UInt64, accounts: [SolanaTokenAccount]) {
        let answer = try await call("getTokenAccountsByOwner",
                                    [.string(owner.description), filter,
                                     ["commitment": .string(commitment.rawValue), "encoding": "jsonParsed"]],
                                    as: SolanaWire.WithContext<[SolanaWire.KeyedTokenAccount]>.self)
        let accounts = try checked("getTokenAccountsByOwner") { () throws(SolanaRPCError.Field) in
            try SolanaTokenAccount.read(answer.value, field: "result.value")
        }
        return (answer.context.slot.value, accounts)
    }

    /// The lamports an account of `dataLength` bytes must hold to be rent exempt (what creating one costs).
    public func minimumBalanceForRentExemption(dataLength: Int) async throws(SolanaRPCError) -> UInt64 {
        try await call("getMinimumBalanceForRentExemption", [.integer(Int64(dataLength))], as: SolanaWire.U64.self).value
    }
}
