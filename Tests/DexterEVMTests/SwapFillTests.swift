import BigInt
import DexterCrypto
@testable import DexterEVM
import Testing

/// Swap logs as pools emit them; the data words were encoded by eth-abi 6.0.0 (Python), not by dexter.
struct SwapFillTests {
    static let pool = try! EthereumAddress(parsing: "0x598F8e7F5ff034Ce4f6570201A2C3EC1Bf9Ef43C")
    static let topicPadding = [UInt8](repeating: 0, count: 32)

    @Test func eventTopicsAreTheSignaturesKeccak() {
        #expect(Hex.encode(SwapFill.v3Topic) == "0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67")
        #expect(Hex.encode(SwapFill.v2Topic) == "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822")
    }

    @Test func aV3SwapGivesInAndOutFromTheSignedDeltas() throws {
        // 600,000 USDC (token0) in, 197.606331243429962893 WETH (token1) out: amount1 is negative.
        let data = try Hex.decode("""
            0000000000000000000000000000000000000000000000000000008bb2c97000fffffffffffffffffffffffffffffffffffffffffffffff549\
            a948b2832edb73000000000000000000000000000000000000002cb8ab04fbe3a3636e107e0f0e0000000000000000000000000000000000000\
            0000000000012856e14100a7d89000000000000000000000000000000000000000000000000000000000002fd3a
            """)
        let fill = try #require(try SwapFill.decode(address: Self.pool, topics: [SwapFill.v3Topic, Self.topicPadding,
                                                                                  Self.topicPadding], data: data))
        #expect(fill.amountIn == 600_000_000_000 && fill.tokenInIndex == 0)
        #expect(fill.amountOut == BigUInt("197606331243429962893"))
        #expect(fill.sqrtPriceX96After == BigUInt("3543191142285914205922034323214"))
    }

    @Test func aV2SwapGivesTheOneTokenInAndTheOtherOut() throws {
        let data = try Hex.decode(String(repeating: "0", count: 64)
            + "0000000000000000000000000000000000000000000000000de0b6b3a7640000"
            + "00000000000000000000000000000000000000000000000000000000b237c780" + String(repeating: "0", count: 64))
        let fill = try #require(try SwapFill.decode(address: Self.pool, topics: [SwapFill.v2Topic], data: data))
        #expect(fill.amountIn == BigUInt(10).power(18) && fill.tokenInIndex == 1 && fill.amountOut == 2_990_000_000)
        #expect(fill.sqrtPriceX96After == nil)
    }

    @Test func otherLogsAreNotFillsAndBrokenSwapsAreNamed() throws {
        #expect(try SwapFill.decode(address: Self.pool, topics: [Self.topicPadding], data: []) == nil)
        #expect(try SwapFill.decode(address: Self.pool, topics: [], data: []) == nil)
        #expect(throws: SwapFill.Undecodable.self) {
            try SwapFill.decode(address: Self.pool, topics: [SwapFill.v3Topic], data: [UInt8](repeating: 0, count: 64))
        }
        // Both amounts zero: neither in nor out.
        #expect(throws: SwapFill.Undecodable(pool: Self.pool, problem: "amount0 0 and amount1 0 are not one in, one out")) {
            try SwapFill.decode(address: Self.pool, topics: [SwapFill.v3Topic], data: [UInt8](repeating: 0, count: 160))
        }
        #expect(throws: SwapFill.Undecodable.self) {
            try SwapFill.decode(address: Self.pool, topics: [SwapFill.v2Topic], data: [UInt8](repeating: 0, count: 128))
        }
    }
}
