import BigInt
import DexterCore
import DexterDetect
import DexterMarket
import Testing

private typealias B = MarketBuilder

/// Cycles on a live market state: found, sized exactly along every leg, kept up to date, non-overlapping.
@Suite struct CycleDetectorTests {
    static func book(_ venue: String, _ pair: String, bids: [(String, String)], asks: [(String, String)],
                     lot: String = "0.0001", fee: String = "0.001") throws -> Market {
        Market(venue: B.exchange(venue, fee: fee),
               instrument: InstrumentSpec(symbol: try Symbol(parsing: pair), tickSize: B.d("0.0001"), lotSize: B.d(lot),
                                          minNotional: B.d("1")),
               liquidity: .book(OrderBook(bids: bids.map { BookLevel(price: B.d($0.0), quantity: B.d($0.1)) },
                                          asks: asks.map { BookLevel(price: B.d($0.0), quantity: B.d($0.1)) })))
    }

    /// USDC → ETH (buy on a) → USDT (sell on b) → USDC (buy USDC with USDT on c): ETH/USDT is 1 % rich.
    static func triangle(rich: Bool = true) throws -> [Market] {
        let bids = rich ? [("3030", "1.5"), ("3020", "1"), ("3005", "5")] : [("2995", "1.5"), ("2990", "5")]
        return [try book("a", "ETH/USDC", bids: [("2999", "5")], asks: [("3000", "1"), ("3001", "2"), ("3003", "5")]),
         try book("b", "ETH/USDT", bids: bids, asks: [("3040", "5")]),
         try book("c", "USDC/USDT", bids: [("0.9999", "100000")], asks: [("1.0001", "100000")], lot: "1")]
    }

    static func inventory(_ markets: [Market]) -> Inventory {
        var inventory = Inventory()
        for market in markets {
            inventory.credit(market.key.symbol.base, B.d("1000000"), at: market.venue.account)
            inventory.credit(market.key.symbol.quote, B.d("1000000"), at: market.venue.account)
        }
        return inventory
    }

    @Test func findsATriangleAcrossVenuesAndSizesItExactly() throws {
        let markets = try Self.triangle()
        let state = B.state(markets)
        var detector = CycleDetector(policy: B.policy)
        let changed = detector.rebuild(state: state, inventory: Self.inventory(markets), now: .zero)
        #expect(changed)
        let cycle = try #require(detector.best.first)
        #expect(detector.best.count == 1)
        #expect(cycle.legs.count == 3)
        #expect(Set(cycle.legs.map(\.venue)) == ["a", "b", "c"])
        // Closed: each leg spends what the previous one received (to within a lot) and the last returns the start.
        for (leg, next) in zip(cycle.legs, cycle.legs.dropFirst()) {
            #expect(leg.to == next.from && next.input <= leg.output)
        }
        #expect(cycle.legs.last?.to == cycle.start)
        #expect(cycle.net == cycle.amountOut - cycle.amountIn && cycle.net.isPositive)

        // Independently, in Double: walk the three books for a start amount and find the best on a fine grid.
        func walk(_ levels: [(Double, Double)], spend: Double, buying: Bool) -> Double {
            var left = spend, got = 0.0
            for (price, size) in levels {
                if buying {
                    let cost = min(left, price * size * 1.001)
                    got += cost / (price * 1.001); left -= cost
                } else {
                    let sold = min(left, size)
                    got += sold * price * 0.999; left -= sold
                }
                if left <= 0 { break }
            }
            return left > 1e-9 ? 0 : got
        }
        func profitFrom(_ start: Asset, _ amount: Double) -> Double {
            // Every rotation is one of the same three trades; here in the USDC → ETH → USDT → USDC order.
            let eth = walk([(3000, 1), (3001, 2), (3003, 5)], spend: amount, buying: true)
            let usdt = walk([(3030, 1.5), (3020, 1), (3005, 5)], spend: eth, buying: false)
            let usdc = walk([(1.0001, 100_000)], spend: usdt, buying: true)
            return usdc - amount
        }
        var bestGrid = 0.0
        var amount = 100.0
        while amount < 30_000 { bestGrid = max(bestGrid, profitFrom("USDC", amount)); amount += 10 }
        // The cycle's USD net is within a few cents of the grid's best (lots and rotation differ slightly).
        #expect(bestGrid > 10)
        #expect(abs(cycle.netUSD.doubleValue - bestGrid) < 0.5, "\(cycle.netUSD) vs \(bestGrid)")
        // Exact: every leg re-priced here from the books equals the leg as reported.
        for leg in cycle.legs {
            let market = try #require(state[MarketKey(venue: leg.venue, symbol: leg.symbol)])
            let quote = try market.quote(leg.side, quantity: leg.quantity)
            #expect(quote.cash == (leg.side == .buy ? leg.input : leg.output))
        }
    }

    @Test func anUpdateThatClosesTheGapRemovesTheCycle() throws {
        var markets = try Self.triangle()
        var state = B.state(markets)
        var detector = CycleDetector(policy: B.policy)
        _ = detector.rebuild(state: state, inventory: Self.inventory(markets), now: .zero)
        #expect(detector.best.count == 1)
        markets = try Self.triangle(rich: false)
        let index = try #require(state.indexByKey[markets[1].key])
        state.apply(.liquidity(markets[1].key, markets[1].liquidity, venueTime: .zero, receivedAt: .zero))
        // A stale-free update of ETH/USDT that removes the richness: the cycle is gone.
        let changed = detector.marketDidChange(index, state: state, inventory: Self.inventory(markets), now: .zero)
        #expect(changed && detector.best.isEmpty, "\(detector.best.map { "\($0.route) \($0.netUSD)" })")
    }

    @Test func reportsOnlyCyclesThatShareNoMarket() throws {
        // Two triangles that share the USDC/USDT market: only the better one is reported; one that uses its own
        // markets is reported beside it.
        var markets = try Self.triangle()
        markets.append(try Self.book("d", "ETH/USDT", bids: [("3010", "1")], asks: [("3050", "5")]))
        markets.append(try Self.book("e", "BTC/USDC", bids: [("59990", "1")], asks: [("60000", "0.5")], lot: "0.00001"))
        markets.append(try Self.book("f", "BTC/USDT", bids: [("60900", "0.5")], asks: [("61000", "1")], lot: "0.00001"))
        markets.append(try Self.book("g", "USDC/USDT", bids: [("0.9998", "100000")], asks: [("1.0002", "100000")], lot: "1"))
        let state = B.state(markets)
        var detector = CycleDetector(policy: B.policy)
        _ = detector.rebuild(state: state, inventory: Self.inventory(markets), now: .zero)
        let used = detector.best.flatMap { $0.legs.map { "\($0.venue) \($0.symbol)" } }
        #expect(detector.best.count >= 2)
        #expect(Set(used).count == used.count, "no market in two reported cycles: \(used)")
        #expect(detector.best.contains { $0.legs.contains { $0.symbol.base == "BTC" } })
        let nets = detector.best.map(\.netUSD)
        #expect(nets == nets.sorted(by: >))
    }

    @Test func aPoolLegIsSwappedInItsOwnMath() throws {
        // ETH cheap in a V2 pool against USDC; sold on a USDT book; USDT back to USDC.
        let pool = B.v2Pool("uni", baseReserve: "1000", quoteReserve: "2950000")
        let markets = [pool,
                       try Self.book("b", "ETH/USDT", bids: [("3010", "3"), ("3000", "5")], asks: [("3040", "5")]),
                       try Self.book("c", "USDC/USDT", bids: [("0.9999", "100000")], asks: [("1.0001", "100000")], lot: "1")]
        var inventory = Self.inventory(markets)
        inventory.credit("USDC", B.d("1000000"), at: .wallet("ethereum"))
        let state = B.state(markets)
        var detector = CycleDetector(policy: B.policy)
        _ = detector.rebuild(state: state, inventory: inventory, now: .zero)
        let cycle = try #require(detector.best.first)
        let poolLeg = try #require(cycle.legs.first { $0.venue == "uni" })
        #expect(cycle.gasUSD.isPositive, "the pool leg burns gas")
        // The pool leg spends its USDC in one exact-input swap: the V2 formula, written out here, gives its ETH.
        #expect(poolLeg.side == .buy && poolLeg.from == "USDC")
        guard case .constantProduct(let v2) = pool.liquidity else { Issue.record("not V2"); return }
        let amountIn = BigUInt(poolLeg.input.units(decimals: 6))
        let withFee = amountIn * 997
        let ethOut = withFee * v2.reserveBase / (v2.reserveQuote * 1000 + withFee)
        #expect(poolLeg.output == FixedDecimal(units: Int128(ethOut), decimals: 18))
    }

    /// Incremental upkeep equals a full search: after each of 60 random book updates, the reported cycles are
    /// those a detector rebuilt from scratch reports (the USDC/USDT markets stay put, so USD values do not drift).
    @Test func incrementalUpkeepMatchesAFullRebuild() throws {
        var random = SeededGenerator(seed: 11)
        func book(_ venue: String, _ pair: String, mid: Double) throws -> Market {
            let spread = mid * 0.0002
            let lot = pair.hasPrefix("BTC") ? "0.00001" : "0.0001"
            return try Self.book(venue, pair, bids: [(String(format: "%.2f", mid - spread), "2"), (String(format: "%.2f", mid * 0.995), "5")],
                                 asks: [(String(format: "%.2f", mid + spread), "2"), (String(format: "%.2f", mid * 1.005), "5")], lot: lot)
        }
        var markets: [Market] = []
        for venue in ["a", "b", "c"] {
            markets.append(try book(venue, "ETH/USDC", mid: 3000))
            markets.append(try book(venue, "ETH/USDT", mid: 3000))
            markets.append(try book(venue, "BTC/USDC", mid: 60000))
            markets.append(try book(venue, "BTC/USDT", mid: 60000))
            markets.append(try book(venue, "ETH/BTC", mid: 0.05))
        }
        markets.append(try Self.book("s", "USDC/USDT", bids: [("0.9999", "1000000")], asks: [("1.0001", "1000000")], lot: "1"))
        var state = B.state(markets)
        let inventory = Self.inventory(markets)
        var incremental = CycleDetector(policy: B.policy)
        _ = incremental.rebuild(state: state, inventory: inventory, now: .zero)
        var sawCycles = 0
        for _ in 0..<60 {
            let index = Int(random.next() % UInt64(markets.count - 1))
            let pair = markets[index].key.symbol.description
            let base = pair.hasPrefix("ETH/BTC") ? 0.05 : pair.hasPrefix("ETH") ? 3000.0 : 60000.0
            // Mostly small moves, sometimes a 1 % dislocation that opens cycles.
            let move = random.chance(0.3) ? (random.chance(0.5) ? 0.01 : -0.01) : 0.0005 * random.gaussian()
            let updated = try book(markets[index].key.venue.name, pair, mid: base * (1 + move))
            state.apply(.liquidity(updated.key, updated.liquidity, venueTime: .zero, receivedAt: .zero))
            _ = incremental.marketDidChange(index, state: state, inventory: inventory, now: .zero)
            var fresh = CycleDetector(policy: B.policy)
            _ = fresh.rebuild(state: state, inventory: inventory, now: .zero)
            #expect(incremental.best.map(\.route) == fresh.best.map(\.route))
            #expect(incremental.best.map(\.net) == fresh.best.map(\.net))
            sawCycles += fresh.best.count
        }
        #expect(sawCycles > 10, "the dislocations opened cycles to compare")
    }
}
