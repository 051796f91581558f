import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues
import Testing

/// A venue's least order quantity (`InstrumentSpec.minQuantity`): detection never proposes a leg below it, and a paper
/// fill below it is refused as the venue would refuse it.
@Suite struct MinQuantityTests {
    static let ethUSDC = Symbol(base: "ETH", quote: "USDC")
    static func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }
    let now = Timestamp(nanoseconds: 1_000_000)

    static func exchange(_ name: String) -> VenueSpec {
        VenueSpec(id: VenueId(name), kind: .exchange, takerFee: d("0.001"), stalenessBound: .seconds(5))
    }

    static func book(_ venue: VenueSpec, bids: [(String, String)], asks: [(String, String)], minQuantity: String) -> Market {
        Market(venue: venue,
               instrument: InstrumentSpec(symbol: ethUSDC, tickSize: d("0.01"), lotSize: d("0.01"), minNotional: d("1"),
                                          minQuantity: d(minQuantity)),
               liquidity: .book(OrderBook(bids: bids.map { BookLevel(price: d($0.0), quantity: d($0.1)) },
                                          asks: asks.map { BookLevel(price: d($0.0), quantity: d($0.1)) })),
               venueTime: .zero, receivedAt: .zero)
    }

    /// Two books whose best size is 3 ETH (CrossVenueDetectorTests' known optimum), the sell venue taking at least
    /// `minimum`.
    func detect(sellMinimum minimum: String) -> [Opportunity] {
        let a = Self.exchange("a"), b = Self.exchange("b")
        let state = MarketState(markets: [
            Self.book(a, bids: [("99", "10")], asks: [("100", "1"), ("100.5", "2"), ("101", "5")], minQuantity: "0"),
            Self.book(b, bids: [("102", "1.5"), ("101.5", "1"), ("100.8", "5")], asks: [("103", "10")], minQuantity: minimum),
        ], gas: [])
        var inventory = Inventory()
        for account in [a.account, b.account] {
            inventory.credit("ETH", FixedDecimal(1_000), at: account)
            inventory.credit("USDC", FixedDecimal(10_000_000), at: account)
        }
        var detector = CrossVenueDetector(policy: DetectionPolicy(minNetUSD: FixedDecimal(raw: FixedDecimal.unit / 100),
                                                                  maxNotionalUSD: FixedDecimal(10_000_000)))
        return detector.reevaluateAll(state: state, inventory: inventory, now: now).upserted
    }

    @Test func detectionNeverSizesALegBelowTheVenuesMinimum() throws {
        #expect(try #require(detect(sellMinimum: "0.5").first).quantity == Self.d("3"), "a minimum under the optimum changes nothing")
        // At least 4: the optimum is too small, and 4 ETH still pays (net 405.7 − 402 − fees > 0).
        let bounded = try #require(detect(sellMinimum: "3.995").first)
        #expect(bounded.quantity == Self.d("4"))
        #expect(bounded.net.isPositive)
        // More than both books hold: no leg can be large enough.
        #expect(detect(sellMinimum: "9").isEmpty)
    }

    @Test func aPaperFillBelowTheMinimumIsRefusedAsTheVenueWould() async throws {
        let venue = Self.exchange("a")
        let market = Self.book(venue, bids: [("99", "10")], asks: [("100", "10")], minQuantity: "0.5")
        let paper = PaperExecution(venueIds: [venue.id], clock: ManualClock(start: now)) { _ in market }
        func order(_ id: String, _ quantity: String) -> OrderRequest {
            OrderRequest(clientOrderId: id, venue: venue.id, symbol: Self.ethUSDC, side: .buy, quantity: Self.d(quantity),
                         limitPrice: Self.d("101"), submittedAt: now)
        }
        paper.submit(order("small", "0.49"))
        paper.submit(order("enough", "0.5"))
        guard case .found(let small) = try await paper.query("small", on: venue.id),
              case .found(let enough) = try await paper.query("enough", on: venue.id) else {
            Issue.record("both orders are known to the paper venue")
            return
        }
        #expect(small.status == .rejected && small.filledQuantity == .zero)
        #expect(small.failure?.code == "below_minimum" && small.failure?.failureClass == .rejected)
        #expect(small.reason?.contains("0.5") == true, "\(String(describing: small.reason))")
        #expect(enough.status == .filled && enough.filledQuantity == Self.d("0.5"))
    }

    @Test func aSpecWithoutMinimumOrMarginCarriesNothingExtra() {
        var spec = InstrumentSpec(symbol: Self.ethUSDC, tickSize: Self.d("0.01"), lotSize: Self.d("0.01"), minNotional: .zero)
        let plain = spec
        spec.minQuantity = Self.d("0.1")
        #expect(spec != plain && spec.minQuantity == Self.d("0.1") && spec.margin == nil)
        spec.margin = MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: Self.d("0.004"))
        #expect(spec.minQuantity == Self.d("0.1"), "setting the margin keeps the minimum")
        spec.minQuantity = .zero
        spec.margin = nil
        #expect(spec == plain && spec.hashValue == plain.hashValue)
        #expect(MemoryLayout<InstrumentSpec>.size == MemoryLayout<Symbol>.size + 3 * MemoryLayout<FixedDecimal>.size + 8,
                "one reference for both extras")
    }
}
