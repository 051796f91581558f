import DexterCrypto

/// An SPL token account (classic or Token-2022) as `getTokenAccountsByOwner` lists it: its address, mint, owner and
/// balance in base units with the mint's decimals.
public struct SolanaTokenAccount: Sendable, Hashable {
    public let address: SolanaPublicKey
    public let mint: SolanaPublicKey
    public let owner: SolanaPublicKey
    public let amount: UInt64
    public let decimals: Int

    public init(address: SolanaPublicKey, mint: SolanaPublicKey, owner: SolanaPublicKey, amount: UInt64, decimals: Int) {
        self.address = address
        self.mint = mint
        self.owner = owner
        self.amount = amount
        self.decimals = decimals
    }

    /// The accounts of a `getTokenAccountsByOwner` value (encoding jsonParsed), each checked: keys are base58
    /// public keys, the amount a u64 decimal string, the parsed type "account".
    static func read(_ wire: [SolanaWire.KeyedTokenAccount], field: String) throws(SolanaRPCError.Field)
        -> [SolanaTokenAccount] {
        var accounts: [SolanaTokenAccount] = []
        for (index, entry) in wire.enumerated() {
            let here = "\(field)[\(index)]"
            let parsed = entry.account.data.parsed
            let info = here + ".account.data.parsed.info"
            guard parsed.type == "account" else {
                throw SolanaRPCError.Field(field: here + ".account.data.parsed.type",
                                           reason: "\(parsed.type.prefix(40)) is not a token account")
            }
            let amount = try SolanaTokenAmount(parsed.info.tokenAmount, field: info + ".tokenAmount")
            accounts.append(SolanaTokenAccount(
                address: try key(entry.pubkey, field: here + ".pubkey"),
                mint: try key(parsed.info.mint, field: info + ".mint"),
                owner: try key(parsed.info.owner, field: info + ".owner"),
                amount: amount.amount, decimals: Int(amount.decimals)))
        }
        return accounts
    }

    private static func key(_ text: String, field: String) throws(SolanaRPCError.Field) -> SolanaPublicKey {
        guard let key = try? SolanaPublicKey(base58: text) else {
            throw SolanaRPCError.Field(field: field, reason: "\(text.prefix(60)) is not a public key")
        }
        return key
    }
}

extension SolanaWire {
    /// One entry of `getTokenAccountsByOwner` in jsonParsed: only what a token account needs. An account the node
    /// could not parse comes as `[base64, "base64"]` data and fails here at `account.data`.
    struct KeyedTokenAccount: Decodable {
        struct Info: Decodable {
            let mint: String
            let owner: String
            let tokenAmount: TokenAmount
        }
        struct Parsed: Decodable {
            let info: Info
            let type: String
        }
        struct Data: Decodable { let parsed: Parsed }
        struct Account: Decodable { let data: Data }

        let pubkey: String
        let account: Account
    }
}
