import DexterCrypto

/// An SPL mint account (82 bytes; a Token-2022 mint carries extensions after them): what a pool's market needs of it,
/// its decimals. Layout: mint_authority COption<Pubkey> (36), supply u64 at 36, decimals u8 at 44, is_initialized at 45.
public struct SPLMint: Sendable, Hashable {
    public static let size = 82

    public let supply: UInt64
    public let decimals: UInt8

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        guard data.count >= Self.size else {
            throw AccountDecodeError(account: "SPL mint", field: "data length", offset: 0,
                                     reason: "\(data.count) bytes, expected at least \(Self.size)")
        }
        let reader = try AccountBytes(Array(data.prefix(Self.size)), account: "SPL mint", size: Self.size, discriminator: nil)
        // An uninitialized mint has no decimals worth reading: a wrong address, most likely.
        guard try reader.bool("is_initialized", 45) else { throw reader.failure("is_initialized", 45, "the mint is not initialized") }
        supply = try reader.u64("supply", 36)
        decimals = try reader.u8("decimals", 44)
    }
}
