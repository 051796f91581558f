import BigInt
import DexterCrypto
@testable import DexterEVM
import Testing

/// Pool logs decoded and applied without a chain: the shapes the local node does not have (PancakeSwap V3's Swap,
/// negative ticks), refusals, and the bookkeeping of Mint and Burn at its edges.
struct PoolEventTests {
    static let pool = try! EthereumAddress(parsing: "0x598F8e7F5ff034Ce4f6570201A2C3EC1Bf9Ef43C")

    func log(_ topics: [[UInt8]], _ data: [UInt8]) throws -> ChainLog {
        let value: JSONValue = [
            "address": .string(Self.pool.checksummed), "topics": .array(topics.map { .string(Hex.encode($0)) }),
            "data": .string(Hex.encode(data)), "blockNumber": "0x2a", "blockHash": .string(Hex.encode([UInt8](repeating: 7, count: 32))),
            "logIndex": "0x0", "removed": false,
        ]
        return try ChainLog(RPCResult(value: value, method: "eth_getLogs", endpoint: "http://127.0.0.1"))
    }

    func word(_ value: BigInt) throws -> [UInt8] { try ABI.encode([.int(value)], as: [.int(bits: 24)]) }

    @Test func swapsOfBothFamiliesAndNegativeTicksDecode() throws {
        let swap: [ABIValue] = [.int(-5), .int(7), .uint(1 << 96), .uint(1000), .int(-1)]
        let swapTypes: [ABIType] = [.int(bits: 256), .int(bits: 256), .uint(bits: 160), .uint(bits: 128), .int(bits: 24)]
        let sender = [UInt8](repeating: 0, count: 32)
        let uniswap = try log([PoolEvent.v3SwapTopic, sender, sender], ABI.encode(swap, as: swapTypes))
        #expect(try PoolEvent.decode(uniswap) == .v3Swap(sqrtPriceX96: 1 << 96, liquidity: 1000, tick: -1))
        let pancake = try log([PoolEvent.pancakeV3SwapTopic, sender, sender],
                              ABI.encode(swap + [.uint(3), .uint(4)], as: swapTypes + [.uint(bits: 128), .uint(bits: 128)]))
        #expect(try PoolEvent.decode(pancake) == .v3Swap(sqrtPriceX96: 1 << 96, liquidity: 1000, tick: -1))

        let mint = try log([PoolEvent.v3MintTopic, sender, word(-887220), word(-60)],
                           ABI.encode([.address(Self.pool), .uint(42), .uint(1), .uint(2)],
                                      as: [.address, .uint(bits: 128), .uint(bits: 256), .uint(bits: 256)]))
        #expect(try PoolEvent.decode(mint) == .v3Mint(tickLower: -887220, tickUpper: -60, amount: 42))
        #expect(try PoolEvent.decode(log([Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))], [])) == nil)
    }

    @Test func aPoolLogThatDoesNotDecodeIsRefused() throws {
        #expect(throws: PoolEvent.Undecodable.self) { try PoolEvent.decode(log([PoolEvent.v3SwapTopic], [1, 2, 3])) }
        let burn = try ABI.encode([.uint(1), .uint(0), .uint(0)], as: [.uint(bits: 128), .uint(bits: 256), .uint(bits: 256)])
        #expect(throws: PoolEvent.Undecodable(event: "Burn", problem: "topic 3 missing")) {
            try PoolEvent.decode(log([PoolEvent.v3BurnTopic, [UInt8](repeating: 0, count: 32), word(60)], burn))
        }
        // A topic int24 that is not sign-extended is not an int24.
        var bad = try word(-60)
        bad[0] = 0
        #expect(throws: PoolEvent.Undecodable.self) {
            try PoolEvent.decode(log([PoolEvent.v3BurnTopic, [UInt8](repeating: 0, count: 32), bad, word(60)], burn))
        }
    }

    /// A pool at tick 5 (spacing 10) holding [-10, 20) with 100 and [20, 40) with 50, words −1…0 read.
    func state() -> V3PoolState {
        let usdc = EVMToken("USDC", try! EthereumAddress(parsing: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"))
        let weth = EVMToken("WETH", try! EthereumAddress(parsing: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"))
        return V3PoolState(dex: "Uniswap V3", address: Self.pool, token0: usdc, token1: weth, decimals0: 6, decimals1: 18,
                           fee: 500, tickSpacing: 10, sqrtPriceX96: 1 << 96, tick: 5, liquidity: 100,
                           ticks: [-10: .init(gross: 100, net: 100), 20: .init(gross: 150, net: -50), 40: .init(gross: 50, net: -50)],
                           words: -1...0, block: 1)
    }

    @Test func mintsAndBurnsAreBookedAsThePoolBooksThem() throws {
        var pool = state()
        try pool.apply(.v3Mint(tickLower: 0, tickUpper: 20, amount: 30))  // holds tick 5: active
        #expect(pool.liquidity == 130)
        #expect(pool.ticks[0] == .init(gross: 30, net: 30) && pool.ticks[20] == .init(gross: 180, net: -80))
        try pool.apply(.v3Burn(tickLower: 20, tickUpper: 40, amount: 50))  // above the price: not active
        #expect(pool.liquidity == 130 && pool.ticks[40] == nil && pool.ticks[20] == .init(gross: 130, net: -130))
        try pool.apply(.v3Burn(tickLower: 0, tickUpper: 20, amount: 0))  // a fee collection changes nothing
        #expect(pool.liquidity == 130)
        // A position reaching past the words read (word 1 starts at tick 2560): the active liquidity is booked,
        // the unread tick is not invented.
        try pool.apply(.v3Mint(tickLower: -10, tickUpper: 5000, amount: 5))
        #expect(pool.liquidity == 135 && pool.ticks[5000] == nil && pool.ticks[-10] == .init(gross: 105, net: 105))
        #expect(throws: InconsistentEvent.self) { try pool.apply(.v3Burn(tickLower: 0, tickUpper: 20, amount: 31)) }
        #expect(throws: InconsistentEvent.self) { try pool.apply(.v3Mint(tickLower: 5, tickUpper: 20, amount: 1)) }
        try pool.apply(.v3Swap(sqrtPriceX96: 2 << 96, liquidity: 7, tick: 13_863))
        #expect(pool.tick == 13_863 && pool.liquidity == 7 && pool.sqrtPriceX96 == 2 << 96)
    }
}
