// Fuzz target: the Curve and Balancer pool states built from a node's answers (DexterEVM/Pools): the bytes decoded
// as the Vault's getPoolTokens answer (address[], uint256[], uint256) with the weights and fee after it, and as a
// Curve pool's balances, A and fee; whatever decodes goes through the states' validation (CurvePoolState.validated,
// BalancerPoolState.validated: what the readers run) and, when accepted, is quoted every way at a few sizes, as the
// parity check and the feed would. A refusal is the right answer to bad numbers; a trap is a finding. Built and run
// by scripts/fuzz.sh; see docs/fuzzing.md. Seeds: the stand-ins' real answers (written by the script).
@testable import DexterWire
import Foundation

let pool = try! EthereumAddress(parsing: "0x5FbDB2315678afecb367f032d93F642f64180aa3")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let balancer: [ABIType] = [.array(.address, count: nil), .array(.uint(bits: 256), count: nil), .uint(bits: 256),
                               .array(.uint(bits: 256), count: nil), .uint(bits: 256), .array(.uint(bits: 8), count: nil)]
    if let values = try? ABI.decode(bytes, as: balancer), case .array(let tokens) = values[0], case .array(let balances) = values[1],
       case .array(let weights) = values[3], case .uint(let fee) = values[4], case .array(let decimals) = values[5] {
        if let state = try? BalancerPoolState.validated(
            dex: "fuzz", address: pool, poolId: Array(repeating: 1, count: 32), tokens: tokens.compactMap(address),
            decimals: decimals.compactMap(uint).map { Int($0) }, balances: balances.compactMap(uint),
            weights: weights.compactMap(uint), swapFee: fee, block: 1) {
            for i in state.tokens.indices {
                for j in state.tokens.indices where i != j {
                    for amount in sizes(state.balances[i]) {
                        _ = try? state.amountOut(i: i, j: j, amountIn: amount)
                        if let market = state.pool(base: state.tokens[i], quote: state.tokens[j]) {
                            _ = try? market.amountOut(i: i, j: j, amountIn: amount)
                            _ = try? market.amountIn(i: j, j: i, amountOut: amount)
                        }
                    }
                }
            }
        }
    }
    let curve: [ABIType] = [.array(.uint(bits: 256), count: nil), .uint(bits: 256), .uint(bits: 256),
                            .array(.uint(bits: 8), count: nil)]
    if let values = try? ABI.decode(bytes, as: curve), case .array(let balances) = values[0], case .uint(let a) = values[1],
       case .uint(let fee) = values[2], case .array(let decimals) = values[3] {
        let coins = balances.indices.map { EthereumAddress(bytes: Array(repeating: 0, count: 19) + [UInt8($0 % 256)]) }
        if let state = try? CurvePoolState.validated(
            dex: "fuzz", address: pool, coins: coins, decimals: decimals.compactMap(uint).map { Int($0) },
            balances: balances.compactMap(uint), a: a, aPrecise: nil, fee: fee, adminFee: 0, rampEnds: 0, block: 1) {
            for i in state.coins.indices {
                for j in state.coins.indices where i != j {
                    for amount in sizes(state.balances[i]) { _ = try? state.getDy(i: i, j: j, dx: amount) }
                }
            }
        }
    }
    return 0
}

func uint(_ value: ABIValue) -> BigUInt? { if case .uint(let number) = value { number } else { nil } }
func address(_ value: ABIValue) -> EthereumAddress? { if case .address(let address) = value { address } else { nil } }

/// A unit, a thousandth, a tenth of the balance.
func sizes(_ balance: BigUInt) -> [BigUInt] { [1, balance / 1000 + 1, balance / 10 + 1] }
