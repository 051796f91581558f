import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterNet
import Foundation
import Testing
import TestServers

/// OneInchClient against the local 1inch Swap API v6.0 server (Tests/Servers/oneinch): exact amounts from the
/// server's book, its transaction, and every error typed, the key in none of them.
struct AggregatorOneInchTests {
    typealias T = AggregatorTokens

    func client(_ server: LocalOneInch, key: String = LocalOneInch.apiKey, chain: UInt64 = 1,
                clock: AggregatorTestClock = AggregatorTestClock(), timeout: Duration = .seconds(5)) -> OneInchClient {
        OneInchClient(apiKey: key, chainId: chain, baseURL: server.restURL, clock: clock, timeout: timeout)
    }

    @Test func aQuoteIsTheBookMathToTheUnit() async throws {
        let server = try LocalOneInch()
        let book = try await AggregatorBook(server)
        let clock = AggregatorTestClock()
        let oneInch = client(server, clock: clock)
        for (sell, buy, amount) in [(T.weth, T.usdc, T.oneEther), (T.usdc, T.weth, BigUInt(2_500_000_000)),
                                    (T.weth, T.dai, T.oneEther * 37 / 10)] {
            let quote = try await oneInch.quote(sell: sell, buy: buy, amount: amount)
            #expect(quote.buyAmount == book.amountOut(amount, sell: sell, buy: buy))
            #expect(quote.source == .oneInch && quote.chainId == 1 && quote.sellToken == sell && quote.buyToken == buy)
            #expect(quote.sellAmount == amount && quote.minimumBuyAmount == nil && quote.transaction == nil)
            #expect(quote.gas == 150_000 && quote.route == ["UNISWAP_V2"] && quote.receivedAt == clock.now())
        }
        // One by hand: 1 WETH into 1,000 WETH / 3,000,000 USDC at 0.3 %.
        #expect(try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther).buyAmount == 2_988_020_943)
    }

    @Test func aSwapCarriesTheTransactionBuiltForTheTaker() async throws {
        let server = try LocalOneInch()
        let book = try await AggregatorBook(server)
        let swap = try await client(server).swap(sell: T.weth, buy: T.usdc, amount: T.oneEther, from: T.taker,
                                                 slippageBps: 50)
        let expected = try #require(book.amountOut(T.oneEther, sell: T.weth, buy: T.usdc))
        #expect(swap.buyAmount == expected)
        let tx = try #require(swap.transaction)
        #expect(tx.from == T.taker && tx.value == 0 && tx.gas == 180_000 && tx.gasPrice == 20_000_000_000)
        #expect(tx.to == (try EthereumAddress(parsing: "0x111111125421cA6dc452d289314280a0f8842A65")))
        // The server's stand-in calldata: selector, then src, dst, amount, minReturn, receiver as words. minReturn is
        // 99.5 % of the quote: the slippage went over as 1inch's percent, "0.5".
        #expect(tx.data.count == 4 + 5 * 32)
        #expect(BigUInt(Data(tx.data[4 + 96..<4 + 128])) == expected * 995 / 1000)
        let query = (try await server.read("/control/requests") as! [String: Any])["last"] as! [String: Any]
        #expect((query["query"] as! [String: String])["slippage"] == "0.5")
    }

    @Test func slippageIsWrittenAsOneInchsPercent() {
        #expect(OneInchClient.percent(50) == "0.5")
        #expect(OneInchClient.percent(100) == "1")
        #expect(OneInchClient.percent(5) == "0.05")
        #expect(OneInchClient.percent(125) == "1.25")
        #expect(OneInchClient.percent(0) == "0")
    }

    @Test func refusalsAreTypedWithTheAPIsFields() async throws {
        let server = try LocalOneInch()
        let oneInch = client(server)
        let stranger = try EthereumAddress(parsing: "0x" + String(repeating: "12", count: 20))
        let unknown = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: stranger, amount: T.oneEther)
        }
        guard case .rejected(.oneInch, 400, let api?) = unknown else { Issue.record("\(String(describing: unknown))"); return }
        #expect(api.code == "Bad Request" && api.message.contains("not found") && api.requestId != nil)
        #expect(api.details == ["dst: \(stranger.checksummed)"])

        let chain = await #expect(throws: AggregatorError.self) {
            try await client(server, chain: 999).quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        guard case .rejected(.oneInch, 400, let chainAPI?) = chain else { Issue.record("\(String(describing: chain))"); return }
        #expect(chainAPI.message.contains("999"))

        let dry = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: T.usdt, amount: T.oneEther)
        }
        guard case .noLiquidity(.oneInch, let requestId?) = dry else { Issue.record("\(String(describing: dry))"); return }
        #expect(!requestId.isEmpty)
    }

    @Test func aRateLimitStopsTheClientUntilRetryAfter() async throws {
        let server = try LocalOneInch()
        let clock = AggregatorTestClock()
        let oneInch = client(server, clock: clock)
        try await server.control("/control/fault", ["type": "rate_limit", "retryAfter": 7])
        let start = clock.now()
        let limited = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        #expect(limited == .rateLimited(.oneInch, retryAfter: .seconds(7), until: start.adding(.seconds(7))))
        // Within the stop nothing leaves: the server sees no request.
        let seen = try await server.requestCount()
        clock.advance(.seconds(6))
        let stillLimited = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        #expect(stillLimited == .rateLimited(.oneInch, retryAfter: .seconds(1), until: start.adding(.seconds(7))))
        #expect(try await server.requestCount() == seen)
        clock.advance(.seconds(1))
        #expect(try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther).buyAmount == 2_988_020_943)
        #expect(try await server.requestCount() == seen + 1)

        // No Retry-After: a minute.
        try await server.control("/control/fault", ["type": "rate_limit", "retryAfter": NSNull()])
        let bare = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        #expect(bare == .rateLimited(.oneInch, retryAfter: .seconds(60), until: clock.now().adding(.seconds(60))))
    }

    @Test func faultsGiveTheirTypedErrors() async throws {
        let server = try LocalOneInch()
        let oneInch = client(server, timeout: .milliseconds(400))
        try await server.control("/control/fault", ["type": "http_error", "status": 500])
        let bare = await #expect(throws: AggregatorError.self) {
            try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        #expect(bare == .rejected(.oneInch, status: 500, api: nil))

        try await server.control("/control/fault", ["type": "malformed"])
        let cut = await #expect(throws: AggregatorError.self) {
            try await oneInch.swap(sell: T.weth, buy: T.usdc, amount: T.oneEther, from: T.taker, slippageBps: 100)
        }
        guard case .malformed(let parse) = cut else { Issue.record("\(String(describing: cut))"); return }
        #expect(parse.source == "1inch" && parse.message == "swap" && parse.offset > 0)

        // A transaction built for another sender is not the one asked for.
        try await server.control("/control/fault", ["type": "mismatch"])
        let other = await #expect(throws: AggregatorError.self) {
            try await oneInch.swap(sell: T.weth, buy: T.usdc, amount: T.oneEther, from: T.taker, slippageBps: 100)
        }
        guard case .malformed(let wrong) = other else { Issue.record("\(String(describing: other))"); return }
        #expect(wrong.field == "tx.from")
        for fault in ["drop", "delay"] {
            try await server.control("/control/fault", ["type": fault, "seconds": 3])
            let lost = await #expect(throws: AggregatorError.self) {
                try await oneInch.quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
            }
            guard case .outcomeUnknown(.oneInch, _) = lost else { Issue.record("\(fault): \(String(describing: lost))"); continue }
        }
        let refused = await #expect(throws: AggregatorError.self) {
            try await OneInchClient(apiKey: "k", chainId: 1, baseURL: "http://127.0.0.1:1")
                .quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        guard case .unreachable(.oneInch, _) = refused else { Issue.record("\(String(describing: refused))"); return }
    }

    @Test func theKeyIsInNoError() async throws {
        let server = try LocalOneInch()
        let wrongKey = "sk-live-DO-NOT-LEAK-0123456789"
        // The server echoes a bad Authorization header in its 401: the client must not carry it on.
        let unauthorized = await #expect(throws: AggregatorError.self) {
            try await client(server, key: wrongKey).quote(sell: T.weth, buy: T.usdc, amount: T.oneEther)
        }
        guard case .rejected(.oneInch, 401, let api?) = unauthorized else {
            Issue.record("\(String(describing: unauthorized))")
            return
        }
        #expect(api.message.contains("<api key>"))
        var errors: [AggregatorError] = [try #require(unauthorized)]
        let leaky = client(server, key: wrongKey, timeout: .milliseconds(400))
        for fault in ["http_error", "malformed", "drop", "rate_limit"] {  // rate_limit last: it stops the client
            try await server.control("/control/fault", ["type": fault])
            do {
                _ = try await leaky.swap(sell: T.weth, buy: T.usdc, amount: T.oneEther, from: T.taker, slippageBps: 10)
            } catch {
                errors.append(error)
            }
        }
        #expect(errors.count == 5)
        for error in errors {
            #expect(!"\(error)".contains(wrongKey) && !String(reflecting: error).contains(wrongKey))
        }
    }
}
