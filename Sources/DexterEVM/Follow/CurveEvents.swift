import DexterCrypto

/// The logs after which a Curve pool is read again: every event that moves its balances (exchanges, liquidity added
/// or removed, in the shapes of 2 to 8 coins, fixed arrays and the NG pools' dynamic ones) or its parameters (a fee
/// applied, a ramp of A started or stopped). Their contents are not decoded: the pool is re-read whole at the block,
/// which is cheap for a pool of a few coins and cannot drift from the contract's own bookkeeping.
public enum CurveEvents {
    static func topic(_ signature: String) -> [UInt8] { Keccak256.hash(Array(signature.utf8)) }

    public static let topics: [[UInt8]] = {
        var signatures = [
            "TokenExchange(address,int128,uint256,int128,uint256)",
            "TokenExchangeUnderlying(address,int128,uint256,int128,uint256)",
            "RemoveLiquidityOne(address,uint256,uint256)",
            "RemoveLiquidityOne(address,int128,uint256,uint256,uint256)",  // NG
            "AddLiquidity(address,uint256[],uint256[],uint256,uint256)",  // NG
            "RemoveLiquidity(address,uint256[],uint256[],uint256)",  // NG
            "RemoveLiquidityImbalance(address,uint256[],uint256[],uint256,uint256)",  // NG
            "NewFee(uint256,uint256)", "ApplyNewFee(uint256,uint256)",
            "RampA(uint256,uint256,uint256,uint256)", "StopRampA(uint256,uint256)",
        ]
        for coins in 2...8 {
            signatures += [
                "AddLiquidity(address,uint256[\(coins)],uint256[\(coins)],uint256,uint256)",
                "RemoveLiquidity(address,uint256[\(coins)],uint256[\(coins)],uint256)",
                "RemoveLiquidityImbalance(address,uint256[\(coins)],uint256[\(coins)],uint256,uint256)",
            ]
        }
        return signatures.map(topic)
    }()
}
