import DexterCore
import DexterDetect
import DexterMarket
import Testing

private typealias B = MarketBuilder

/// Aggregators' quotes (`PriceIndication`) in the reference price: weighted, with their own freshness, dropped and
/// named as outliers like a market.
@Suite struct ReferenceIndicationTests {
    static let oneInch = VenueId("1inch@ethereum")
    static let zeroEx = VenueId("0x@ethereum")

    /// `size` ETH sold for `size × price` USDC, received at `at`.
    static func indication(_ source: VenueId, price: String, size: String = "1", at: Timestamp = .zero,
                           bound: Duration = .seconds(30), weight: Double = 1) -> PriceIndication {
        PriceIndication(source: source, symbol: B.ethUSDC, baseAmount: B.d(size),
                        quoteAmount: B.d(size) * B.d(price), receivedAt: at, stalenessBound: bound, weight: weight)
    }

    static func state(_ markets: [Market], _ indications: [PriceIndication]) -> MarketState {
        var state = B.state(markets)
        for indication in indications { state.apply(.indication(indication)) }
        return state
    }

    static func eth(_ venue: String, mid: Double, at time: Timestamp = .zero) -> Market {
        ReferencePriceTests.eth(venue, mid: mid, at: time)
    }

    @Test func anIndicationAloneIsAReferenceEitherWayUp() throws {
        let state = Self.state([], [Self.indication(Self.oneInch, price: "2988.02")])
        let reference = try #require(state.reference(of: "ETH", in: "USDC"))
        #expect(reference.value == 2988.02 && reference.method == .direct)
        #expect(reference.sources.map(\.venue) == [Self.oneInch] && reference.sources[0].isIndication)
        let inverse = try #require(state.reference(of: "USDC", in: "ETH"))
        #expect(inverse.method == .inverse && abs(inverse.value - 1 / 2988.02) < 1e-15)
    }

    /// Equal weights give the ordinary median; a heavier indication pulls the center toward it, a lighter one leaves
    /// it to the markets.
    @Test func theWeightIsASayInTheMedian() throws {
        let markets = [Self.eth("a", mid: 3000), Self.eth("b", mid: 3001), Self.eth("c", mid: 3002)]
        func value(weight: Double) throws -> Double {
            let state = Self.state(markets, [Self.indication(Self.oneInch, price: "3001.5", weight: weight)])
            return try #require(state.reference(of: "ETH", in: "USDC")).value
        }
        // Four sources of weight 1: the mean of the middle two, 3001 and 3001.5.
        #expect(abs(try value(weight: 1) - 3001.25) < 1e-9)
        // Weight 2 of 5: 3000 and 3001 hold 2, less than half, so the center is the indication's price.
        #expect(abs(try value(weight: 2) - 3001.5) < 1e-9)
        // Weight 0.5 of 3.5: 3000 and 3001 already hold more than half.
        #expect(abs(try value(weight: 0.5) - 3001) < 1e-9)
    }

    /// An indication is fresh by its own bound, not a venue's; past it, it is left out while fresh sources exist and
    /// counted stale; alone and stale, it still gives a value, with freshness zero.
    @Test func anIndicationAgesByItsOwnBound() throws {
        let now = Timestamp(nanoseconds: 10_000_000_000)
        let market = Self.eth("a", mid: 3000, at: now)
        let fresh = Self.indication(Self.oneInch, price: "3002", at: .zero, bound: .seconds(40))
        let stale = Self.indication(Self.zeroEx, price: "2900", at: .zero, bound: .seconds(5))
        let reference = try #require(Self.state([market], [fresh, stale]).reference(of: "ETH", in: "USDC", at: now))
        #expect(reference.sources.map(\.venue) == ["a", Self.oneInch] && reference.staleSources == 1)
        #expect(abs(reference.value - 3001) < 1e-9)
        let oneInch = try #require(reference.sources.first { $0.venue == Self.oneInch })
        #expect(abs(oneInch.freshness - 0.75) < 1e-9 && oneInch.age == .seconds(10))
        let alone = try #require(Self.state([], [stale]).reference(of: "ETH", in: "USDC", at: now))
        #expect(alone.value == 2900 && alone.freshness == 0 && alone.staleSources == 1)
    }

    /// An aggregator far from the markets is an outlier like a market would be, and named for the screen.
    @Test func anOutlyingIndicationIsDroppedAndNamed() throws {
        let state = Self.state([Self.eth("a", mid: 3000), Self.eth("b", mid: 3001), Self.eth("c", mid: 2999)],
                               [Self.indication(Self.zeroEx, price: "3300")])
        let reference = try #require(state.reference(of: "ETH", in: "USDC"))
        #expect(reference.outliers.map(\.venue) == [Self.zeroEx] && reference.outliers[0].isIndication)
        #expect(abs(reference.value - 3000) < 1e-9 && reference.sources.count == 3)
        // However heavy, one source against three agreeing markets is the outlier: the weight moves the center
        // only as far as its neighbours' prices.
        let heavy = Self.state([Self.eth("a", mid: 3000), Self.eth("b", mid: 3001), Self.eth("c", mid: 2999)],
                               [Self.indication(Self.zeroEx, price: "3300", weight: 2)])
        #expect(try #require(heavy.reference(of: "ETH", in: "USDC")).outliers.map(\.venue) == [Self.zeroEx])
    }

    /// A newer indication from the same source replaces the older; two sources stand side by side.
    @Test func eachSourceHasOneIndicationPerPair() throws {
        var state = Self.state([], [Self.indication(Self.oneInch, price: "3000"), Self.indication(Self.zeroEx, price: "3010")])
        state.apply(.indication(Self.indication(Self.oneInch, price: "3004", at: Timestamp(nanoseconds: 1_000))))
        #expect(state.indications[B.ethUSDC]?.count == 2)
        let reference = try #require(state.reference(of: "ETH", in: "USDC"))
        #expect(reference.value == 3007 && reference.sources.count == 2)
    }

    @Test func aMoreConfidentReferenceWithAgreeingAggregators() throws {
        let alone = try #require(Self.state([Self.eth("a", mid: 3000)], []).reference(of: "ETH", in: "USDC"))
        let joined = try #require(Self.state([Self.eth("a", mid: 3000)],
                                             [Self.indication(Self.oneInch, price: "3000.5", size: "10"),
                                              Self.indication(Self.zeroEx, price: "2999.5", size: "10")])
            .reference(of: "ETH", in: "USDC"))
        #expect(joined.confidence > alone.confidence)
    }
}
