import BigInt
import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Logging
import Synchronization
import Testing
import TestServers

/// AggregatorPoller against the local 1inch and 0x servers: their quotes reach the desk as indications, exact to the
/// base unit, the reference price moves with the servers' books, and faults leave the last quote aging, logged once.
struct AggregatorPollerTests {
    typealias T = AggregatorTokens
    static let ethUSDC = Symbol(base: "ETH", quote: "USDC")
    static let pair = AggregatorPair(symbol: ethUSDC, base: T.weth, baseDecimals: 18, quote: T.usdc, quoteDecimals: 6)

    static func feed(_ client: any AggregatorPriceSource, weight: Double = 1, staleness: Duration = .seconds(600))
        -> AggregatorFeed {
        AggregatorFeed(client: client, refreshInterval: .milliseconds(100), stalenessBound: staleness, weight: weight,
                       quoteSize: .one)
    }

    /// The desk's side of the inbox: every drained event applied to one market state.
    final class Desk: Sendable {
        let inbox = VenueInbox()
        private let state = Mutex(MarketState())

        func drain() -> MarketState {
            let batch = inbox.drain()
            return state.withLock { state in
                for event in batch.market { state.apply(event) }
                return state
            }
        }

        func indication(_ source: VenueId) -> PriceIndication? { drain().indications[AggregatorPollerTests.ethUSDC]?[source] }
    }

    static func usdc(_ units: BigUInt) -> FixedDecimal { FixedDecimal(units: Int128(units), decimals: 6) }

    /// Both aggregators' quotes of 1 ETH arrive as indications equal to their books' math; the reference is their
    /// weighted median, and it follows 1inch's book, the heavier, when the test moves it.
    @Test func theReferenceMovesWithTheAggregatorsBooks() async throws {
        let oneInchServer = try LocalOneInch()
        let zeroExServer = try LocalZeroEx()
        let oneInch = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: 1, baseURL: oneInchServer.restURL)
        let zeroEx = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: 1, baseURL: zeroExServer.restURL)
        let poller = AggregatorPoller(chain: "ethereum", feeds: [Self.feed(oneInch, weight: 3), Self.feed(zeroEx)],
                                      pairs: [Self.pair])
        let desk = Desk()
        poller.start(into: desk.inbox)
        defer { poller.stop() }
        let oneInchId = AggregatorPoller.sourceId(.oneInch, chain: "ethereum")
        let zeroExId = AggregatorPoller.sourceId(.zeroEx, chain: "ethereum")
        #expect(oneInchId == "1inch@ethereum" && zeroExId == "0x@ethereum")

        let before = try #require(try await AggregatorBook(oneInchServer).amountOut(T.oneEther, sell: T.weth, buy: T.usdc))
        let zeroExOut = try #require(try await AggregatorBook(zeroExServer).amountOut(T.oneEther, sell: T.weth, buy: T.usdc))
        #expect(try await FeedScene.eventually(30) {
            desk.indication(oneInchId) != nil && desk.indication(zeroExId) != nil
        })
        let first = try #require(desk.indication(oneInchId))
        #expect(first.baseAmount == .one && first.quoteAmount == Self.usdc(before) && first.weight == 3)
        #expect(desk.indication(zeroExId)?.quoteAmount == Self.usdc(zeroExOut))
        let opening = try #require(desk.drain().reference(of: "ETH", in: "USDC"))
        #expect(Set(opening.sources.map(\.venue)) == [oneInchId, zeroExId] && opening.sources.allSatisfy(\.isIndication))

        // 1inch's book moves 10 % up: its next quotes, and the reference (where its weight of 3 against 1 puts the
        // center), follow.
        _ = try await oneInchServer.control("/control/book", ["pools": [
            ["token0": "WETH", "token1": "USDC", "reserve0": String(1_000 * T.oneEther),
             "reserve1": String(BigUInt(3_300_000) * 1_000_000), "feeBps": 30],
        ]])
        let after = try #require(try await AggregatorBook(oneInchServer).amountOut(T.oneEther, sell: T.weth, buy: T.usdc))
        #expect(after > before)
        #expect(try await FeedScene.eventually(30) { desk.indication(oneInchId)?.quoteAmount == Self.usdc(after) })
        let moved = try #require(desk.drain().reference(of: "ETH", in: "USDC"))
        #expect(moved.value == Self.usdc(after).doubleValue)
        #expect(moved.value > opening.value)
        #expect(poller.failures.isEmpty)
    }

    /// 5xx, a cut body, a dropped connection, a timeout and a 429 each post nothing: the last indication stays as it
    /// was, aging; each pair's failure is logged once, and once more when it answers again.
    @Test func faultsLeaveTheLastQuoteAgingLoggedOnce() async throws {
        let server = try LocalOneInch()
        let lines = LogLines()
        let logger = Logger(label: "test.aggregators") { _ in LogLines.Handler(lines: lines) }
        let client = OneInchClient(apiKey: LocalOneInch.apiKey, chainId: 1, baseURL: server.restURL,
                                   timeout: .milliseconds(500))
        let feed = Self.feed(client)
        let poller = AggregatorPoller(chain: "ethereum", feeds: [feed], pairs: [Self.pair], logger: logger)
        let desk = Desk()
        let source = AggregatorPoller.sourceId(.oneInch, chain: "ethereum")
        let key = PriceIndication.Key(source: source, symbol: Self.ethUSDC)

        #expect(await poller.round(feed, into: desk.inbox).count == 1)
        let last = try #require(desk.indication(source))
        let faults: [[String: Any]] = [["type": "http_error", "status": 503], ["type": "malformed"], ["type": "drop"],
                                       ["type": "delay", "seconds": 2], ["type": "rate_limit", "retryAfter": 1]]
        for fault in faults {
            _ = try await server.control("/control/fault", fault)
            #expect(await poller.round(feed, into: desk.inbox).isEmpty, "\(fault)")
            #expect(desk.indication(source) == last, "the last quote stays, aging")
            #expect(poller.failures[key] != nil)
        }
        let warnings = lines.all.filter { $0.contains("no quote") }
        #expect(warnings.count == 1, "\(lines.all)")
        #expect(warnings.first?.contains("503") == true, "the first failure is the one named: \(warnings)")
        #expect(!lines.all.joined().contains(LocalOneInch.apiKey))

        // The 429 stopped the client for its Retry-After (1 s): a wait, then it answers again, said once.
        #expect(try await FeedScene.eventually(30) { await !poller.round(feed, into: desk.inbox).isEmpty })
        #expect(poller.failures.isEmpty)
        let fresh = try #require(desk.indication(source))
        #expect(fresh.receivedAt > last.receivedAt && fresh.quoteAmount == last.quoteAmount)
        #expect(lines.all.filter { $0.contains("answering again") }.count == 1)
    }

    /// The poller's own tasks keep going through failures: an API that is down at first is polled until it answers.
    @Test func aPollerOutlivesAnAPIThatIsDown() async throws {
        let server = try LocalZeroEx()
        _ = try await server.control("/control/fault", ["type": "http_error", "status": 500, "count": 5])
        let client = ZeroExClient(apiKey: LocalZeroEx.apiKey, chainId: 1, baseURL: server.restURL)
        let poller = AggregatorPoller(chain: "ethereum", feeds: [Self.feed(client)], pairs: [Self.pair])
        let desk = Desk()
        poller.start(into: desk.inbox)
        defer { poller.stop() }
        let source = AggregatorPoller.sourceId(.zeroEx, chain: "ethereum")
        #expect(try await FeedScene.eventually(30) { desk.indication(source) != nil })
        #expect(try await server.requestCount() >= 6)
    }
}

/// Log lines kept for a test to read.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    struct Handler: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { lines.append("\(event.level) \(event.message)") }
    }
}
