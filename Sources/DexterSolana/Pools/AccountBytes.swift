import DexterCrypto

/// Why account bytes could not be read as the account they should be: which account, which field, at which offset.
public struct AccountDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The account kind being read ("Whirlpool", "TickArray", "CPMM PoolState", …).
    public let account: String
    /// The field, as layouts.md names it.
    public let field: String
    public let offset: Int
    public let reason: String

    public var description: String { "\(account): \(field) at offset \(offset): \(reason)" }
}

/// Little-endian fields of a raw account, each read naming its field so a short or foreign account is reported
/// exactly where it stops making sense.
struct AccountBytes {
    let account: String
    let bytes: [UInt8]

    init(_ bytes: [UInt8], account: String, size: Int, discriminator: [UInt8]?) throws(AccountDecodeError) {
        self.account = account
        self.bytes = bytes
        guard bytes.count == size else {
            throw AccountDecodeError(account: account, field: "data length", offset: 0,
                                     reason: "\(bytes.count) bytes, expected \(size)")
        }
        if let discriminator, Array(bytes.prefix(8)) != discriminator {
            throw AccountDecodeError(account: account, field: "discriminator", offset: 0,
                                     reason: "\(Hex.encode(Array(bytes.prefix(8)), prefix: false)), expected \(Hex.encode(discriminator, prefix: false))")
        }
    }

    func failure(_ field: String, _ offset: Int, _ reason: String) -> AccountDecodeError {
        AccountDecodeError(account: account, field: field, offset: offset, reason: reason)
    }

    // Field names are autoclosures: a tick array names 264 fields, and building their names only for an error
    // keeps a decode from spending most of its time on strings.
    private func unsigned(_ field: @autoclosure () -> String, _ offset: Int, width: Int) throws(AccountDecodeError) -> UInt128 {
        guard offset >= 0, offset + width <= bytes.count else {
            throw failure(field(), offset, "needs \(width) bytes, the account has \(bytes.count)")
        }
        var value: UInt128 = 0
        for index in (0..<width).reversed() { value = value << 8 | UInt128(bytes[offset + index]) }
        return value
    }

    func u8(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> UInt8 {
        UInt8(try unsigned(field(), offset, width: 1))
    }
    func u16(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> UInt16 {
        UInt16(try unsigned(field(), offset, width: 2))
    }
    func u64(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> UInt64 {
        UInt64(try unsigned(field(), offset, width: 8))
    }
    func u128(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> UInt128 {
        try unsigned(field(), offset, width: 16)
    }
    func i32(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> Int32 {
        Int32(bitPattern: UInt32(try unsigned(field(), offset, width: 4)))
    }
    func i128(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> Int128 {
        Int128(bitPattern: try unsigned(field(), offset, width: 16))
    }

    func bool(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> Bool {
        switch try u8(field(), offset) {
        case 0: return false
        case 1: return true
        case let other: throw failure(field(), offset, "\(other) is not a bool (0 or 1)")
        }
    }

    func key(_ field: @autoclosure () -> String, _ offset: Int) throws(AccountDecodeError) -> SolanaPublicKey {
        guard offset >= 0, offset + 32 <= bytes.count else {
            throw failure(field(), offset, "needs 32 bytes, the account has \(bytes.count)")
        }
        return SolanaPublicKey(bytes: Array(bytes[offset..<offset + 32]))
    }
}

/// An SPL token account (165 bytes; Token-2022 accounts carry extensions after them): mint, owner and amount.
public struct SPLTokenAccount: Sendable, Hashable {
    public let mint: SolanaPublicKey
    public let owner: SolanaPublicKey
    public let amount: UInt64

    public init(decoding data: [UInt8]) throws(AccountDecodeError) {
        guard data.count >= 165 else {
            throw AccountDecodeError(account: "SPL token account", field: "data length", offset: 0,
                                     reason: "\(data.count) bytes, expected at least 165")
        }
        let reader = try AccountBytes(Array(data.prefix(165)), account: "SPL token account", size: 165, discriminator: nil)
        mint = try reader.key("mint", 0)
        owner = try reader.key("owner", 32)
        amount = try reader.u64("amount", 64)
    }
}
