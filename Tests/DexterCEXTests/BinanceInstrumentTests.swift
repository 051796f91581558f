@testable import DexterCEX
import DexterCore
import DexterMarket
import Testing

/// `exchangeInfo` from the cryptofeed capture of 2021-10-11 (trimmed to four symbols, README of
/// `../shared/vectors/exchanges`) and nautilus' copy of Binance's documentation example.
@Suite struct BinanceInstrumentTests {
    @Test func captureInstrumentsExact() throws {
        let info = try BinanceMarketData.exchangeInfo(try BinanceCaptures.exchangeInfo())
        #expect(info.serverTime == Timestamp(milliseconds: 1_633_998_511_098))
        #expect(info.instruments.map(\.venueSymbol) == ["ETHBTC", "BTCUSDT", "LTCUSDT", "SOLUSDT"])
        #expect(info.rateLimits.first == BinanceRateLimit(type: "REQUEST_WEIGHT", interval: "MINUTE", intervalCount: 1,
                                                          limit: 1200, count: nil))
        #expect(info.rateLimits.count == 4 && info.rateLimits[1].limit == 50 && info.rateLimits[1].intervalCount == 10)

        let ethbtc = info.instruments[0]
        #expect(ethbtc.symbol == Symbol(base: "ETH", quote: "BTC"))
        #expect(ethbtc.isTrading)
        #expect(ethbtc.tickSize == FixedDecimal("0.000001")!)
        #expect(ethbtc.stepSize == FixedDecimal("0.0001")!)
        #expect(ethbtc.minQuantity == FixedDecimal("0.0001")! && ethbtc.maxQuantity == 100_000)
        #expect(ethbtc.minNotional == FixedDecimal("0.0001")!)
        #expect(ethbtc.maxPrice == 922_327)
        #expect(ethbtc.orderTypes.contains("LIMIT") && ethbtc.orderTypes.contains("MARKET"))

        let spec = try #require(info.instruments[1].instrumentSpec)
        #expect(spec == InstrumentSpec(symbol: Symbol(base: "BTC", quote: "USDT"), tickSize: FixedDecimal("0.01")!,
                                       lotSize: FixedDecimal("0.00001")!, minNotional: 10,
                                       minQuantity: FixedDecimal("0.00001")!))
        #expect(info.symbolsByVenueName["SOLUSDT"] == Symbol(base: "SOL", quote: "USDT"))

        let venue = VenueSpec(id: "binance", kind: .exchange, takerFee: FixedDecimal("0.001")!, stalenessBound: .seconds(2))
        let instrument = try #require(info.instruments[1].venueInstrument(on: venue))
        #expect(instrument.market.key == MarketKey(venue: "binance", symbol: Symbol(base: "BTC", quote: "USDT")))
    }

    @Test func notionalFilterWinsOverTheOldOne() throws {
        let json = #"{"symbols":[{"symbol":"BTCUSDT","status":"BREAK","baseAsset":"BTC","quoteAsset":"USDT","filters":[{"filterType":"MIN_NOTIONAL","minNotional":"10.0"},{"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,"maxNotional":"9000000.00000000"},{"filterType":"PRICE_FILTER","minPrice":"0.01","maxPrice":"0","tickSize":"0.01"},{"filterType":"LOT_SIZE","minQty":"0.00001","maxQty":"9000","stepSize":"0.00001"}]}]}"#
        let instrument = try #require(try BinanceMarketData.exchangeInfo(Array(json.utf8)).instruments.first)
        #expect(instrument.minNotional == 5)
        #expect(!instrument.isTrading && instrument.status == "BREAK")
    }

    /// The documentation example lists a symbol without filters: it parses, and yields no spec rather than a crash.
    @Test func documentedExampleWithoutFilters() throws {
        let info = try BinanceMarketData.exchangeInfo(try BinanceCaptures.nautilus("http_json/exchange_info_response.json"))
        let ethbtc = try #require(info.instruments.first)
        #expect(ethbtc.venueSymbol == "ETHBTC" && ethbtc.baseAssetPrecision == 8 && ethbtc.quoteAssetPrecision == 8)
        #expect(ethbtc.tickSize == nil && ethbtc.instrumentSpec == nil)
    }

    @Test func missingAssetIsNamed() {
        let json = Array(#"{"symbols":[{"symbol":"X","status":"TRADING","quoteAsset":"USDT","filters":[]}]}"#.utf8)
        do {
            _ = try BinanceMarketData.exchangeInfo(json)
            Issue.record("accepted a symbol without a base asset")
        } catch {
            #expect(error.field == "baseAsset" && error.message == "exchangeInfo symbol X")
        }
    }
}
