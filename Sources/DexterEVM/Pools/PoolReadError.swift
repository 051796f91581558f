import DexterCrypto

/// Why a pool could not be read: every case names the DEX, the pair and (for V3) the fee tier.
public enum PoolReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The factory has no pool for the pair: it answered the zero address.
    case noPool(dex: String, pair: String, fee: Int?)
    /// The factory's answer is not the pair's CREATE2 address: a wrong factory or init code hash in config, or a
    /// factory that is not what it claims to be. Nothing is read from such an address.
    case addressMismatch(dex: String, pair: String, fee: Int?, factory: EthereumAddress, create2: EthereumAddress)
    /// The pool's own answer contradicts what was asked (its tokens, its fee) or the contract's invariants.
    case poolDisagrees(dex: String, pair: String, fee: Int?, field: String, problem: String)
    /// The node did not answer, or answered an error or garbage.
    case rpc(dex: String, pair: String, fee: Int?, EVMRPCError)

    public var description: String {
        switch self {
        case .noPool(let dex, let pair, let fee): "\(dex) has no \(Self.name(pair, fee)) pool (the factory answered 0x0)"
        case .addressMismatch(let dex, let pair, let fee, let factory, let create2):
            "\(dex) \(Self.name(pair, fee)): the factory says \(factory), CREATE2 says \(create2)"
        case .poolDisagrees(let dex, let pair, let fee, let field, let problem):
            "\(dex) \(Self.name(pair, fee)): \(field): \(problem)"
        case .rpc(let dex, let pair, let fee, let error): "\(dex) \(Self.name(pair, fee)): \(error)"
        }
    }

    static func name(_ pair: String, _ fee: Int?) -> String {
        guard let fee else { return pair }
        return "\(pair) \(FeeTier.percent(fee))"
    }
}

enum FeeTier {
    /// 500 → "0.05%", 3000 → "0.3%", 100 → "0.01%".
    static func percent(_ pips: Int) -> String {
        let whole = pips / 10_000
        var fraction = String(pips % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)%" : "\(whole).\(fraction)%"
    }
}
