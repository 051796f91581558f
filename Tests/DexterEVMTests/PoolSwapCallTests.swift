import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import Testing

/// Swaps sent to a pool or Vault directly (Curve's `exchange`, Balancer V2's `Vault.swap`) and the logs they leave.
/// Every expected hex string was produced by eth-abi 6.0.0 and eth-utils (Python: `function_signature_to_4byte_selector`
/// then `encode([...], [...])`), not by dexter's ABI code. The pool id is mainnet's BAL/WETH 80/20.
struct PoolSwapCallTests {
    static let curvePool = try! EthereumAddress(parsing: "0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7")
    static let vault = try! EthereumAddress(parsing: "0xBA12222222228d8Ba445958a75a0704d566BF2C8")
    static let bal = try! EthereumAddress(parsing: "0xba100000625a3754423978a60c9317c58a424e3D")
    static let usdc = try! EthereumAddress(parsing: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    static let trader = try! EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    static let poolId = try! Hex.decode("0x32296969ef14eb0c6d29669c550d4a0449130230000200000000000000000002")

    @Test func curveExchangeMatchesEthAbi() throws {
        // Coin 1 (6 decimals) in, coin 0 out: 500.5 in, at least 500.5e18 out.
        let plan = SwapPlan(venue: .curve(pool: Self.curvePool, i: 1, j: 0), pool: Self.curvePool, tokenIn: Self.usdc,
                            tokenOut: Self.bal, amountIn: 500_500_000, quotedOut: BigUInt("500500000000000000000"),
                            slippage: .none, recipient: Self.trader)
        #expect(plan.venue.router == Self.curvePool, "the pool is called and approved")
        #expect(Hex.encode(try plan.calldata(blockTimestamp: 1)) == "0x3df02124"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "000000000000000000000000000000000000000000000000000000001dd50620"
            + "00000000000000000000000000000000000000000000001b21d5323cc3020000")
        // No exact output on Curve, and indices out of a pool's range are named.
        var buying = plan
        buying.exactOutput = 1
        #expect(throws: SwapCallError.self) { try buying.calldata(blockTimestamp: 1) }
        #expect(throws: SwapCallError.encoding("Curve coins 2 → 2: two different indices below 8")) {
            try CurvePoolCall.exchange(i: 2, j: 2, dx: 1, minDy: 0)
        }
    }

    @Test func balancerGivenOutSwapMatchesEthAbi() throws {
        // Exactly 1 BAL out for at most 2 USDC in, from and to the trader, deadline 1,700,000,000.
        let plan = SwapPlan.buying(BigUInt(10).power(18), of: Self.bal, payingAtMost: 2_000_000, of: Self.usdc,
                                   venue: .balancerVault(vault: Self.vault, poolId: Self.poolId), pool: Self.vault,
                                   deadlineWindow: 1_700_000_000 - 1, recipient: Self.trader)
        #expect(plan.venue.router == Self.vault)
        let expected = "0x52bbbe29"
            + "00000000000000000000000000000000000000000000000000000000000000e0"
            + "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "00000000000000000000000000000000000000000000000000000000001e8480"
            + "000000000000000000000000000000000000000000000000000000006553f100"
            + "32296969ef14eb0c6d29669c550d4a0449130230000200000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "000000000000000000000000a0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
            + "000000000000000000000000ba100000625a3754423978a60c9317c58a424e3d"
            + "0000000000000000000000000000000000000000000000000de0b6b3a7640000"
            + "00000000000000000000000000000000000000000000000000000000000000c0"
            + "0000000000000000000000000000000000000000000000000000000000000000"
        #expect(Hex.encode(try plan.calldata(blockTimestamp: 1)) == expected)
        #expect(throws: SwapCallError.self) {
            try BalancerVault.swap(poolId: [1, 2], kind: .givenIn, assetIn: Self.usdc, assetOut: Self.bal, amount: 1,
                                   sender: Self.trader, recipient: Self.trader, limit: 0, deadline: 0)
        }
    }

    @Test func aCurveTokenExchangeIsAFillBetweenItsCoins() throws {
        // Coin 1 in (1,000.5 USDC), coin 0 out (1,000.497112345678901234 DAI).
        let data = try Hex.decode("0x"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "000000000000000000000000000000000000000000000000000000003ba26b20"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000363cafc6d14846eff2")
        let fill = try #require(try SwapFill.decode(address: Self.curvePool, topics: [SwapFill.curveTopic, [UInt8](repeating: 0, count: 32)],
                                                    data: data))
        #expect(fill.amountIn == 1_000_500_000 && fill.tokenInIndex == 1 && fill.tokenOutIndex == 0)
        #expect(fill.amountOut == BigUInt("1000497112345678901234"))
        #expect(Hex.encode(SwapFill.curveTopic) == "0x8b3e96f2b889fa771c53c981b40daf005f63f637f1869f707052d15a3dd97140")
        #expect(SwapPlan.Venue.curve(pool: Self.curvePool, i: 1, j: 0).owns(fill))
        #expect(!SwapPlan.Venue.curve(pool: Self.curvePool, i: 0, j: 1).owns(fill))
        // The same coin on both sides is no exchange dexter sends.
        var same = data
        same[31] = 0
        #expect(throws: SwapFill.Undecodable.self) {
            try SwapFill.decode(address: Self.curvePool, topics: [SwapFill.curveTopic], data: same)
        }
    }

    @Test func aVaultSwapIsAFillOfThePoolItNames() throws {
        let data = try Hex.decode("0x0000000000000000000000000000000000000000000000004563918244f40000"
            + "00000000000000000000000000000000000000000000000000000000014ea010")
        func padded(_ address: EthereumAddress) -> [UInt8] { [UInt8](repeating: 0, count: 12) + address.bytes }
        let fill = try #require(try SwapFill.decode(address: Self.vault, topics: [SwapFill.balancerTopic, Self.poolId,
                                                                                   padded(Self.bal), padded(Self.usdc)], data: data))
        #expect(fill.amountIn == 5 * BigUInt(10).power(18) && fill.amountOut == 21_930_000)
        #expect(fill.vaultSwap == SwapFill.VaultSwap(poolId: Self.poolId, tokenIn: Self.bal, tokenOut: Self.usdc))
        #expect(Hex.encode(SwapFill.balancerTopic) == "0x2170c741c41531aec20e7c107c24eecfdd15e69c9bb0a8dd37b1840b9e0b207b")
        #expect(SwapPlan.Venue.balancerVault(vault: Self.vault, poolId: Self.poolId).owns(fill))
        #expect(!SwapPlan.Venue.balancerVault(vault: Self.vault, poolId: [UInt8](repeating: 7, count: 32)).owns(fill))
        #expect(!SwapPlan.Venue.uniswapV2(router: Self.vault).owns(fill), "a Vault's log is no Uniswap pool's")
        // After a restart the journal decides: the order's pool id, not another pool's swap in the same Vault.
        var entry = EVMOrderJournal.Entry(clientOrderId: "o", venue: "bal", symbol: "BAL/USDC", side: .sell, stage: .sent,
                                          pool: Self.vault.checksummed, baseDecimals: 18, quoteDecimals: 6)
        #expect(!entry.owns(fill), "an entry without a pool id is no Vault swap's")
        entry.poolId = Hex.encode(Self.poolId).uppercased().replacingOccurrences(of: "0X", with: "0x")
        #expect(entry.owns(fill))
        entry.poolId = Hex.encode([UInt8](repeating: 7, count: 32))
        #expect(!entry.owns(fill))
        #expect(throws: SwapFill.Undecodable.self) {
            try SwapFill.decode(address: Self.vault, topics: [SwapFill.balancerTopic, Self.poolId], data: data)
        }
    }

    @Test func theSmallestInputIsFoundAndAnUnpayableLimitIsNone() {
        // Output = input × 3 / 7 (rounded down): 7 units pay 3, so 3 wanted needs exactly 7, and 4 needs 10.
        let output: (BigUInt) throws -> BigUInt = { $0 * 3 / 7 }
        #expect(EVMLiveVenue.smallestInput(paying: 3, atMost: 1_000, output: output) == 7)
        #expect(EVMLiveVenue.smallestInput(paying: 4, atMost: 1_000, output: output) == 10)
        #expect(EVMLiveVenue.smallestInput(paying: 4, atMost: 10, output: output) == 10)
        #expect(EVMLiveVenue.smallestInput(paying: 5, atMost: 10, output: output) == nil)
        // Dust the math refuses pays nothing.
        let refusingDust: (BigUInt) throws -> BigUInt = { dx in
            guard dx >= 100 else { throw PoolMathError.insufficientLiquidity }
            return dx - 50
        }
        #expect(EVMLiveVenue.smallestInput(paying: 1, atMost: 1_000, output: refusingDust) == 100)
    }
}
