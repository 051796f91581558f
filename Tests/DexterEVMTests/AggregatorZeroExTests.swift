import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import Foundation
import Testing
import TestServers

/// ZeroExClient against the local 0x Swap API v2 server (Tests/Servers/zeroex): exact amounts from the server's book,
/// minBuyAmount, issues, the transaction, and every error typed, the key in none of them.
struct AggregatorZeroExTests {
    typealias T = AggregatorTokens

    func client(_ server: LocalZeroEx, key: String = LocalZeroEx.apiKey, chain: UInt64 = 1,
                allowance: ZeroExClient.Allowance = .allowanceHolder, clock: AggregatorTestClock = AggregatorTestClock(),
                timeout: Duration = .seconds(5)) -> ZeroExClient {
        ZeroExClient(apiKey: key, chainId: chain, allowance: allowance, baseURL: server.restURL, clock: clock,
                     timeout: timeout)
    }

    @Test func aPriceIsTheBookMathToTheUnit() async throws {
        let server = try LocalZeroEx()
        let book = try await AggregatorBook(server)
        let clock = AggregatorTestClock()
        for allowance in [ZeroExClient.Allowance.allowanceHolder, .permit2] {
            let zeroEx = client(server, allowance: allowance, clock: clock)
            for (sell, buy, amount) in [(T.weth, T.usdc, T.oneEther), (T.usdc, T.weth, BigUInt(2_500_000_000)),
                                        (T.dai, T.weth, T.oneEther * 4_321)] {
                let price = try await zeroEx.price(sell: sell, buy: buy, sellAmount: amount, slippageBps: 30)
                let expected = try #require(book.amountOut(amount, sell: sell, buy: buy))
                #expect(price.buyAmount == expected && price.minimumBuyAmount == expected * 9_970 / 10_000)
                #expect(price.source == .zeroEx && price.sellToken == sell && price.buyToken == buy)
                #expect(price.sellAmount == amount && price.gas == 180_000 && price.route == ["Uniswap_V2"])
                #expect(price.transaction == nil && price.issues.isEmpty && price.receivedAt == clock.now())
            }
        }
        // Through the price-source face the reference price sees: both APIs alike.
        let sources: [any AggregatorPriceSource] = [client(server)]
        #expect(try await sources[0].indicativeQuote(sell: T.weth, buy: T.usdc, amount: T.oneEther).buyAmount
            == 2_988_020_943)
    }

    @Test func aFirmQuoteCarriesTheTransaction() async throws {
        let server = try LocalZeroEx()
        let book = try await AggregatorBook(server)
        let quote = try await client(server).quote(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther, taker: T.taker)
        let expected = try #require(book.amountOut(T.oneEther, sell: T.weth, buy: T.usdc))
        #expect(quote.buyAmount == expected && quote.minimumBuyAmount == expected * 99 / 100)
        let tx = try #require(quote.transaction)
        #expect(tx.to == (try EthereumAddress(parsing: "0x0000000000001fF3684f28c67538d4D072C22734")))
        #expect(tx.from == nil && tx.value == 0 && tx.gas == 180_000 && quote.gas == 180_000)
        #expect(Array(tx.data.prefix(4)) == [0x22, 0x13, 0xbc, 0x0b])
        #expect(BigUInt(Data(tx.data[4 + 96..<4 + 128])) == quote.minimumBuyAmount)
        let last = (try await server.read("/control/requests") as! [String: Any])["last"] as! [String: Any]
        #expect(last["version"] as? String == "v2")
        // A permit2 quote's transaction needs the taker's signature appended: dexter gives none.
        let permit2 = try await client(server, allowance: .permit2).quote(sell: T.weth, buy: T.usdc,
                                                                          sellAmount: T.oneEther, taker: T.taker)
        #expect(permit2.transaction == nil && permit2.buyAmount == expected)
    }

    @Test func issuesTellWhatTheTakerLacks() async throws {
        let server = try LocalZeroEx()
        try await server.control("/control/taker", ["address": T.taker.checksummed,
                                                    "balances": ["WETH": "500000000000000000"],
                                                    "allowances": ["WETH": "3"]])
        let price = try await client(server).price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther, taker: T.taker)
        let holder = try EthereumAddress(parsing: "0x0000000000001fF3684f28c67538d4D072C22734")
        #expect(price.issues == [.allowance(spender: holder, actual: 3),
                                 .balance(token: T.weth, actual: T.oneEther / 2, expected: T.oneEther)])
    }

    @Test func refusalsAreTypedWithTheAPIsFields() async throws {
        let server = try LocalZeroEx()
        let zeroEx = client(server)
        let stranger = try EthereumAddress(parsing: "0x" + String(repeating: "12", count: 20))
        let unknown = await #expect(throws: AggregatorError.self) {
            try await zeroEx.price(sell: stranger, buy: T.usdc, sellAmount: T.oneEther)
        }
        guard case .rejected(.zeroEx, 400, let api?) = unknown else { Issue.record("\(String(describing: unknown))"); return }
        #expect(api.code == "TOKEN_NOT_SUPPORTED" && api.requestId?.hasPrefix("0x") == true)

        let chain = await #expect(throws: AggregatorError.self) {
            try await client(server, chain: 5).price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther)
        }
        guard case .rejected(.zeroEx, 400, let chainAPI?) = chain else { Issue.record("\(String(describing: chain))"); return }
        #expect(chainAPI.code == "INPUT_INVALID" && chainAPI.details == ["chainId: Chain 5 is not supported"])

        let dry = await #expect(throws: AggregatorError.self) {
            try await zeroEx.quote(sell: T.weth, buy: T.usdt, sellAmount: T.oneEther, taker: T.taker)
        }
        guard case .noLiquidity(.zeroEx, let zid?) = dry else { Issue.record("\(String(describing: dry))"); return }
        #expect(zid.hasPrefix("0x"))
    }

    @Test func aRateLimitStopsTheClientUntilRetryAfter() async throws {
        let server = try LocalZeroEx()
        let clock = AggregatorTestClock()
        let zeroEx = client(server, clock: clock)
        try await server.control("/control/fault", ["type": "rate_limit", "retryAfter": 3])
        let start = clock.now()
        let limited = await #expect(throws: AggregatorError.self) {
            try await zeroEx.price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther)
        }
        #expect(limited == .rateLimited(.zeroEx, retryAfter: .seconds(3), until: start.adding(.seconds(3))))
        let seen = try await server.requestCount()
        let again = await #expect(throws: AggregatorError.self) {
            try await zeroEx.quote(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther, taker: T.taker)
        }
        #expect(again == limited)
        #expect(try await server.requestCount() == seen)
        clock.advance(.seconds(3))
        #expect(try await zeroEx.price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther).buyAmount == 2_988_020_943)
    }

    @Test func faultsGiveTheirTypedErrors() async throws {
        let server = try LocalZeroEx()
        let zeroEx = client(server, timeout: .milliseconds(400))
        try await server.control("/control/fault", ["type": "http_error", "status": 503])
        let bare = await #expect(throws: AggregatorError.self) {
            try await zeroEx.price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther)
        }
        #expect(bare == .rejected(.zeroEx, status: 503, api: nil))
        try await server.control("/control/fault", ["type": "malformed"])
        let cut = await #expect(throws: AggregatorError.self) {
            try await zeroEx.quote(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther, taker: T.taker)
        }
        guard case .malformed(let parse) = cut else { Issue.record("\(String(describing: cut))"); return }
        #expect(parse.source == "0x" && parse.message == "quote")
        // An answer for another amount is not an answer to this request.
        try await server.control("/control/fault", ["type": "mismatch"])
        let other = await #expect(throws: AggregatorError.self) {
            try await zeroEx.price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther)
        }
        guard case .malformed(let wrong) = other else { Issue.record("\(String(describing: other))"); return }
        #expect(wrong.field == "sellAmount" && wrong.problem == "answers for \(T.oneEther + 1), asked \(T.oneEther)")
        for fault in ["drop", "delay"] {
            try await server.control("/control/fault", ["type": fault, "seconds": 3])
            let lost = await #expect(throws: AggregatorError.self) {
                try await zeroEx.price(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther)
            }
            guard case .outcomeUnknown(.zeroEx, _) = lost else { Issue.record("\(fault): \(String(describing: lost))"); continue }
        }
    }

    @Test func theKeyIsInNoError() async throws {
        let server = try LocalZeroEx()
        let wrongKey = "0x-live-DO-NOT-LEAK-9876543210"
        let leaky = client(server, key: wrongKey, timeout: .milliseconds(400))
        var errors: [AggregatorError] = []
        for fault in ["none", "http_error", "malformed", "drop", "rate_limit"] {
            if fault != "none" { try await server.control("/control/fault", ["type": fault]) }
            do {
                _ = try await leaky.quote(sell: T.weth, buy: T.usdc, sellAmount: T.oneEther, taker: T.taker)
            } catch {
                errors.append(error)
            }
        }
        #expect(errors.count == 5)
        guard case .rejected(.zeroEx, 401, let api?) = errors.first else { Issue.record("\(errors)"); return }
        #expect(api.code == "UNAUTHORIZED" && api.message.contains("<api key>"))
        for error in errors {
            #expect(!"\(error)".contains(wrongKey) && !String(reflecting: error).contains(wrongKey))
        }
    }
}
