import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// Kraken's market-data parsers on the real wire: `cryptofeed/KRAKEN.0` holds the full `AssetPairs` answer of
/// 2021-04-17 (304 pairs, before `tick_size`, `costmin` and `status` existed); `nautilus/` holds v2 shapes (docs
/// examples and captures, good for shapes, not for numeric truth).
@Suite struct KrakenParserTests {
    static let folder = "vectors/exchanges/wire/kraken"

    static func captured2021AssetPairs() throws -> [UInt8] {
        let text = try Shared.data("\(folder)/cryptofeed/KRAKEN.0")
        let line = try #require(text.split(separator: UInt8(ascii: "\n")).first { String(decoding: $0.prefix(80), as: UTF8.self).contains("/0/public/AssetPairs ->") })
        return Array(line[try #require(line.firstIndex(of: UInt8(ascii: "{")))...])
    }

    @Test func theCaptured2021AssetPairsRead() throws {
        let pairs = try KrakenMarketData.assetPairs(Self.captured2021AssetPairs())
        // 304 listed, of which 11 dark-pool pairs ("XETHXXBT.d") have no WebSocket name and no public book.
        #expect(pairs.count == 293)
        #expect(!pairs.contains { $0.key.hasSuffix(".d") })
        let bitcoin = try #require(pairs.first { $0.key == "XXBTZUSD" })
        #expect(bitcoin.symbol == Symbol(base: "BTC", quote: "USD"))
        #expect(bitcoin.v2Symbol == "BTC/USD")
        #expect(bitcoin.wsname == "XBT/USD" && bitcoin.altname == "XBTUSD")
        #expect(bitcoin.baseKey == "XXBT" && bitcoin.quoteKey == "ZUSD")
        #expect(bitcoin.priceDecimals == 1 && bitcoin.lotDecimals == 8)
        // No tick_size in 2021: one unit of the last price decimal.
        #expect(bitcoin.tickSize == FixedDecimal("0.1"))
        #expect(bitcoin.lotSize == FixedDecimal("0.00000001"))
        #expect(bitcoin.orderMinimum == FixedDecimal("0.0002"))
        #expect(bitcoin.costMinimum == nil && bitcoin.status == "online" && bitcoin.isTrading)
        #expect(bitcoin.takerFeePercent == FixedDecimal("0.26") && bitcoin.makerFeePercent == FixedDecimal("0.16"))
        #expect(bitcoin.takerFee == FixedDecimal("0.0026"))
        let doge = try #require(pairs.first { $0.key == "XDGUSD" })
        #expect(doge.symbol == Symbol(base: "DOGE", quote: "USD"))
        // Every pair of the book capture is listed, with the decimals its v1 strings were not written with.
        let monero = try #require(pairs.first { $0.wsname == "XMR/USD" })
        #expect(monero.symbol == Symbol(base: "XMR", quote: "USD"))
        #expect(monero.priceDecimals == 2)
    }

    @Test func todaysAssetPairsRead() throws {
        let pairs = try KrakenMarketData.assetPairs(Shared.data("\(Self.folder)/nautilus/http_asset_pairs.json"))
        let tether = try #require(pairs.first { $0.key == "XBTUSDT" })
        #expect(tether.tickSize == FixedDecimal("0.1") && tether.costMinimum == FixedDecimal("0.5"))
        #expect(tether.orderMinimum == FixedDecimal("0.00005") && tether.takerFeePercent == FixedDecimal("0.4"))
        #expect(tether.instrumentSpec.minNotional == FixedDecimal("0.5"))
        #expect(tether.instrumentSpec.symbol == Symbol(base: "BTC", quote: "USDT"))
        // Tokenized equities (with a maker rebate) are not the desk's: read, then left out.
        #expect(try KrakenMarketData.assetPairs(Shared.data("\(Self.folder)/nautilus/http_asset_pairs_tokenized.json")).isEmpty)
    }

    @Test func assetNames() {
        #expect(KrakenAssets.asset(restKey: "XXBT") == "BTC")
        #expect(KrakenAssets.asset(restKey: "ZUSD") == "USD")
        #expect(KrakenAssets.asset(restKey: "XXDG") == "DOGE")
        #expect(KrakenAssets.asset(restKey: "XETH") == "ETH")
        #expect(KrakenAssets.asset(restKey: "USDT") == "USDT")
        #expect(KrakenAssets.asset(restKey: "XTZ") == "XTZ")
        #expect(KrakenAssets.asset(restKey: "ZEUS") == "ZEUS")
        #expect(KrakenAssets.asset(restKey: "XXBT.M") == "BTC.M")
        #expect(KrakenAssets.asset(restKey: "ZRX") == "ZRX")
        #expect(KrakenAssets.altname("BTC") == "XBT" && KrakenAssets.altname("ETH") == "ETH")
    }

    @Test func v2BookShapes() throws {
        guard case .books(let snapshots) = try KrakenMarketData.publicMessage(Shared.data("\(Self.folder)/nautilus/ws_book_snapshot.json")),
              let snapshot = snapshots.first else {
            Issue.record("not a book")
            return
        }
        #expect(snapshot.symbol == "BTC/USD" && snapshot.kind == .snapshot)
        #expect(snapshot.bids.first == PriceLevel(price: FixedDecimal("105944.20")!, quantity: FixedDecimal("0.136")!))
        #expect(snapshot.asks.map(\.price) == ["105944.30", "105946.90", "105955.80"].map { FixedDecimal($0)! })
        #expect(snapshot.checksum == 2_439_117_997)
        #expect(snapshot.time == Timestamp(rfc3339: "2023-10-06T17:35:55.440295Z"))
        guard case .books(let updates) = try KrakenMarketData.publicMessage(Shared.data("\(Self.folder)/nautilus/ws_book_update.json")) else {
            Issue.record("not a book")
            return
        }
        #expect(updates.first?.kind == .update && updates.first?.asks.isEmpty == true && updates.first?.bids.count == 1)
    }

    @Test func v2AnswersAndChannels() throws {
        #expect(try KrakenMarketData.publicMessage(Shared.data("\(Self.folder)/nautilus/ws_pong.json"))
            == .answer(method: "pong", success: true, error: nil, symbol: nil, requestId: 42))
        #expect(try KrakenMarketData.publicMessage(Shared.data("\(Self.folder)/nautilus/ws_subscribe_response.json"))
            == .answer(method: "subscribe", success: true, error: nil, symbol: "BTC/USD", requestId: 1))
        #expect(try KrakenMarketData.publicMessage(Shared.data("\(Self.folder)/nautilus/ws_ticker_snapshot.json")) == .unhandled)
        let refused = #"{"error":"Currency pair not supported XBT/USDX","method":"subscribe","success":false,"symbol":"XBT/USDX","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"#
        #expect(try KrakenMarketData.publicMessage(Array(refused.utf8))
            == .answer(method: "subscribe", success: false, error: "Currency pair not supported XBT/USDX", symbol: "XBT/USDX", requestId: nil))
        #expect(try KrakenMarketData.publicMessage(Array(#"{"channel":"heartbeat"}"#.utf8)) == .heartbeat)
        let status = #"{"channel":"status","data":[{"api_version":"v2","connection_id":12393906104898154338,"system":"maintenance","version":"2.0.0"}],"type":"update"}"#
        #expect(try KrakenMarketData.publicMessage(Array(status.utf8)) == .status(system: "maintenance"))
    }

    /// Numbers are exact from their text, an exponent included; what cannot be held exactly is refused by name.
    @Test func numbersAreExact() throws {
        let message = #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":0.1,"qty":1.5e-05},{"price":1E+2,"qty":0}],"asks":[],"checksum":1,"timestamp":"2024-01-01T00:00:00Z"}]}"#
        guard case .books(let books) = try KrakenMarketData.publicMessage(Array(message.utf8)) else {
            Issue.record("not a book")
            return
        }
        #expect(books[0].bids == [PriceLevel(price: FixedDecimal("0.1")!, quantity: FixedDecimal("0.000015")!),
                                  PriceLevel(price: FixedDecimal(100), quantity: .zero)])
        let tooFine = #"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":1,"qty":1e-19}],"asks":[]}]}"#
        #expect(throws: WireParseError.self) { try KrakenMarketData.publicMessage(Array(tooFine.utf8)) }
        let noSymbol = #"{"channel":"book","type":"snapshot","data":[{"bids":[],"asks":[]}]}"#
        do {
            _ = try KrakenMarketData.publicMessage(Array(noSymbol.utf8))
            Issue.record("a book without a symbol was read")
        } catch {
            #expect(error.description.contains("symbol") && error.description.contains("kraken"))
        }
    }

    @Test func rfc3339Times() {
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:01.5Z") == Timestamp(nanoseconds: 1_500_000_000))
        #expect(Timestamp(rfc3339: "2023-10-06T17:35:55.440295Z")?.nanoseconds == 1_696_613_755_440_295_000)
        #expect(Timestamp(rfc3339: "2023-10-06T17:35:55.123456789123Z")?.nanoseconds == 1_696_613_755_123_456_789)
        #expect(Timestamp(rfc3339: "2023-10-06T17:35:55+00:00") == Timestamp(utcYear: 2023, month: 10, day: 6, hour: 17, minute: 35, second: 55))
        #expect(Timestamp(rfc3339: "2023-10-06T17:35:55.Z") == nil)
        #expect(Timestamp(rfc3339: "2023-10-06 17:35") == nil)
        #expect(Timestamp(rfc3339: "2023-13-06T17:35:55Z") == nil)
        #expect(Timestamp(rfc3339: "2023-10-06T17:35:55+02:00") == nil)
    }
}
