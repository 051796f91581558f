import DexterCEX
import DexterCore
import DexterMarket
import Foundation
import SharedTestData
import Testing

/// Coinbase Advanced Trade's market-data parsers and book on the shapes of `wire/coinbase/nautilus` (hand-made
/// examples of the documented messages: good for shapes, not numeric truth), and the book's own rules.
@Suite struct CoinbaseMarketDataTests {
    static let folder = "vectors/exchanges/wire/coinbase/nautilus"

    @Test func productsReadWithTheirGridAndTradability() throws {
        let products = try CoinbaseMarketData.products(Shared.data("\(Self.folder)/http_products.json"))
        #expect(products.map(\.productId) == ["BTC-USD", "BTC-USDC"])
        let bitcoin = try #require(products.first)
        #expect(bitcoin.symbol == Symbol(base: "BTC", quote: "USD"))
        #expect(bitcoin.priceIncrement == FixedDecimal("0.01") && bitcoin.baseIncrement == FixedDecimal("0.00000001"))
        #expect(bitcoin.quoteMinSize == FixedDecimal(1) && bitcoin.baseMinSize == FixedDecimal("0.00000001"))
        #expect(bitcoin.isTakerTradable && bitcoin.notTradableReason == nil)
        #expect(bitcoin.aliasTo == ["BTC-USDC"])
        #expect(bitcoin.instrumentSpec == InstrumentSpec(symbol: bitcoin.symbol, tickSize: FixedDecimal("0.01")!,
                                                          lotSize: FixedDecimal("0.00000001")!, minNotional: FixedDecimal(1),
                                                          minQuantity: FixedDecimal("0.00000001")!))
        // Futures listed on the same endpoint are not spot: left out.
        #expect(try CoinbaseMarketData.products(Shared.data("\(Self.folder)/http_products_future.json")).isEmpty)
    }

    @Test func aProductThatCannotTakeIsNamedWhy() throws {
        func product(_ flags: String) throws -> CoinbaseProduct {
            let json = #"{"products":[{"product_id":"ETH-EUR","base_increment":"0.00000001","price_increment":"0.01","quote_min_size":"1","status":"online",\#(flags)"product_type":"SPOT"}]}"#
            return try #require(try CoinbaseMarketData.products(Array(json.utf8)).first)
        }
        #expect(try product(#""cancel_only":true,"#).notTradableReason == "cancel only")
        #expect(try product(#""post_only":true,"#).notTradableReason == "post only")
        #expect(try product(#""trading_disabled":true,"#).notTradableReason == "trading disabled")
        // Limit-only still takes an IOC limit order.
        #expect(try product(#""limit_only":true,"#).isTakerTradable)
        // Without currency ids the id names them; a zero increment is refused, named.
        #expect(try product("").symbol == Symbol(base: "ETH", quote: "EUR"))
        let zero = #"{"products":[{"product_id":"ETH-EUR","base_increment":"0","price_increment":"0.01"}]}"#
        #expect {
            try CoinbaseMarketData.products(Array(zero.utf8))
        } throws: { ($0 as? WireParseError)?.field == "base_increment" }
    }

    @Test func level2SnapshotAndUpdateRead() throws {
        let snapshot = try CoinbaseMarketData.publicMessage(Shared.data("\(Self.folder)/ws_l2_data_snapshot.json"))
        #expect(snapshot.sequence == 0)
        guard case .books(let events) = snapshot.content, let book = events.first else {
            Issue.record("expected l2_data: \(snapshot)"); return
        }
        #expect(book.productId == "BTC-USD" && book.kind == .snapshot)
        #expect(book.bids.map(\.price) == ["68900.00", "68899.50", "68899.00"].map { FixedDecimal($0)! })
        #expect(book.asks.first == PriceLevel(price: FixedDecimal("68901.00")!, quantity: FixedDecimal("0.5")!))
        #expect(book.time == Timestamp(rfc3339: "2026-04-07T14:30:00.123456Z"))
        let update = try CoinbaseMarketData.publicMessage(Shared.data("\(Self.folder)/ws_l2_data_update.json"))
        #expect(update.sequence == 1)
        guard case .books(let changes) = update.content, let change = changes.first else { Issue.record("\(update)"); return }
        #expect(change.kind == .update && change.asks == [PriceLevel(price: FixedDecimal("68901")!, quantity: .zero)])

        var sync = CoinbaseBookSync(productId: "BTC-USD")
        #expect(sync.apply(change) == .ignored, "an update before the snapshot")
        #expect(sync.apply(book) == .applied && sync.isLive)
        #expect(sync.apply(change) == .applied)
        let now = sync.orderBook(depth: 2)
        #expect(now.bids.first?.quantity == FixedDecimal(2), "new_quantity is the size now, not a change")
        #expect(now.asks.map(\.price) == [FixedDecimal("68901.50")!, FixedDecimal("68902")!], "quantity zero removed the level")
    }

    @Test func otherChannelsCountInTheSequence() throws {
        let heartbeat = try CoinbaseMarketData.publicMessage(Shared.data("\(Self.folder)/ws_heartbeats.json"))
        #expect(heartbeat.sequence == 0 && heartbeat.content == .heartbeat)
        let subscriptions = try CoinbaseMarketData.publicMessage(Shared.data("\(Self.folder)/ws_subscriptions.json"))
        #expect(subscriptions.content == .subscriptions(["level2": ["BTC-USD"], "market_trades": ["BTC-USD", "ETH-USD"]]))
        for file in ["ws_ticker.json", "ws_market_trades.json", "ws_candles.json", "ws_user.json"] {
            let message = try CoinbaseMarketData.publicMessage(Shared.data("\(Self.folder)/\(file)"))
            #expect(message.content == .unhandled && message.sequence != nil, "\(file)")
        }
        let error = try CoinbaseMarketData.publicMessage(Array(#"{"type":"error","message":"failure to subscribe"}"#.utf8))
        #expect(error.content == .error("failure to subscribe") && error.sequence == nil)
    }

    @Test func malformedMessagesNameTheirField() {
        let cases: [(String, String)] = [
            (#"{"channel":"l2_data","sequence_num":3,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"bid","price_level":"1","new_quantity":"-2"}]}]}"#, "new_quantity"),
            (#"{"channel":"l2_data","sequence_num":3,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"buy","price_level":"1","new_quantity":"2"}]}]}"#, "side"),
            (#"{"channel":"l2_data","sequence_num":3,"events":[{"type":"delta","product_id":"BTC-USD","updates":[]}]}"#, "type"),
            (#"{"channel":"l2_data","events":[]}"#, "sequence_num"),
            (#"{"channel":"l2_data","sequence_num":-1,"events":[]}"#, "sequence_num"),
            (#"{"channel":"l2_data","sequence_num":1,"timestamp":"yesterday","events":[]}"#, "timestamp"),
        ]
        for (json, field) in cases {
            #expect {
                try CoinbaseMarketData.publicMessage(Array(json.utf8))
            } throws: { ($0 as? WireParseError)?.field == field }
        }
    }

    @Test func aCrossedBookIsRebuilt() throws {
        var sync = CoinbaseBookSync(productId: "BTC-USDT")
        let level = { (price: String, quantity: String) in PriceLevel(price: FixedDecimal(price)!, quantity: FixedDecimal(quantity)!) }
        _ = sync.apply(CoinbaseBookMessage(productId: "BTC-USDT", kind: .snapshot, bids: [level("100", "1")],
                                           asks: [level("101", "1")], time: nil))
        // A bid above the ask that was never removed: a change was lost.
        let outcome = sync.apply(CoinbaseBookMessage(productId: "BTC-USDT", kind: .update, bids: [level("101.5", "1")],
                                                     asks: [], time: nil))
        guard case .needsSnapshot(let reason) = outcome else { Issue.record("\(outcome)"); return }
        #expect(reason.contains("crossed") && !sync.isLive && sync.orderBook().bids.isEmpty)
    }
}
