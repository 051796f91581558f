import BigInt
import DexterCrypto
@testable import DexterEVM
import Foundation
import TestServers
import Testing

/// Swaps signed by dexter, sent to the local py-evm node with the canonical Uniswap V3 bytecode and our Vyper V2.
@Suite(.serialized) struct SwapSendTests {
    @Test func aV3SwapLandsAndItsSwapLogEqualsTheQuoteAndTheBalanceChange() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        let amountIn: BigUInt = 10_000 * 1_000_000
        let quote = try await send.quoteV3(usdcIn: amountIn)
        let wethBefore = try await send.balance(send.weth)
        let events = EventLog()
        let result = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quote), patience: send.mining,
                                                report: { events.record($0) })
        guard case .filled(let fill, let change) = result.outcome else {
            Issue.record("not filled: \(result.outcome)")
            return
        }
        #expect(fill.amountOut == quote)
        #expect(fill.amountIn == amountIn)
        #expect(change == quote)
        #expect(try await send.balance(send.weth) - wethBefore == quote)
        #expect(result.route == .publicMempool(endpoint: send.client.healthyEndpoint.redacted))
        // The allowance was 0: one approval, told, before the swap; then the swap's own events.
        let told = events.all
        guard told.count == 7, case .approvalSent(let token, let spender, let amount, _, _) = told[0],
              case .approvalConfirmed = told[1], case .simulated(_, _, let minimum) = told[2],
              case .signed(let signed, let signedNonce, _) = told[3], case .sent(let hash, let nonce, _) = told[4],
              case .mined = told[5], case .confirmed(_, let depth) = told[6] else {
            Issue.record("events: \(told)")
            return
        }
        #expect(token == send.usdc && spender == send.swapRouter && amount == (BigUInt(1) << 256) - 1)
        #expect(minimum == (try SlippageBound(basisPoints: 50)).minimumOutput(quote: quote))
        #expect(hash == result.hash && depth >= 3)
        // The hash a journal writes down before the send is the one that landed.
        #expect(signed == hash && signedNonce == nonce)
        // A second swap finds the allowance: no approval this time, the next nonce.
        let second = EventLog()
        let quote2 = try await send.quoteV3(usdcIn: amountIn)
        let again = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quote2), patience: send.mining,
                                               report: { second.record($0) })
        guard case .filled(let fill2, _) = again.outcome else { Issue.record("second not filled"); return }
        #expect(fill2.amountOut == quote2)
        #expect(!second.all.contains { if case .approvalSent = $0 { true } else { false } })
        #expect(again.nonce == result.nonce + 1)
    }

    @Test func aTwoHopV3SwapAlongAPathFillsQuoterV2sPathQuote() async throws {
        let send = try await SwapSendScene.start()
        let wbtc = try EthereumAddress(parsing: try send.deployments.token("WBTC").address)
        let amountIn: BigUInt = 10_000_000 // 0.1 WBTC
        try await send.node.send(from: send.deployments.deployer, to: wbtc.checksummed,
                                 data: try ERC20Call.transfer(to: send.trader.address, amount: amountIn))
        let path = try V3Path(tokens: [wbtc, send.weth, send.usdc], fees: [3000, 500])
        let quote = try QuoterV2Call.decodePathQuote(
            try await send.ethCall(send.quoter, try QuoterV2Call.quoteExactInput(path: path, amountIn: amountIn)))
        let usdcBefore = try await send.balance(send.usdc)
        // The last pool pays the USDC: its Swap log is the fill.
        let plan = SwapPlan(venue: .uniswapV3Path(router: send.swapRouter, path: path), pool: send.pool500, tokenIn: wbtc,
                            tokenOut: send.usdc, amountIn: amountIn, quotedOut: quote,
                            slippage: try SlippageBound(basisPoints: 50), recipient: send.trader.address)
        let result = try await send.executor().execute(plan, patience: send.mining)
        guard case .filled(let fill, let change) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(fill.amountOut == quote && change == quote)
        #expect(try await send.balance(send.usdc) - usdcBefore == quote)
        // A path that does not end in tokenOut is refused before anything is signed.
        var wrongEnd = plan
        wrongEnd.tokenOut = send.weth
        await #expect(throws: SwapError.calldata(.pathEnds(from: wbtc, to: send.usdc))) {
            _ = try await send.executor().execute(wrongEnd, patience: send.mining)
        }
    }

    @Test func theNodesOwnNextBaseFeeIsTheEIPsFormulaAndTheQuoteIsBuiltFromIt() async throws {
        let send = try await SwapSendScene.start()
        // py-evm computes the next block's base fee itself (the last entry of eth_feeHistory's baseFeePerGas):
        // dexter's integer rule from the latest header must give the same wei.
        let history = try FeeHistory(try await send.client.call("eth_feeHistory", ["0x5", "latest", [50]]))
        let latest = try await send.client.call("eth_getBlockByNumber", ["latest", false])
        let formula = BaseFeeRule.next(parentBaseFee: try latest.member("baseFeePerGas").quantity(),
                                       parentGasUsed: try latest.member("gasUsed").quantity(),
                                       parentGasLimit: try latest.member("gasLimit").quantity())
        #expect(history.nodeNextBaseFee == formula)
        #expect(history.baseFeePerGas.count == 6 && history.reward.count == 5)
        let quote = try FeePlanner.quote(history: history, latestBaseFee: try latest.member("baseFeePerGas").quantity(),
                                         latestGasUsed: try latest.member("gasUsed").quantity(),
                                         latestGasLimit: try latest.member("gasLimit").quantity(), gasEstimate: 100_000,
                                         policy: FeePolicy(maxFeePerGasCap: 500_000_000_000))
        #expect(quote.maxFeePerGas == 2 * formula + quote.maxPriorityFeePerGas)
        #expect(quote.gasLimit == 120_000)
    }

    @Test func twoSwapsAtOnceFromOneWalletTakeTwoNonces() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        let amountIn: BigUInt = 1_000 * 1_000_000
        // Approved first, so that both swaps reach their nonces at the same moment.
        _ = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: try await send.quoteV3(usdcIn: amountIn)),
                                       patience: SwapSendScene.once)
        let quote = try await send.quoteV3(usdcIn: amountIn)
        // Slippage wide enough for either to go second.
        async let first = executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quote, slippageBasisPoints: 100),
                                           patience: SwapSendScene.once)
        async let second = executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quote, slippageBasisPoints: 100),
                                            patience: SwapSendScene.once)
        let results = try await [first, second]
        #expect(Set(results.map(\.nonce)).count == 2)
        for result in results {
            guard case .filled = result.outcome else { Issue.record("\(result.outcome)"); continue }
        }
    }

    @Test func aV2SwapOnOurRouterWrapsWhatItLacksAndFillsTheRoutersQuote() async throws {
        let send = try await SwapSendScene.start()
        let wethIn = BigUInt(10).power(18)
        // The trader holds 0.25 WETH: the executor wraps the other 0.75 ETH before approving and swapping.
        try await send.wrap(wethIn / 4)
        let quote = try await send.quoteV2(wethIn: wethIn)
        let usdcBefore = try await send.balance(send.usdc)
        let plan = try send.v2Plan(wethIn: wethIn, quotedOut: quote)
        let events = EventLog()
        let result = try await send.executor(wrappedNative: send.weth).execute(plan, patience: send.mining,
                                                                               report: { events.record($0) })
        guard case .filled(let fill, let change) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(fill.amountOut == quote && fill.amountIn == wethIn && change == quote)
        #expect(try await send.balance(send.usdc) - usdcBefore == quote)
        guard case .wrapped(let token, let amount, _, _) = events.all.first else { Issue.record("\(events.all)"); return }
        #expect(token == send.weth && amount == wethIn * 3 / 4)
        #expect(try await send.balance(send.weth) == 0)
    }

    @Test func aMinimumAboveTheQuoteIsRefusedWithTheRoutersReasonAndNothingIsSent() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        let amountIn: BigUInt = 5_000 * 1_000_000
        let quote = try await send.quoteV3(usdcIn: amountIn)
        // Approve first (a normal swap), so that the refusal is the minimum's alone.
        _ = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: try await send.quoteV3(usdcIn: amountIn)),
                                       patience: send.mining)
        let next = try await send.nonce()
        let quoteNow = try await send.quoteV3(usdcIn: amountIn)
        #expect(quoteNow < quote)
        await #expect(throws: SwapError.refused(stage: "eth_estimateGas", reason: .message("Too little received"))) {
            _ = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quoteNow + 1, slippageBasisPoints: 0),
                                           patience: send.mining)
        }
        #expect(try await send.nonce("pending") == next)

        // Our Vyper V2 router says it its way.
        let wethIn = BigUInt(10).power(17)
        try await send.wrap(wethIn)
        let v2Quote = try await send.quoteV2(wethIn: wethIn)
        let plan = try send.v2Plan(wethIn: wethIn, quotedOut: v2Quote + 1, slippageBasisPoints: 0)
        do {
            _ = try await executor.execute(plan, patience: send.mining)
            Issue.record("a V2 minimum above the quote was sent")
        } catch {
            guard case .refused(_, .message(let words)) = error else { Issue.record("\(error)"); return }
            #expect(words == "UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT")
        }
    }

    @Test func aSwapFrontRunAfterItsSimulationIsMinedAsAFailureWithItsReason() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        let amountIn: BigUInt = 10_000 * 1_000_000
        _ = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: try await send.quoteV3(usdcIn: amountIn)),
                                       patience: send.mining)
        let quote = try await send.quoteV3(usdcIn: amountIn)
        // Between the simulation and the send, someone else's swap moves the pool our way: amountOutMinimum (10 bps
        // under the quote) holds and the transaction fails on chain rather than fill worse.
        let result = try await executor.execute(try send.v3Plan(usdcIn: amountIn, quotedOut: quote, slippageBasisPoints: 10),
                                                patience: send.mining, report: { event in
            if case .simulated = event { try? await send.frontRun(usdcIn: 200_000 * 1_000_000) }
        })
        #expect(!result.receipt.succeeded)
        #expect(result.outcome == .failed(.message("Too little received")))
    }
}
