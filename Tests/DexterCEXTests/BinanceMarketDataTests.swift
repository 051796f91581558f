import DexterCEX
import DexterCore
import Foundation
import Testing

/// The market data parsers on the live capture (`BinanceCaptures`): values asserted here are read off the capture.
@Suite struct BinanceMarketDataTests {
    @Test func everyCapturedStreamMessageParses() throws {
        let messages = try BinanceCaptures.streamMessages()
        #expect(messages.count == 265)
        var kinds: [String: Int] = [:]
        for message in messages {
            let parsed = try BinanceMarketData.streamMessage(message)
            let kind = switch parsed.payload {
            case .depthUpdate: "depthUpdate"
            case .bookTicker: "bookTicker"
            case .partialDepth: "partialDepth"
            case .unhandled: "unhandled"
            }
            kinds[kind, default: 0] += 1
        }
        // Counted with grep on the capture: 177 diffs, 84 tickers, 2 aggTrade and 2 kline_1m lines.
        #expect(kinds["depthUpdate"] == 177)
        #expect(kinds["bookTicker"] == 84)
        #expect(kinds["unhandled"] == 4)
    }

    @Test func firstDepthUpdateExact() throws {
        let first = try #require(try BinanceCaptures.streamMessages().first)
        let message = try BinanceMarketData.streamMessage(first)
        #expect(message.stream == "nknusdt@depth@100ms")
        guard case .depthUpdate(let diff) = message.payload else { Issue.record("not a depthUpdate"); return }
        #expect(diff.symbol == "NKNUSDT")
        #expect(diff.eventTime == Timestamp(milliseconds: 1_633_998_512_068))
        #expect(diff.firstUpdateId == 499_869_750)
        #expect(diff.finalUpdateId == 499_869_752)
        #expect(diff.bids == [
            PriceLevel(price: FixedDecimal("0.3513")!, quantity: 6195),
            PriceLevel(price: FixedDecimal("0.3475")!, quantity: 5548),
            PriceLevel(price: FixedDecimal("0.3464")!, quantity: 6222),
        ])
        #expect(diff.asks.isEmpty)
    }

    @Test func bookTickerExact() throws {
        let tickers = try BinanceCaptures.streamMessages().compactMap { bytes -> BinanceBookTicker? in
            if case .bookTicker(let ticker) = try BinanceMarketData.streamMessage(bytes).payload { return ticker }
            return nil
        }
        let first = try #require(tickers.first)
        // 1633998513.377805 in the capture: {"u":499869768,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000",
        // "a":"0.35260000","A":"3199.00000000"}
        #expect(first.symbol == "NKNUSDT")
        #expect(first.updateId == 499_869_768)
        #expect(first.bidPrice == FixedDecimal("0.3521")!)
        #expect(first.bidQuantity == 672)
        #expect(first.askPrice == FixedDecimal("0.3526")!)
        #expect(first.askQuantity == 3199)
    }

    @Test func restSnapshotsExact() throws {
        let snapshots = try BinanceCaptures.depthSnapshots()
        #expect(snapshots.map(\.symbol) == ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"])
        let nkn = try BinanceMarketData.depthSnapshot(snapshots[0].body)
        #expect(nkn.lastUpdateId == 499_869_752)
        #expect(nkn.bids.first == PriceLevel(price: FixedDecimal("0.3521")!, quantity: 672))
        #expect(nkn.bids[1] == PriceLevel(price: FixedDecimal("0.352")!, quantity: 1144))
        for (symbol, body) in snapshots {
            let snapshot = try BinanceMarketData.depthSnapshot(body)
            #expect(!snapshot.bids.isEmpty && !snapshot.asks.isEmpty, "\(symbol)")
            #expect(snapshot.bids.first!.price < snapshot.asks.first!.price, "\(symbol) crossed")
        }
        let documented = try BinanceMarketData.depthSnapshot(try BinanceCaptures.nautilus("http_json/depth_response.json"))
        #expect(documented == BinanceDepthSnapshot(lastUpdateId: 1_027_024,
                                                   bids: [PriceLevel(price: 4, quantity: 431)],
                                                   asks: [PriceLevel(price: FixedDecimal("4.000002")!, quantity: 12)]))
    }

    @Test func streamNameBeforeOrAfterData() throws {
        let late = Array(#"{"data":{"u":7,"s":"BTCUSDT","b":"1.5","B":"2","a":"1.6","A":"3"},"stream":"btcusdt@bookTicker"}"#.utf8)
        guard case .bookTicker(let ticker) = try BinanceMarketData.streamMessage(late).payload else {
            Issue.record("not a bookTicker"); return
        }
        #expect(ticker.askQuantity == 3 && ticker.updateId == 7)
    }

    @Test func errorsNameTheFieldAndTheMessage() {
        let noU = Array(#"{"e":"depthUpdate","E":1,"s":"X","u":5,"b":[],"a":[]}"#.utf8)
        #expect(throws: WireParseError.self) { try BinanceMarketData.depthUpdate(noU) }
        do {
            _ = try BinanceMarketData.depthUpdate(noU)
        } catch {
            #expect(error.field == "U" && error.message == "depthUpdate" && error.problem == "missing")
            #expect(error.description.contains("binance depthUpdate: field \"U\""))
        }
        let badPrice = Array(#"{"lastUpdateId":1,"bids":[["1e5","1"]],"asks":[]}"#.utf8)
        do {
            _ = try BinanceMarketData.depthSnapshot(badPrice)
            Issue.record("an exponent was accepted")
        } catch {
            #expect(error.field == "bids")
        }
    }
}
