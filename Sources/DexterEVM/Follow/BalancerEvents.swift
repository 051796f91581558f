import DexterCrypto

/// The logs after which a Balancer V2 pool is read again: the Vault's Swap, PoolBalanceChanged (joins, exits) and
/// PoolBalanceManaged, each with the pool's id as its first indexed topic, and the pool's own
/// SwapFeePercentageChanged. As with Curve, the pool is re-read whole at the block rather than the logs decoded.
public enum BalancerEvents {
    static func topic(_ signature: String) -> [UInt8] { Keccak256.hash(Array(signature.utf8)) }

    public static let vaultTopics: [[UInt8]] = [
        "Swap(bytes32,address,address,uint256,uint256)",
        "PoolBalanceChanged(bytes32,address,address[],int256[],uint256[])",
        "PoolBalanceManaged(bytes32,address,address,int256,int256)",
    ].map(topic)

    public static let poolTopics: [[UInt8]] = [topic("SwapFeePercentageChanged(uint256)")]
}
