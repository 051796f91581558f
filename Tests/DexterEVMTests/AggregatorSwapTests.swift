import BigInt
import DexterCrypto
@testable import DexterEVM
import Foundation
import Testing
import TestServers

/// An aggregator's transaction executed on the local node: the local 1inch and 0x servers in local-chain mode build
/// real calldata for the node's V2 router, priced from a book set to that router's pair, so what they quote is what
/// the chain fills. The fill is read from the receipt's Transfer logs and equals the wallet's balance changes to the
/// wei; a transaction to another address than the configured router is refused before signing, one that reverts at
/// the latest block is refused with the router's reason and nothing is sent.
@Suite(.serialized) struct AggregatorSwapTests {
    /// The servers' arguments for the scene's chain: its tokens at their local addresses, swaps through its router.
    static func localChain(_ send: SwapSendScene) -> [String] {
        ["--chain", "\(send.node.chainId)", "--token", "WETH=\(send.weth.checksummed)",
         "--token", "USDC=\(send.usdc.checksummed)", "--v2-router", send.v2Router.checksummed]
    }

    /// The server's book set to the V2 pair's reserves as the chain has them now (times `scaleWETH` on the WETH side).
    static func mirror(_ send: SwapSendScene, into server: LocalServer, scaleWETH: BigUInt = 1) async throws {
        let answer = try await send.ethCall(send.v2Pair, [0x09, 0x02, 0xf1, 0xac])   // getReserves()
        let reserve0 = BigUInt(Data(answer[0..<32])), reserve1 = BigUInt(Data(answer[32..<64]))
        let wethIsToken0 = send.weth.bytes.lexicographicallyPrecedes(send.usdc.bytes)
        let (weth, usdc) = wethIsToken0 ? (reserve0, reserve1) : (reserve1, reserve0)
        _ = try await server.control("/control/book", ["pools": [
            ["token0": "WETH", "token1": "USDC", "reserve0": String(weth * scaleWETH), "reserve1": String(usdc),
             "feeBps": 30],
        ]])
    }

    static func localRouter(_ send: SwapSendScene) -> AggregatorContracts {
        AggregatorContracts(router: send.v2Router, spender: send.v2Router)
    }

    /// Sells USDC through `quote`'s transaction; checks the fill against the balances and the quote.
    func sellLands(_ send: SwapSendScene, _ quote: AggregatorQuote, slippageBps: Int) async throws {
        let executor = try send.executor()
        let amountIn = quote.sellAmount
        let minimum = quote.buyAmount * 99 / 100
        let plan = try AggregatorSwapPlan.checked(quote, sell: send.usdc, buy: send.weth, amountIn: amountIn,
                                                  minimumOut: minimum, slippageBps: slippageBps,
                                                  chainId: UInt64(send.node.chainId), wallet: send.trader.address,
                                                  contracts: Self.localRouter(send), screen: { _ in nil })
        let usdcBefore = try await send.balance(send.usdc), wethBefore = try await send.balance(send.weth)
        let result = try await executor.execute(plan, patience: send.mining)
        guard case .filled(let fill, let change) = result.outcome else { Issue.record("\(result.outcome)"); return }
        let usdcAfter = try await send.balance(send.usdc), wethAfter = try await send.balance(send.weth)
        // The Transfer logs are what left and reached the wallet, to the wei; the book mirrored the pair, so the chain
        // filled exactly what the API quoted.
        #expect(fill.amountIn == amountIn && usdcBefore - usdcAfter == fill.amountIn)
        #expect(fill.amountOut == wethAfter - wethBefore && fill.amountOut == change)
        #expect(fill.amountOut == quote.buyAmount)
        #expect(result.receipt.succeeded && result.receipt.logs.contains { $0.address == send.v2Pair })
    }

    @Test func aSellThroughOneInchsTransactionLandsAndItsTransferLogsAreTheFill() async throws {
        let send = try await SwapSendScene.start()
        let server = try LocalOneInch(Self.localChain(send))
        try await Self.mirror(send, into: server)
        let client = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: UInt64(send.node.chainId), baseURL: server.restURL)
        let quote = try await client.swap(sell: send.usdc, buy: send.weth, amount: 5_000 * 1_000_000,
                                          from: send.trader.address, slippageBps: 50)
        #expect(quote.transaction?.to == send.v2Router)
        try await sellLands(send, quote, slippageBps: 50)
    }

    @Test func aSellThroughZeroExsTransactionLandsAndItsTransferLogsAreTheFill() async throws {
        let send = try await SwapSendScene.start()
        let server = try LocalZeroEx(Self.localChain(send))
        try await Self.mirror(send, into: server)
        let client = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: UInt64(send.node.chainId), baseURL: server.restURL)
        let quote = try await client.quote(sell: send.usdc, buy: send.weth, sellAmount: 5_000 * 1_000_000,
                                           taker: send.trader.address, slippageBps: 50)
        try await sellLands(send, quote, slippageBps: 50)
    }

    /// Before anything is signed: a `to` other than the configured router, a denied router, a minimum under the
    /// order's, each refused with what is wrong; the wallet's nonce does not move.
    @Test func aTransactionNotToTheConfiguredRouterIsRefusedUnsigned() async throws {
        let send = try await SwapSendScene.start()
        let server = try LocalOneInch(Self.localChain(send))
        try await Self.mirror(send, into: server)
        let client = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: UInt64(send.node.chainId), baseURL: server.restURL)
        let amountIn: BigUInt = 1_000 * 1_000_000
        let quote = try await client.swap(sell: send.usdc, buy: send.weth, amount: amountIn, from: send.trader.address,
                                          slippageBps: 50)
        let nonce = try await send.nonce("pending")
        func check(_ contracts: AggregatorContracts, minimum: BigUInt? = nil,
                   screen: (EthereumAddress) -> String? = { _ in nil }) throws -> AggregatorSwapPlan {
            try AggregatorSwapPlan.checked(quote, sell: send.usdc, buy: send.weth, amountIn: amountIn,
                                           minimumOut: minimum ?? quote.buyAmount * 99 / 100, slippageBps: 50,
                                           chainId: UInt64(send.node.chainId), wallet: send.trader.address,
                                           contracts: contracts, screen: screen)
        }
        let documented = AggregatorContracts.documented(.oneInch)
        #expect(throws: AggregatorRefusal.notTheRouter(.oneInch, to: send.v2Router, router: documented.router)) {
            try check(documented)
        }
        #expect(throws: AggregatorRefusal.denied(.oneInch, send.v2Router, reason: "flagged")) {
            try check(Self.localRouter(send), screen: { $0 == send.v2Router ? "flagged" : nil })
        }
        // 50 bps under the quote is below an order that takes 30 bps under it.
        let strict = quote.buyAmount * 9_970 / 10_000
        #expect(throws: AggregatorRefusal.minimumTooLow(.oneInch, minimum: quote.buyAmount * 9_950 / 10_000,
                                                        required: strict)) {
            try check(Self.localRouter(send), minimum: strict)
        }
        #expect(try await send.nonce("pending") == nonce)
        #expect(try check(Self.localRouter(send)).spender == send.v2Router)
    }

    /// 0x quotes from a book richer than the chain with no slippage: its minimum is more than the pair pays, so the
    /// eth_call at the latest block reverts with the router's reason and the swap is not sent.
    @Test func aTransactionThatRevertsAtTheLatestBlockIsRefusedWithTheReason() async throws {
        let send = try await SwapSendScene.start()
        let server = try LocalZeroEx(Self.localChain(send))
        let executor = try send.executor()
        let client = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: UInt64(send.node.chainId), baseURL: server.restURL)
        let amountIn: BigUInt = 1_000 * 1_000_000
        // A first swap that lands approves the router, so that the refusal is the minimum's alone.
        try await Self.mirror(send, into: server)
        let fair = try await client.quote(sell: send.usdc, buy: send.weth, sellAmount: amountIn, taker: send.trader.address)
        func plan(_ quote: AggregatorQuote) throws -> AggregatorSwapPlan {
            try AggregatorSwapPlan.checked(quote, sell: send.usdc, buy: send.weth, amountIn: amountIn, minimumOut: 1,
                                           slippageBps: 0, chainId: UInt64(send.node.chainId),
                                           wallet: send.trader.address, contracts: Self.localRouter(send),
                                           screen: { _ in nil })
        }
        _ = try await executor.execute(try plan(fair), patience: send.mining)

        try await Self.mirror(send, into: server, scaleWETH: 2)
        let rich = try await client.quote(sell: send.usdc, buy: send.weth, sellAmount: amountIn,
                                          taker: send.trader.address, slippageBps: 0)
        let nonce = try await send.nonce("pending")
        let checked = try plan(rich)
        do {
            _ = try await executor.execute(checked, patience: send.mining)
            Issue.record("a transaction that reverts was sent")
        } catch {
            guard case .refused(_, .message(let words)) = error else { Issue.record("\(error)"); return }
            #expect(words == "UniswapV2Router: INSUFFICIENT_OUTPUT_AMOUNT")
        }
        #expect(try await send.nonce("pending") == nonce)
    }
}
