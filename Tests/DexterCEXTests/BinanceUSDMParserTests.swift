import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// Binance USDⓈ-M's wire messages in `../shared/vectors/exchanges/wire/binance_usdm` (see
/// `../shared/vectors/exchanges/README.md`): `cryptofeed/` are live captures of 2021-07-22 from bmoscon/cryptofeed
/// (XFree86 1.1) — the WebSocket file is one `<receipt time>: <message>` per line after a first line naming the
/// streams, the HTTP file one `<url> -> <receipt time>: <body>` per line, and the exchangeInfo of BTCUSDT and ETHUSDT;
/// `nautilus/futures/` are single messages from nautechsystems/nautilus_trader (LGPL-3.0), mostly Binance's
/// documentation examples: shapes, not numeric truth.
enum BinanceUSDMCaptures {
    static let folder = "vectors/exchanges/wire/binance_usdm"

    static func streamMessages() throws -> [[UInt8]] {
        try BinanceCaptures.lines("\(folder)/cryptofeed/BINANCE_FUTURES.ws.1.0").dropFirst().compactMap { line in
            guard let brace = line.firstIndex(of: UInt8(ascii: "{")) else { return nil }
            return Array(line[brace...])
        }
    }

    /// The REST depth snapshots with their receipt times, by the symbol in their URL.
    static func depthSnapshots() throws -> [(symbol: String, receivedAt: Double, body: [UInt8])] {
        try BinanceCaptures.lines("\(folder)/cryptofeed/BINANCE_FUTURES.http.0.0").compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            guard let arrow = text.range(of: " -> "), let symbolStart = text.range(of: "symbol="),
                  let colon = text[arrow.upperBound...].firstIndex(of: ":"),
                  let time = Double(text[arrow.upperBound..<colon]),
                  let brace = text[arrow.upperBound...].firstIndex(of: "{") else { return nil }
            let symbol = text[symbolStart.upperBound...].prefix { $0 != "&" && $0 != " " }
            return (String(symbol), time, Array(text[brace...].utf8))
        }
    }

    static func timedStreamMessages() throws -> [(receivedAt: Double, body: [UInt8])] {
        try BinanceCaptures.lines("\(folder)/cryptofeed/BINANCE_FUTURES.ws.1.0").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), let brace = line.firstIndex(of: UInt8(ascii: "{")),
                  let time = Double(String(decoding: line[line.startIndex..<colon], as: UTF8.self)) else { return nil }
            return (time, Array(line[brace...]))
        }
    }

    static func nautilus(_ name: String) throws -> [UInt8] {
        Array(try Shared.data("\(folder)/nautilus/futures/market_data_json/\(name)"))
    }

    static func exchangeInfo() throws -> [UInt8] {
        Array(try Shared.data("\(folder)/cryptofeed/fapi_exchangeInfo.2021-07-22.BTCUSDT_ETHUSDT.json"))
    }
}

struct BinanceUSDMParserTests {
    @Test func everyCapturedStreamMessageParsesAndEveryDiffCarriesPu() throws {
        var kinds: [String: Int] = [:]
        for bytes in try BinanceUSDMCaptures.streamMessages() {
            let message = try BinanceUSDMMarketData.streamMessage(bytes)
            switch message.payload {
            case .depthUpdate(let diff):
                kinds["depth", default: 0] += 1
                #expect(diff.previousFinalUpdateId != nil && diff.firstUpdateId <= diff.finalUpdateId)
            case .bookTicker(let ticker):
                kinds["ticker", default: 0] += 1
                #expect(ticker.eventTime != nil && ticker.bidPrice < ticker.askPrice)
            case .markPrice: kinds["mark", default: 0] += 1
            case .unhandled: kinds["other", default: 0] += 1
            }
        }
        // The checklist counted 764 depth events over the capture's four symbols.
        #expect(kinds["depth"] == 764, "\(kinds)")
        #expect((kinds["ticker"] ?? 0) > 0 && (kinds["other"] ?? 0) > 0, "\(kinds)")
    }

    /// The real capture, joined to its own REST snapshots by the futures rule, never breaks: every diff after the
    /// first names the previous one's `u` as its `pu`.
    @Test func theCaptureJoinsItsSnapshotsByTheFuturesRuleWithoutAGap() throws {
        let snapshots = try BinanceUSDMCaptures.depthSnapshots()
        #expect(snapshots.count == 4)
        var books: [String: BinanceBookSync] = [:]
        var applied: [String: Int] = [:]
        var pending = snapshots.sorted { $0.receivedAt < $1.receivedAt }
        for (time, bytes) in try BinanceUSDMCaptures.timedStreamMessages() {
            // A snapshot joins at the moment it was received, as a feed would meet it.
            while let next = pending.first, next.receivedAt <= time {
                pending.removeFirst()
                var sync = books[next.symbol] ?? BinanceBookSync(symbol: next.symbol, continuity: .futures)
                let outcome = sync.apply(try BinanceMarketData.depthSnapshot(next.body))
                #expect(outcome == .applied, "\(next.symbol): \(outcome)")
                books[next.symbol] = sync
            }
            guard case .depthUpdate(let diff) = try BinanceUSDMMarketData.streamMessage(bytes).payload else { continue }
            var sync = books[diff.symbol] ?? BinanceBookSync(symbol: diff.symbol, continuity: .futures)
            let outcome = sync.apply(diff)
            if case .needsSnapshot(let reason) = outcome { Issue.record("\(reason)") }
            if outcome == .applied { applied[diff.symbol, default: 0] += 1 }
            books[diff.symbol] = sync
        }
        #expect(applied.count == 4, "\(applied)")
        for (symbol, sync) in books {
            #expect(sync.isLive, "\(symbol)")
            let book = sync.orderBook()
            if let bid = book.bids.first?.price, let ask = book.asks.first?.price { #expect(bid < ask, "\(symbol) crossed") }
        }
    }

    @Test func markPriceGivesTheFundingExactly() throws {
        let mark = try BinanceUSDMMarketData.markPrice(try BinanceUSDMCaptures.nautilus("mark_price_stream.json"))
        #expect(mark.symbol == "BTCUSDT")
        #expect(mark.markPrice == FixedDecimal("11794.15")!)
        #expect(mark.indexPrice == FixedDecimal("11784.62659091")!)
        #expect(mark.fundingRate == FixedDecimal("0.00038167")!)
        #expect(mark.nextFundingTime == Timestamp(milliseconds: 1_562_306_400_000))
        #expect(mark.eventTime == Timestamp(milliseconds: 1_562_305_380_000))
        let negative = try BinanceUSDMMarketData.markPrice(Array(#"""
            {"e":"markPriceUpdate","E":1,"s":"ETHUSDT","p":"2000.5","r":"-0.00012500","T":2}
            """#.utf8))
        #expect(negative.fundingRate == FixedDecimal("-0.000125")! && negative.indexPrice == nil)
    }

    @Test func nautilusDepthAndTickerShapes() throws {
        let diff = try BinanceMarketData.depthUpdate(try BinanceUSDMCaptures.nautilus("depth_update_stream.json"))
        #expect(diff.firstUpdateId == 157 && diff.finalUpdateId == 160 && diff.previousFinalUpdateId == 149)
        let ticker = try BinanceMarketData.bookTicker(try BinanceUSDMCaptures.nautilus("book_ticker_stream.json"))
        #expect(ticker.updateId == 400_900_217 && ticker.eventTime == Timestamp(milliseconds: 1_568_014_460_893))
        #expect(ticker.bidPrice == FixedDecimal("25.3519")! && ticker.askQuantity == FixedDecimal("40.66")!)
    }

    @Test func exchangeInfoGivesTickStepMinimumsAndPublishedMargin() throws {
        let info = try BinanceUSDMMarketData.exchangeInfo(try BinanceUSDMCaptures.exchangeInfo())
        #expect(info.rateLimits.contains { $0.type == "REQUEST_WEIGHT" && $0.limit == 2_400 })
        let btc = try #require(info.contracts.first { $0.venueSymbol == "BTCUSDT" })
        #expect(btc.isPerpetual && btc.isTrading)
        #expect(btc.symbol == Symbol(base: "BTC", quote: "USDT", settle: "USDT"))
        let margin = try #require(btc.publishedMargin)
        #expect(margin.maxLeverage == FixedDecimal(20) && margin.maintenanceRate == FixedDecimal("0.025")!)
        let spec = try #require(btc.instrumentSpec(margin: margin))
        #expect(spec.tickSize == FixedDecimal("0.01")! && spec.lotSize == FixedDecimal("0.001")!)
        #expect(spec.minQuantity == FixedDecimal("0.001")! && spec.minNotional == FixedDecimal(5))
        #expect(spec.margin == margin)
    }

    /// Published terms that would make no sense (or trap MarginTerms) are not terms: config must then give them.
    @Test func nonsensicalPublishedMarginIsNone() throws {
        func margin(_ required: String, _ maintenance: String) throws -> MarginTerms? {
            let info = try BinanceUSDMMarketData.exchangeInfo(Array("""
                {"symbols":[{"symbol":"XUSDT","contractType":"PERPETUAL","status":"TRADING","baseAsset":"X",
                "quoteAsset":"USDT","marginAsset":"USDT","requiredMarginPercent":"\(required)",
                "maintMarginPercent":"\(maintenance)","filters":[]}]}
                """.utf8))
            return try #require(info.contracts.first).publishedMargin
        }
        #expect(try margin("5.0000", "2.5000") == MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: FixedDecimal("0.025")!))
        #expect(try margin("0", "0") == nil)
        #expect(try margin("0.000000000000000001", "0") == nil, "over 200× leverage")
        #expect(try margin("5", "0.000000000000000001") == nil, "a maintenance rate that rounds to nothing")
        #expect(try margin("5", "5") == nil, "maintenance must be under the initial margin")
        #expect(try margin("150", "1") == nil, "under 1× leverage")
    }

    @Test func fundingInfoListsAdjustedIntervals() throws {
        let listed = try BinanceUSDMMarketData.fundingInfo(Array(#"""
            [{"symbol":"BLZUSDT","adjustedFundingRateCap":"0.02500000","adjustedFundingRateFloor":"-0.02500000",
              "fundingIntervalHours":4,"disclaimer":false}]
            """#.utf8))
        #expect(listed.map(\.symbol) == ["BLZUSDT"] && listed.map(\.intervalHours) == [4])
        #expect(throws: WireParseError.self) {
            try BinanceUSDMMarketData.fundingInfo(Array(#"[{"symbol":"X","fundingIntervalHours":0}]"#.utf8))
        }
    }

    @Test func errorsNameTheVenueAndTheField() throws {
        let error = try #require(throws: WireParseError.self) {
            try BinanceUSDMMarketData.streamMessage(Array(#"""
                {"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}
                """#.utf8))
        }
        #expect(error.description.contains("binance-usdm") && error.description.contains("pu"), "\(error)")
    }
}
