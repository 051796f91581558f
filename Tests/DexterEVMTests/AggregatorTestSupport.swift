import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import Foundation
import Synchronization
import TestServers

/// A clock the aggregator tests move by hand: a Retry-After ends when the test says so, never by waiting.
final class AggregatorTestClock: DexterCore.Clock {
    private let time = Mutex(Timestamp(nanoseconds: 1_764_000_000_000_000_000))
    func now() -> Timestamp { time.withLock { $0 } }
    func advance(_ duration: Duration) { time.withLock { $0 = $0.adding(duration) } }
}

/// Mainnet tokens both local servers know (Tests/Servers/oneinch/book.py); USDT has no pool there.
enum AggregatorTokens {
    static let weth = try! EthereumAddress(parsing: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
    static let usdc = try! EthereumAddress(parsing: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    static let dai = try! EthereumAddress(parsing: "0x6B175474E89094C44Da98b954EedeAC495271d0F")
    static let usdt = try! EthereumAddress(parsing: "0xdAC17F958D2ee523a2206206994597C13D831ec7")
    static let taker = try! EthereumAddress(parsing: "0x70a9f34f9b34c64957b9c401a97bfed35b95049e")
    static let oneEther = BigUInt(10).power(18)
}

/// A local server's book, read from its control port, priced here with Uniswap V2's getAmountOut: the tests' own
/// arithmetic, not the server's.
struct AggregatorBook {
    struct Pool {
        let token0: EthereumAddress, token1: EthereumAddress
        let reserve0: BigUInt, reserve1: BigUInt
        let feeBps: BigUInt
    }

    let pools: [Pool]

    init(_ server: LocalServer) async throws {
        let book = try await server.read("/control/book") as! [String: Any]
        pools = try (book["pools"] as! [[String: Any]]).map { pool in
            Pool(token0: try EthereumAddress(parsing: pool["address0"] as! String),
                 token1: try EthereumAddress(parsing: pool["address1"] as! String),
                 reserve0: BigUInt(pool["reserve0"] as! String)!, reserve1: BigUInt(pool["reserve1"] as! String)!,
                 feeBps: BigUInt(pool["feeBps"] as! Int))
        }
    }

    func amountOut(_ amount: BigUInt, sell: EthereumAddress, buy: EthereumAddress) -> BigUInt? {
        for pool in pools {
            let reserves: (BigUInt, BigUInt)
            if (pool.token0, pool.token1) == (sell, buy) {
                reserves = (pool.reserve0, pool.reserve1)
            } else if (pool.token1, pool.token0) == (sell, buy) {
                reserves = (pool.reserve1, pool.reserve0)
            } else {
                continue
            }
            let withFee = amount * (10_000 - pool.feeBps)
            return withFee * reserves.1 / (reserves.0 * 10_000 + withFee)
        }
        return nil
    }
}

extension LocalServer {
    /// How many requests the server's API port has received.
    func requestCount() async throws -> Int {
        (try await read("/control/requests") as! [String: Any])["count"] as! Int
    }
}
