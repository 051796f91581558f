@testable import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// Bybit v5 linear parsers and the book rule, on nautilus_trader's v5 fixtures (read from ../shared at run time:
/// vectors/exchanges/wire/bybit/nautilus, see its SOURCES.md) and on messages written from the docs.
struct BybitParserTests {
    static let fixtures = "vectors/exchanges/wire/bybit/nautilus/"

    static func fixture(_ name: String) throws -> Data { try Shared.data(fixtures + name) }

    static func book(_ text: String) throws -> BybitBookMessage {
        guard case .book(let message) = try BybitMarketData.publicMessage(Array(text.utf8)) else {
            throw WireParseError(venue: "test", message: text, field: nil, offset: 0, problem: "not a book")
        }
        return message
    }

    static func delta(_ u: UInt64, bids: String = "[]", asks: String = "[]", topic: String = "orderbook.50.BTCUSDT") -> String {
        #"{"topic":"\#(topic)","type":"delta","ts":1700000000000,"data":{"s":"BTCUSDT","b":\#(bids),"a":\#(asks),"u":\#(u),"seq":7},"cts":1700000000000}"#
    }

    static func snapshot(_ u: UInt64, bids: String, asks: String) -> String {
        #"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1700000000000,"data":{"s":"BTCUSDT","b":\#(bids),"a":\#(asks),"u":\#(u),"seq":5},"cts":1699999999990}"#
    }

    @Test func theSnapshotAndDeltaFixturesKeepTheBookExactly() throws {
        guard case .book(let snapshot) = try BybitMarketData.publicMessage(try Self.fixture("ws_orderbook_snapshot.json")),
              case .book(let delta) = try BybitMarketData.publicMessage(try Self.fixture("ws_orderbook_delta.json")) else {
            Issue.record("the fixtures are not book messages")
            return
        }
        #expect(snapshot.symbol == "BTCUSDT" && snapshot.depth == 1 && snapshot.kind == .snapshot)
        #expect(snapshot.updateId == 123_456_789 && snapshot.seq == 987_654_321)
        #expect(snapshot.time == Timestamp(milliseconds: 1_709_891_679_000) && snapshot.engineTime == nil)
        #expect(snapshot.bids == [PriceLevel(price: FixedDecimal("27450.00")!, quantity: FixedDecimal("0.500")!),
                                  PriceLevel(price: FixedDecimal("27449.50")!, quantity: FixedDecimal("1.000")!)])
        var sync = BybitBookSync(symbol: "BTCUSDT")
        #expect(sync.apply(delta) == .ignored, "a delta before the snapshot has nothing to apply to")
        #expect(sync.apply(snapshot) == .applied)
        #expect(sync.apply(delta) == .applied)
        let book = sync.orderBook()
        #expect(book.bids.map(\.quantity) == [FixedDecimal("0.400")!, FixedDecimal("1.000")!])
        #expect(book.asks.map(\.price) == [FixedDecimal("27451.50")!], "size 0 deletes the level")
        #expect(sync.lastUpdateId == 123_456_790)
    }

    @Test func aDuplicateIsDroppedAGapAsksForASnapshotAndURestartsAtOne() throws {
        var sync = BybitBookSync(symbol: "BTCUSDT")
        #expect(sync.apply(try Self.book(Self.snapshot(100, bids: #"[["10.0","1"],["9.5","2"]]"#, asks: #"[["10.5","3"]]"#))) == .applied)
        #expect(sync.apply(try Self.book(Self.delta(101, bids: #"[["10.0","4"]]"#))) == .applied)
        #expect(sync.apply(try Self.book(Self.delta(101, bids: #"[["10.0","9"]]"#))) == .ignored, "the same u again")
        #expect(sync.apply(try Self.book(Self.delta(99, asks: #"[["10.5","0"]]"#))) == .ignored, "an older u")
        #expect(sync.dropped == 2)
        #expect(sync.orderBook().bids.first?.quantity == FixedDecimal(4))
        #expect(sync.orderBook().asks.count == 1)
        // A jump: a delta was lost.
        guard case .needsSnapshot(let reason) = sync.apply(try Self.book(Self.delta(103))) else {
            Issue.record("a gap must ask for a snapshot")
            return
        }
        #expect(reason.contains("103") && reason.contains("101"), "\(reason)")
        #expect(!sync.isLive && sync.orderBook().bids.isEmpty)
        #expect(sync.apply(try Self.book(Self.delta(104))) == .ignored, "nothing applies until the snapshot")
        // After a restart Bybit sends a snapshot with u = 1: it replaces the book and counting starts over.
        #expect(sync.apply(try Self.book(Self.snapshot(1, bids: #"[["11.0","1"]]"#, asks: #"[["11.5","1"]]"#))) == .applied)
        #expect(sync.isLive && sync.lastUpdateId == 1)
        #expect(sync.apply(try Self.book(Self.delta(2, asks: #"[["11.5","0"],["12.0","5"]]"#))) == .applied)
        #expect(sync.orderBook().asks == [BookLevel(price: FixedDecimal(12), quantity: FixedDecimal(5))])
        // A delta with u = 1 after a higher u: a restart whose snapshot was lost.
        #expect(sync.apply(try Self.book(Self.delta(3))) == .applied)
        if case .needsSnapshot = sync.apply(try Self.book(Self.delta(1))) {} else { Issue.record("u = 1 in a delta must resync") }
    }

    @Test func theTickerFixtureGivesTheFundingFieldsAndDeltasMerge() throws {
        guard case .ticker(let ticker) = try BybitMarketData.publicMessage(try Self.fixture("ws_ticker_linear.json")) else {
            Issue.record("not a ticker")
            return
        }
        #expect(ticker.symbol == "BTCUSDT" && ticker.isSnapshot)
        #expect(ticker.fundingRate == FixedDecimal("-0.000212") && ticker.markPrice == FixedDecimal("17217.33"))
        #expect(ticker.nextFundingTime == Timestamp(milliseconds: 1_673_280_000_000))
        #expect(ticker.indexPrice == FixedDecimal("17227.36") && ticker.lastPrice == FixedDecimal("17216.00"))
        #expect(ticker.fundingIntervalHours == 8 && ticker.time == Timestamp(milliseconds: 1_673_272_861_686))
        let text = #"{"topic":"tickers.BTCUSDT","type":"delta","data":{"symbol":"BTCUSDT","markPrice":"17220.10","bid1Price":""},"cs":1,"ts":1673272861700}"#
        guard case .ticker(let delta) = try BybitMarketData.publicMessage(Array(text.utf8)) else {
            Issue.record("not a ticker")
            return
        }
        #expect(!delta.isSnapshot && delta.fundingRate == nil && delta.markPrice == FixedDecimal("17220.10"))
        let merged = ticker.merging(delta)
        #expect(merged.markPrice == FixedDecimal("17220.10") && merged.fundingRate == FixedDecimal("-0.000212"))
        #expect(merged.nextFundingTime == ticker.nextFundingTime && merged.time == Timestamp(milliseconds: 1_673_272_861_700))
    }

    @Test func theInstrumentsFixtureGivesTheGridAndTheLeverage() throws {
        let page = try BybitMarketData.instruments(try Self.fixture("http_get_instruments_linear.json"))
        #expect(page.nextCursor == nil, "nextPageCursor null: the last page")
        let btc = try #require(page.instruments.first { $0.symbol == "BTCUSDT" })
        #expect(btc.isPerpetual && btc.isTrading && btc.settleCoin == "USDT" && btc.baseCoin == "BTC")
        #expect(btc.tickSize == FixedDecimal("0.5") && btc.qtyStep == FixedDecimal("0.001"))
        #expect(btc.minOrderQty == FixedDecimal("0.001") && btc.minNotional == FixedDecimal(5))
        #expect(btc.maxLeverage == FixedDecimal(100) && btc.fundingIntervalMinutes == 8)
        let eth = try #require(page.instruments.first { $0.symbol == "ETHUSDT" })
        #expect(eth.tickSize == FixedDecimal("0.05") && eth.qtyStep == FixedDecimal("0.01"))
    }

    @Test func answersAndRefusalsAreRead() throws {
        #expect(try BybitMarketData.publicMessage(try Self.fixture("ws_subscription_ack.json"))
                == .answer(op: "subscribe", success: true, message: ""))
        #expect(try BybitMarketData.publicMessage(try Self.fixture("ws_subscription_failure.json"))
                == .answer(op: "subscribe", success: false, message: "Invalid topic: invalid.topic.BTCUSDT"))
        let pong = #"{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}"#
        #expect(try BybitMarketData.publicMessage(Array(pong.utf8)) == .answer(op: "ping", success: true, message: "pong"))
        let trade = #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"p":"1"}]}"#
        #expect(try BybitMarketData.publicMessage(Array(trade.utf8)) == .unhandled)
        let refused = #"{"retCode":10001,"retMsg":"params error: category","result":{},"time":1}"#
        #expect(throws: WireParseError.self) { try BybitMarketData.instruments(Array(refused.utf8)) }
        do {
            _ = try BybitMarketData.instruments(Array(refused.utf8))
        } catch {
            #expect(error.description.contains("10001") && error.description.contains("params error"), "\(error)")
        }
    }

    @Test func brokenMessagesNameTheFieldAndTheTopic() throws {
        let noU = #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[]}}"#
        let wrongSymbol = #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"ETHUSDT","b":[],"a":[],"u":2}}"#
        let negative = Self.delta(5, bids: #"[["-1","1"]]"#)
        let badType = #"{"topic":"tickers.BTCUSDT","type":"update","data":{}}"#
        let badRate = #"{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"fundingRate":"0.0x"}}"#
        for (text, field) in [(noU, "u"), (wrongSymbol, "s"), (negative, "b"), (badType, "type"), (badRate, "fundingRate")] {
            do {
                _ = try BybitMarketData.publicMessage(Array(text.utf8))
                Issue.record("\(text) was read")
            } catch {
                #expect(error.field == field, "\(error)")
                #expect(error.venue == "bybit")
            }
        }
    }

    @Test func executionFixturesAreFillsWithTheirFees() throws {
        guard case .executions(let rows) = try BybitTrading.privateMessage(try Self.fixture("ws_account_execution.json")) else {
            Issue.record("not an execution push")
            return
        }
        let row = try #require(rows.first)
        #expect(rows.count == 1 && row.isFill && !row.isFunding && row.side == .sell)
        #expect(row.execId == "0ab1bdf7-4219-438b-b30a-32ec863018f7" && row.orderLinkId == "test-order-link-001")
        #expect(row.price == FixedDecimal("95900.1") && row.quantity == FixedDecimal("0.5"))
        #expect(row.fee == FixedDecimal("26.3725275") && row.value == FixedDecimal("47950.05") && row.isMaker == false)
        #expect(row.fee == row.value * row.feeRate!, "the fixture's fee is the exact product")
        #expect(row.time == Timestamp(milliseconds: 1_746_270_400_353))
        guard case .executions(let adl) = try BybitTrading.privateMessage(try Self.fixture("ws_account_execution_adl.json")) else {
            Issue.record("not an execution push")
            return
        }
        #expect(adl.map(\.execType) == ["AdlTrade"] && adl.allSatisfy(\.isFill))
        let listed = try BybitTrading.executionList(try BybitTrading.result(try Self.fixture("http_get_executions.json"),
                                                                            request: "execution/list"))
        #expect(listed.map(\.symbol) == ["BTCUSDT", "ETHUSDT"] && listed.first?.fee == FixedDecimal("0.0150"))
        // A funding row as the docs show one, for a short: received, the market's rate positive.
        let funding = #"{"topic":"execution","id":"x","creationTime":1,"data":[{"category":"linear","symbol":"BTCUSDT","execFee":"-0.0549","execId":"f-1","execPrice":"27450","execQty":"0.02","execType":"Funding","execValue":"549","feeRate":"-0.0001","orderId":"o-f","orderLinkId":"","side":"Sell","execTime":"1796083200000","isMaker":false}]}"#
        guard case .executions(let settled) = try BybitTrading.privateMessage(Array(funding.utf8)),
              let payment = settled.first?.fundingPayment(venue: "bybit", symbol: Symbol(base: "BTC", quote: "USDT", settle: "USDT"))
        else {
            Issue.record("the funding row is not a payment")
            return
        }
        #expect(!settled[0].isFill)
        #expect(payment.amount == FixedDecimal("0.0549") && payment.rate == FixedDecimal("0.0001"))
        #expect(payment.positionSize == FixedDecimal("-0.02") && payment.at == Timestamp(milliseconds: 1_796_083_200_000))
        let refused = #"{"retCode":110007,"retMsg":"ab not enough for new order","result":{},"retExtInfo":{},"time":1}"#
        do {
            _ = try BybitTrading.result(Array(refused.utf8), request: "order/create BTCUSDT")
            Issue.record("a refusal was read as a result")
        } catch let error as BybitError {
            #expect(error.failure.code == "insufficient_funds" && error.failure.venueMessage == "ab not enough for new order")
        }
    }

    @Test func marginTermsDefaultToHalfTheInitialMarginAtTheMaximumLeverage() {
        #expect(BybitSettings.defaultMargin(maxLeverage: FixedDecimal(100))
                == MarginTerms(maxLeverage: FixedDecimal(100), maintenanceRate: FixedDecimal("0.005")!))
        #expect(BybitSettings.defaultMargin(maxLeverage: FixedDecimal("12.5")).maintenanceRate == FixedDecimal("0.04"))
        #expect(BybitSettings.defaultMargin(maxLeverage: FixedDecimal(200)).maintenanceRate == FixedDecimal("0.0025"))
        #expect(BybitSettings.defaultMargin(maxLeverage: nil).maxLeverage == FixedDecimal(10))
        #expect(BybitSettings.instrument(Symbol(base: "BTC", quote: "USDT", settle: "USDT")) == "BTCUSDT")
    }
}
