import DexterCore
import DexterDetect
import DexterMarket
import Testing

private typealias B = MarketBuilder

/// Reference prices: every source, outliers dropped and named, staleness, depeg, the peg as a last resort.
@Suite struct ReferencePriceTests {
    static func eth(_ venue: String, mid: Double, at time: Timestamp = .zero, size: String = "10") -> Market {
        let spread = mid * 0.0001
        return B.book(B.exchange(venue), bids: [(String(format: "%.2f", mid - spread), size)],
                      asks: [(String(format: "%.2f", mid + spread), size)], at: time)
    }

    @Test func anOutlierIsDroppedAndNamed() throws {
        let state = B.state([Self.eth("a", mid: 3000), Self.eth("b", mid: 3001), Self.eth("c", mid: 2999),
                             Self.eth("bad", mid: 3300)])
        let reference = try #require(state.reference(of: "ETH", in: "USDC"))
        #expect(reference.method == .direct)
        #expect(reference.sources.count == 3)
        #expect(reference.outliers.map(\.venue) == ["bad"])
        #expect(abs(reference.value - 3000) < 1e-9)
        #expect(reference.confidence > 0.5)
        // Two sources that disagree cannot say which is wrong: both stay, and agreement falls.
        let split = try #require(B.state([Self.eth("a", mid: 3000), Self.eth("bad", mid: 3300)]).reference(of: "ETH", in: "USDC"))
        #expect(split.outliers.isEmpty && split.agreement < 0.1 && split.confidence < reference.confidence)
    }

    @Test func staleSourcesAreLeftOutWhileFreshOnesExist() throws {
        let now = Timestamp(nanoseconds: 60_000_000_000)
        let state = B.state([Self.eth("old", mid: 2500, at: .zero), Self.eth("new", mid: 3000, at: now)])
        let reference = try #require(state.reference(of: "ETH", in: "USDC", at: now))
        #expect(reference.value == 3000 && reference.staleSources == 1 && reference.sources.map(\.venue) == ["new"])
        // With no fresh source at all, the stale ones still give a value, with freshness zero.
        let later = Timestamp(nanoseconds: 600_000_000_000)
        let stale = try #require(state.reference(of: "ETH", in: "USDC", at: later))
        #expect(stale.freshness == 0 && stale.sources.count == 2)
    }

    /// A coin quoted only in USDT (a recording of LINK/USDT) is valued through USDT at the peg: as fresh as its
    /// own market, since a peg has no age.
    @Test func aBridgeThroughThePegIsAsFreshAsItsMarket() throws {
        let now = Timestamp(nanoseconds: 60_000_000_000)
        let link = Market(venue: B.exchange("a"),
                          instrument: InstrumentSpec(symbol: Symbol(base: "LINK", quote: "USDT"), tickSize: B.d("0.001"),
                                                     lotSize: B.d("0.01"), minNotional: .zero),
                          liquidity: .book(OrderBook(bids: [BookLevel(price: B.d("26.9"), quantity: B.d("100"))],
                                                     asks: [BookLevel(price: B.d("27.1"), quantity: B.d("100"))])),
                          venueTime: now, receivedAt: now)
        let reference = try #require(B.state([link]).reference(of: "LINK", in: "USDC", at: now))
        #expect(reference.method == .bridged("USDT") && abs(reference.value - 27) < 1e-9)
        #expect(reference.freshness == 1, "\(reference.freshness)")
        let later = try #require(B.state([link]).reference(of: "LINK", in: "USDC", at: now.adding(.seconds(60))))
        #expect(later.freshness == 0, "its market's quote has gone stale")
    }

    @Test func moreAgreeingSourcesMeanMoreConfidence() throws {
        let one = try #require(B.state([Self.eth("a", mid: 3000)]).reference(of: "ETH", in: "USDC"))
        let three = try #require(B.state([Self.eth("a", mid: 3000), Self.eth("b", mid: 3000.5), Self.eth("c", mid: 2999.5)])
            .reference(of: "ETH", in: "USDC"))
        #expect(three.confidence > one.confidence)
        let thin = try #require(B.state([Self.eth("a", mid: 3000, size: "0.01")]).reference(of: "ETH", in: "USDC"))
        #expect(thin.confidence < one.confidence)
    }

    /// A stablecoin that trades is valued at what it trades at; one that does not is taken at the peg, doubtfully.
    @Test func aDepeggedStablecoinIsValuedAtMarket() throws {
        let usdt = Symbol(base: "USDT", quote: "USDC")
        let depeg = Market(venue: B.exchange("stable"),
                           instrument: InstrumentSpec(symbol: usdt, tickSize: B.d("0.0001"), lotSize: B.d("1"), minNotional: .zero),
                           liquidity: .book(OrderBook(bids: [BookLevel(price: B.d("0.9499"), quantity: B.d("100000"))],
                                                      asks: [BookLevel(price: B.d("0.9501"), quantity: B.d("100000"))])))
        let state = B.state([depeg])
        let reference = try #require(state.reference(of: "USDT", in: "USDC"))
        #expect(abs(reference.value - 0.95) < 1e-9 && reference.method == .direct)
        #expect(abs((state.usdValue(of: "USDT") ?? 0) - 0.95) < 1e-9)
        let pegged = try #require(B.state([]).reference(of: "USDT", in: "USDC"))
        #expect(pegged.method == .peg && pegged.value == 1 && pegged.confidence == ReferencePrice.pegConfidence)
        #expect(B.state([]).reference(of: "ETH", in: "USDC") == nil)
    }

    /// An ETH/USDT cross is worth 0.95 of its USDT profit in dollars once USDT trades at 0.95.
    @Test func opportunitiesInADepeggedQuoteAreValuedAtMarket() throws {
        let usdtSymbol = Symbol(base: "ETH", quote: "USDT")
        func ethUSDT(_ name: String, bid: String, ask: String) -> Market {
            Market(venue: B.exchange(name),
                   instrument: InstrumentSpec(symbol: usdtSymbol, tickSize: B.d("0.01"), lotSize: B.d("0.01"), minNotional: .zero),
                   liquidity: .book(OrderBook(bids: [BookLevel(price: B.d(bid), quantity: B.d("1"))],
                                              asks: [BookLevel(price: B.d(ask), quantity: B.d("1"))])))
        }
        let stable = Market(venue: B.exchange("stable"),
                            instrument: InstrumentSpec(symbol: Symbol(base: "USDT", quote: "USDC"), tickSize: B.d("0.0001"),
                                                       lotSize: B.d("1"), minNotional: .zero),
                            liquidity: .book(OrderBook(bids: [BookLevel(price: B.d("0.9499"), quantity: B.d("100000"))],
                                                       asks: [BookLevel(price: B.d("0.9501"), quantity: B.d("100000"))])))
        let state = B.state([ethUSDT("x", bid: "2990", ask: "3000"), ethUSDT("y", bid: "3100", ask: "3110"), stable])
        var inventory = Inventory()
        for account in [AccountId.exchange("x"), .exchange("y")] {
            inventory.credit("ETH", B.d("10"), at: account)
            inventory.credit("USDT", B.d("100000"), at: account)
        }
        var detector = CrossVenueDetector(policy: B.policy)
        let found = try #require(detector.reevaluateAll(state: state, inventory: inventory, now: .zero).upserted.first)
        #expect(found.symbol == usdtSymbol)
        let expected = (found.net.doubleValue * 0.95)
        #expect(abs(found.netUSD.doubleValue - expected) < 1e-6)
    }
}
