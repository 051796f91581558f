import BigInt
import DexterCrypto

/// A Curve StableSwap pool's own swap (curve-contract `StableSwap3Pool.vy`; the factory and NG plain pools keep the
/// same signature).
public enum CurvePoolCall {
    /// `exchange(int128,int128,uint256,uint256)`, selector 0x3df02124: `dx` of coin `i` in, at least `minDy` of coin
    /// `j` out, else the pool reverts ("Exchange resulted in fewer coins than expected").
    public static func exchange(i: Int, j: Int, dx: BigUInt, minDy: BigUInt) throws(SwapCallError) -> [UInt8] {
        guard (0..<8).contains(i), (0..<8).contains(j), i != j else {
            throw .encoding("Curve coins \(i) → \(j): two different indices below 8")
        }
        do {
            return try ABI.call("exchange", [.int(bits: 128), .int(bits: 128), .uint(bits: 256), .uint(bits: 256)],
                                [.int(BigInt(i)), .int(BigInt(j)), .uint(dx), .uint(minDy)])
        } catch { throw .encoding(error.reason) }
    }
}

/// Balancer V2's Vault (`IVault.swap`): one swap through one pool, paid from and to the wallet's own tokens (not
/// the Vault's internal balances).
public enum BalancerVault {
    /// `SwapKind`: GIVEN_IN fixes the amount in (the limit is the least out), GIVEN_OUT the amount out (the limit is
    /// the most in).
    public enum SwapKind: UInt8, Sendable {
        case givenIn = 0
        case givenOut = 1
    }

    /// `swap((bytes32,uint8,address,address,uint256,bytes),(address,bool,address,bool),uint256,uint256)`, selector
    /// 0x52bbbe29: `SingleSwap` with empty userData, `FundManagement` from `sender` to `recipient` outside internal
    /// balances, the limit and the deadline.
    public static func swap(poolId: [UInt8], kind: SwapKind, assetIn: EthereumAddress, assetOut: EthereumAddress,
                            amount: BigUInt, sender: EthereumAddress, recipient: EthereumAddress, limit: BigUInt,
                            deadline: BigUInt) throws(SwapCallError) -> [UInt8] {
        guard poolId.count == 32 else { throw .encoding("a Balancer pool id is 32 bytes, got \(poolId.count)") }
        let single: ABIValue = .tuple([.fixedBytes(poolId), .uint(BigUInt(kind.rawValue)), .address(assetIn),
                                       .address(assetOut), .uint(amount), .bytes([])])
        let funds: ABIValue = .tuple([.address(sender), .bool(false), .address(recipient), .bool(false)])
        do {
            return try ABI.call("swap", [singleSwapType, fundManagementType, .uint(bits: 256), .uint(bits: 256)],
                                [single, funds, .uint(limit), .uint(deadline)])
        } catch { throw .encoding(error.reason) }
    }

    static let singleSwapType = ABIType.tuple([.fixedBytes(32), .uint(bits: 8), .address, .address, .uint(bits: 256),
                                               .bytes])
    static let fundManagementType = ABIType.tuple([.address, .bool, .address, .bool])
}
