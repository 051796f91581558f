import DexterCore
import DexterEngine
import DexterMarket
import Testing

/// What the Positions panel says of a reference price with aggregators among its sources: an outlying aggregator is
/// named like a market; aggregators agreeing with the markets say nothing; aggregators alone and stale warn.
@Suite struct IndicationTrustTests {
    static let eth = Symbol(base: "ETH", quote: "USDC")

    static func indication(_ source: VenueId, price: String, at: Timestamp = .zero) -> PriceIndication {
        PriceIndication(source: source, symbol: eth, baseAmount: .one, quoteAmount: FixedDecimal(price)!, receivedAt: at,
                        stalenessBound: .seconds(60), weight: 1)
    }

    @Test func anOutlyingAggregatorIsNamedLikeAMarket() throws {
        var state = MarketState(markets: ["a", "b", "c"].map { PriceTrustTests.market($0, Self.eth, bid: "2999.9", ask: "3000.1") },
                                gas: [])
        state.apply(.indication(Self.indication("1inch@ethereum", price: "3000.2")))
        #expect(Engine.trust(try #require(state.reference(of: "ETH", in: "USDC"))).note == nil)
        state.apply(.indication(Self.indication("0x@ethereum", price: "3300")))
        let said = Engine.trust(try #require(state.reference(of: "ETH", in: "USDC")))
        #expect(!said.warning && said.note == "ignored outlier 0x@ethereum 3300.00 vs 3000.00")
    }

    @Test func aggregatorsAloneAndStaleWarn() throws {
        var state = MarketState(markets: [], gas: [])
        state.apply(.indication(Self.indication("1inch@ethereum", price: "3000")))
        let reference = try #require(state.reference(of: "ETH", in: "USDC", at: Timestamp(nanoseconds: 120_000_000_000)))
        let said = Engine.trust(reference)
        #expect(said.warning && said.note == "every source is stale")
    }
}
