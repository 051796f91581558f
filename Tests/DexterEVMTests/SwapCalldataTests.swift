import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import Testing

/// Calldata against an independent encoder: every expected hex string below was produced by eth-abi 6.0.0 and
/// eth-utils' keccak (Python, `encode([...], [...])` after `keccak(text=signature)[:4]`), not by dexter's ABI code.
/// Addresses are the local fixture's (evm/uniswap/README.md): USDC, WETH, WBTC, USDT, SwapRouter, trader dev #1.
struct SwapCalldataTests {
    static let usdc = try! EthereumAddress(parsing: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0")
    static let weth = try! EthereumAddress(parsing: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9")
    static let wbtc = try! EthereumAddress(parsing: "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    static let usdt = try! EthereumAddress(parsing: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")
    static let swapRouter = try! EthereumAddress(parsing: "0xa513E6E4b8f2a923D98304ec87F64353C4D5C853")
    static let trader = try! EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")

    @Test func exactInputSingleMatchesEthAbi() throws {
        let call = SwapRouterV3.ExactInputSingle(
            tokenIn: Self.usdc, tokenOut: Self.weth, fee: 500, recipient: Self.trader, deadline: 1_764_547_200,
            amountIn: 600_000_000_000, amountOutMinimum: BigUInt("197606331243429962893"), sqrtPriceLimitX96: 4_295_128_740)
        #expect(Hex.encode(try call.calldata(), prefix: false) == """
            414bf3890000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e0000000000000000000000000cf7ed3acca5a467e\
            9e704c703e8d87f634fb0fc900000000000000000000000000000000000000000000000000000000000001f400000000000000000000000070\
            997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000000692cda80000000000000\
            0000000000000000000000000000000000000000008bb2c9700000000000000000000000000000000000000000000000000ab656b74d7cd124\
            8d00000000000000000000000000000000000000000000000000000001000276a4
            """)
    }

    @Test func exactInputPacksThePathAsThePathLibraryReadsIt() throws {
        let path = try V3Path(tokens: [Self.wbtc, Self.weth, Self.usdc], fees: [3000, 500])
        #expect(Hex.encode(path.encoded, prefix: false) == """
            5fbdb2315678afecb367f032d93f642f64180aa3000bb8cf7ed3acca5a467e9e704c703e8d87f634fb0fc90001f49fe46736679d2d9a65f09\
            92f2272de9f3c7fa6e0
            """)
        let call = SwapRouterV3.ExactInput(path: path, recipient: Self.trader, deadline: 1_764_547_200, amountIn: 100_000_000,
                                           amountOutMinimum: 58_000_000_000)
        #expect(Hex.encode(try call.calldata(), prefix: false) == """
            c04b8d59000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000\
            000000000000000000a000000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000\
            000000000000000000000000692cda800000000000000000000000000000000000000000000000000000000005f5e10000000000000000000000\
            00000000000000000000000000000000000d8111c40000000000000000000000000000000000000000000000000000000000000000425fbdb231\
            5678afecb367f032d93f642f64180aa3000bb8cf7ed3acca5a467e9e704c703e8d87f634fb0fc90001f49fe46736679d2d9a65f0992f2272de9f\
            3c7fa6e0000000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func quoterPathQuoteMatchesEthAbi() throws {
        let path = try V3Path(tokens: [Self.wbtc, Self.weth, Self.usdc], fees: [3000, 500])
        let expected = "cdca1753" + "0000000000000000000000000000000000000000000000000000000000000040"
            + "0000000000000000000000000000000000000000000000000000000000989680"
            + "0000000000000000000000000000000000000000000000000000000000000042"
            + "5fbdb2315678afecb367f032d93f642f64180aa3000bb8cf7ed3acca5a467e9e704c703e8d87f634fb0fc90001f49fe46736679d2d9a65f0992f2272de9f3c7fa6e0"
            + "000000000000000000000000000000000000000000000000000000000000"
        #expect(Hex.encode(try QuoterV2Call.quoteExactInput(path: path, amountIn: 10_000_000), prefix: false) == expected)
    }

    @Test func v2SwapExactTokensForTokensMatchesEthAbi() throws {
        let data = try RouterV2.swapExactTokensForTokens(amountIn: BigUInt(10).power(18), amountOutMin: 2_990_000_000,
                                                         path: [Self.weth, Self.usdc, Self.usdt], to: Self.trader,
                                                         deadline: BigUInt(1) << 40)
        #expect(Hex.encode(data, prefix: false) == """
            38ed17390000000000000000000000000000000000000000000000000de0b6b3a764000000000000000000000000000000000000000000000000\
            000000000000b237c78000000000000000000000000000000000000000000000000000000000000000a000000000000000000000000070997970\
            c51812dc3a010c7d01b50e0d17dc79c800000000000000000000000000000000000000000000000000000100000000000000000000000000000000\
            000000000000000000000000000000000000000003000000000000000000000000cf7ed3acca5a467e9e704c703e8d87f634fb0fc90000000000\
            000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e0000000000000000000000000e7f1725e7734ce288f8367e1bb143e90bb3f05\
            12
            """)
    }

    @Test func tokenAndWethCallsMatchEthAbi() throws {
        let maxUInt = (BigUInt(1) << 256) - 1
        #expect(Hex.encode(try ERC20Call.approve(spender: Self.swapRouter, amount: maxUInt), prefix: false)
            == "095ea7b3000000000000000000000000a513e6e4b8f2a923d98304ec87f64353c4d5c853" + String(repeating: "f", count: 64))
        #expect(Hex.encode(try ERC20Call.allowance(owner: Self.trader, spender: Self.swapRouter), prefix: false)
            == "dd62ed3e00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8000000000000000000000000a513e6e4b8f2a923d98304ec87f64353c4d5c853")
        #expect(Hex.encode(try ERC20Call.balanceOf(Self.trader), prefix: false)
            == "70a0823100000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8")
        #expect(Hex.encode(try ERC20Call.transfer(to: Self.trader, amount: 12345), prefix: false)
            == "a9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8" + String(repeating: "0", count: 60) + "3039")
        #expect(Hex.encode(WETHCall.deposit, prefix: false) == "d0e30db0")
        #expect(Hex.encode(try WETHCall.withdraw(amount: 3 * BigUInt(10).power(18)), prefix: false)
            == "2e1a7d4d00000000000000000000000000000000000000000000000029a2241af62c0000")
        #expect(Hex.encode(try QuoterV2Call.quoteExactInputSingle(tokenIn: Self.usdc, tokenOut: Self.weth, amountIn: 600_000_000_000,
                                                                  fee: 500), prefix: false) == """
            c6a5026a0000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e0000000000000000000000000cf7ed3acca5a467e9e704\
            c703e8d87f634fb0fc90000000000000000000000000000000000000000000000000000008bb2c9700000000000000000000000000000000000\
            000000000000000000000000000001f40000000000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func malformedPathsAndFeesAreRefusedByName() {
        #expect(throws: SwapCallError.pathShape(tokens: 2, fees: 0)) { try V3Path(tokens: [Self.usdc, Self.weth], fees: []) }
        #expect(throws: SwapCallError.pathShape(tokens: 1, fees: 0)) { try V3Path(tokens: [Self.usdc], fees: []) }
        #expect(throws: SwapCallError.feeOutOfRange(1 << 24)) { try V3Path(tokens: [Self.usdc, Self.weth], fees: [1 << 24]) }
        #expect(throws: SwapCallError.pathTooShort(tokens: 1)) {
            try RouterV2.swapExactTokensForTokens(amountIn: 1, amountOutMin: 1, path: [Self.weth], to: Self.trader, deadline: 1)
        }
        // A price limit wider than uint160 is the encoder's refusal, named.
        let wide = SwapRouterV3.ExactInputSingle(tokenIn: Self.usdc, tokenOut: Self.weth, fee: 500, recipient: Self.trader,
                                                 deadline: 1, amountIn: 1, amountOutMinimum: 0, sqrtPriceLimitX96: BigUInt(1) << 160)
        #expect(throws: SwapCallError.self) { try wide.calldata() }
    }

    @Test func quoterAnswerDecodes() throws {
        // QuoterV2's answer for 600,000 USDC → WETH on the fixture's 0.05 % pool (evm/uniswap/README.md).
        let words: [BigUInt] = [BigUInt("197606331243429962893"), BigUInt("3543191142285914205922034323214"), 1, 140_000]
        let data = words.flatMap { word -> [UInt8] in
            let bytes = Array(word.serialize())
            return [UInt8](repeating: 0, count: 32 - bytes.count) + bytes
        }
        let quote = try QuoterV2Call.decodeQuote(data)
        #expect(quote.amountOut == BigUInt("197606331243429962893"))
        #expect(quote.initializedTicksCrossed == 1)
        #expect(throws: ABIError.self) { try QuoterV2Call.decodeQuote(Array(data.prefix(96))) }
    }
}

/// amountOutMinimum is never a wei below quote × (1 − bound), and never more than a wei above it.
struct SwapSlippageTests {
    @Test func minimumRoundsTheAllowedLossDown() throws {
        let half = try SlippageBound(basisPoints: 50)
        // 1,000 × 0.995 = 995 exactly.
        #expect(half.minimumOutput(quote: 1000) == 995)
        // 999 × 0.995 = 994.005: the allowed loss 4.995 rounds down to 4, so the minimum is 995, not 994.
        #expect(half.allowedLoss(quote: 999) == 4)
        #expect(half.minimumOutput(quote: 999) == 995)
        // A quote too small to lose a whole unit keeps all of it.
        #expect(half.minimumOutput(quote: 199) == 199)
        #expect(try SlippageBound(basisPoints: 0).minimumOutput(quote: 123_456_789) == 123_456_789)
        // The fixture's quote at 0.3 %: 197606331243429962893 × 0.003 = 592818993730289888.679 → 592818993730289888.
        let quote = BigUInt("197606331243429962893")
        #expect(try SlippageBound(fraction: FixedDecimal(parsing: "0.003")).minimumOutput(quote: quote)
            == BigUInt("197013512249699673005"))
    }

    @Test func theMinimumIsExactlyTheCeilingOfTheBoundedQuote() throws {
        // For many quotes and bounds: minimum × 10¹⁸ ≥ quote × (10¹⁸ − bound) and (minimum − 1) × 10¹⁸ < it.
        let unit = BigUInt(FixedDecimal.unit)
        for basisPoints in [1, 7, 50, 333, 9_999] {
            let bound = try SlippageBound(basisPoints: basisPoints)
            for quote in [BigUInt(1), 9, 10_001, BigUInt("987654321987654321987"), (BigUInt(1) << 255) + 12_345] {
                let exact = quote * (unit - BigUInt(bound.raw))
                let minimum = bound.minimumOutput(quote: quote)
                #expect(minimum * unit >= exact)
                #expect(minimum == 0 || (minimum - 1) * unit < exact)
            }
        }
    }

    @Test func boundsOutsideZeroToOneAreRefused() {
        #expect(throws: SlippageBound.OutOfRange.self) { try SlippageBound(basisPoints: 10_000) }
        #expect(throws: SlippageBound.OutOfRange.self) { try SlippageBound(basisPoints: -1) }
    }

    @Test func deadlineCountsFromTheBlockNotTheClock() {
        #expect(SwapDeadline.after(blockTimestamp: 1_764_547_000, window: 120) == 1_764_547_120)
    }
}
