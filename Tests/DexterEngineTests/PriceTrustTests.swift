import DexterCore
import DexterEngine
import DexterMarket
import Testing

/// What the Positions panel and the status bar say about a reference price.
@Suite struct PriceTrustTests {
    static func market(_ venue: String, _ symbol: Symbol, bid: String, ask: String) -> Market {
        Market(venue: VenueSpec(id: VenueId(venue), kind: .exchange, takerFee: .zero, stalenessBound: .seconds(5)),
               instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: .one, minNotional: .zero),
               liquidity: .book(OrderBook(bids: [BookLevel(price: FixedDecimal(bid)!, quantity: FixedDecimal(100_000))],
                                          asks: [BookLevel(price: FixedDecimal(ask)!, quantity: FixedDecimal(100_000))])))
    }

    @Test func aDepegIsAWarningNamingThePrice() throws {
        let state = MarketState(markets: [Self.market("a", Symbol(base: "USDT", quote: "USDC"), bid: "0.9499", ask: "0.9501")], gas: [])
        let trust = Engine.trust(try #require(state.reference(of: "USDT", in: "USDC")))
        #expect(trust.warning)
        #expect(trust.note == "trades at 0.9500 (-5.00 %), valued at market, not $1")
    }

    @Test func agreementSaysNothingAndAPegSaysSo() throws {
        let eth = Symbol(base: "ETH", quote: "USDC")
        let agreeing = MarketState(markets: ["a", "b", "c"].map { Self.market($0, eth, bid: "2999.9", ask: "3000.1") }, gas: [])
        #expect(Engine.trust(try #require(agreeing.reference(of: "ETH", in: "USDC"))).note == nil)
        let none = MarketState(markets: [], gas: [])
        let peg = Engine.trust(try #require(none.reference(of: "USDT", in: "USDC")))
        #expect(peg.note == "no market: taken at the $1 peg" && !peg.warning)
        let outlier = MarketState(markets: ["a", "b", "c"].map { Self.market($0, eth, bid: "2999.9", ask: "3000.1") }
                                  + [Self.market("odd", eth, bid: "3299.9", ask: "3300.1")], gas: [])
        let said = Engine.trust(try #require(outlier.reference(of: "ETH", in: "USDC")))
        #expect(!said.warning && said.note == "ignored outlier odd 3300.00 vs 3000.00")
    }
}
