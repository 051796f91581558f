import BigInt
import DexterCore
import DexterDetect
import DexterMarket
import Testing

@Suite struct CrossVenueDetectorTests {
    typealias B = MarketBuilder
    let now = Timestamp(nanoseconds: 1_000_000)

    func detect(_ state: MarketState, _ inventory: Inventory, policy: DetectionPolicy = B.policy) -> [Opportunity] {
        var detector = CrossVenueDetector(policy: policy)
        return detector.reevaluateAll(state: state, inventory: inventory, now: now).upserted
    }

    /// Two books crossing over three levels: the best size is where the marginal effective prices meet, at 3 ETH.
    @Test func sizesBookAgainstBookAtTheKnownOptimum() throws {
        let a = B.exchange("a"), b = B.exchange("b")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "1"), ("100.5", "2"), ("101", "5")]),
            B.book(b, bids: [("102", "1.5"), ("101.5", "1"), ("100.8", "5")], asks: [("103", "10")]),
        ])
        let found = detect(state, B.inventory([a.account, b.account]))
        #expect(found.count == 1)
        let opportunity = try #require(found.first)
        #expect(opportunity.buy.venue == "a" && opportunity.sell.venue == "b")
        #expect(opportunity.quantity == B.d("3"))
        #expect(opportunity.buy.notional == B.d("301"))
        #expect(opportunity.sell.notional == B.d("304.9"))
        #expect(opportunity.gross == B.d("6"))
        #expect(opportunity.fees == B.d("0.6059"))
        #expect(opportunity.gasCost == .zero)
        #expect(opportunity.slippage == B.d("2.1"))
        #expect(opportunity.net == B.d("3.2941"))
        #expect(opportunity.gross - opportunity.fees - opportunity.gasCost - opportunity.slippage == opportunity.net)
        #expect(opportunity.buy.averagePrice == B.d("100.333333333333333333"))
        #expect(opportunity.buy.worstPrice == B.d("100.5"))
        #expect(opportunity.expiresAt == Timestamp.zero.adding(.seconds(5)))
    }

    /// A spot market and a perpetual on the same coin are different instruments: a perp quoted above spot is a basis
    /// trade (buy spot, sell the perpetual), named as one, and only when the policy pairs them; two perps settled alike,
    /// or two spot books, cross as one instrument. An inverse contract (settled in its base) never meets spot.
    @Test func spotAgainstAPerpetualIsABasisTradeOnlyWhenThePolicySaysSo() throws {
        let spot = B.exchange("spot"), perp = B.exchange("perp"), perp2 = B.exchange("perp2")
        let perpetual = try Symbol(parsing: "ETH/USDC:USDC")
        #expect(perpetual != B.ethUSDC && perpetual.base == B.ethUSDC.base && perpetual.quote == B.ethUSDC.quote)
        func onPerp(_ market: Market) -> Market {
            Market(venue: market.venue, instrument: InstrumentSpec(symbol: perpetual, tickSize: B.d("0.01"), lotSize: B.d("0.01"),
                                                                   minNotional: B.d("1")),
                   liquidity: market.liquidity, venueTime: .zero, receivedAt: .zero)
        }
        let wide = B.state([
            B.book(spot, bids: [("99", "10")], asks: [("100", "10")]),
            onPerp(B.book(perp, bids: [("110", "10")], asks: [("111", "10")])),
        ])
        var apart = B.policy
        apart.spotPerpetual = false
        #expect(detect(wide, B.inventory([spot.account, perp.account]), policy: apart).isEmpty)
        let basis = detect(wide, B.inventory([spot.account, perp.account]))
        #expect(basis.count == 1 && basis[0].isBasis && basis[0].symbol == B.ethUSDC)
        #expect(basis.first.map { [$0.buy.symbol, $0.sell.symbol] } == [B.ethUSDC, perpetual])
        #expect(basis.first?.route.description == "ETH/USDC spot→perp perp")
        let inverse = try Symbol(parsing: "ETH/USDC:ETH")
        #expect(inverse.underlying == inverse && perpetual.underlying == B.ethUSDC && B.ethUSDC.underlying == B.ethUSDC)
        let perps = B.state([
            onPerp(B.book(perp, bids: [("110", "10")], asks: [("111", "10")])),
            onPerp(B.book(perp2, bids: [("115", "10")], asks: [("116", "10")])),
        ])
        var inventory = Inventory()
        for account in [perp.account, perp2.account] {
            inventory.credit("ETH", B.d("100"), at: account)
            inventory.credit("USDC", B.d("100000"), at: account)
        }
        let crossed = detect(perps, inventory)
        #expect(crossed.count == 1 && crossed.first?.symbol == perpetual)
    }

    @Test func sellsNoMoreThanIsHeldWhereItSells() throws {
        let a = B.exchange("a"), b = B.exchange("b")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "1"), ("100.5", "2"), ("101", "5")]),
            B.book(b, bids: [("102", "1.5"), ("101.5", "1"), ("100.8", "5")], asks: [("103", "10")]),
        ])
        var inventory = B.inventory([a.account])
        inventory.credit("ETH", B.d("2"), at: b.account)
        let opportunity = try #require(detect(state, inventory).first)
        #expect(opportunity.quantity == B.d("2"))
        // And buys no more than the quote held where it buys pays for.
        var poor = B.inventory([b.account])
        poor.credit("USDC", B.d("150.15"), at: a.account)
        let small = try #require(detect(state, poor).first)
        #expect(small.buy.notional + small.buy.fee <= B.d("150.15"))
        #expect(small.quantity == B.d("1.49"))
    }

    /// A buy is held to its worst cost, as the pre-trade check holds it against the quote it has free: a book order at
    /// the dearest level it reaches with the fee, a swap at its cost moved by the slippage tolerance. Sized on the
    /// average alone, this one (1.49 ETH for 153.98 USDC of 155) would be refused at approval: 1.49 × 110 × 1.001 is
    /// 164.06. The largest size whose worst cost fits is proposed instead.
    @Test func buysNoMoreThanTheQuoteHeldPaysAtItsWorst() throws {
        let a = B.exchange("a"), b = B.exchange("b")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "1"), ("110", "2")]),
            B.book(b, bids: [("125", "5")], asks: [("126", "10")]),
        ])
        var inventory = B.inventory([b.account])
        inventory.credit("USDC", B.d("155"), at: a.account)
        let found = try #require(detect(state, inventory).first)
        #expect(found.quantity == B.d("1.4"))
        #expect(found.quantity * found.buy.worstPrice * B.d("1.001") <= B.d("155"))
        #expect((found.quantity + B.d("0.01")) * found.buy.worstPrice * B.d("1.001") > B.d("155"))

        // A pool buy: its cost × 1.005 within the wallet's USDC.
        let pool = B.v2Pool("uni", baseReserve: "1000", quoteReserve: "3000000")
        let dear = B.book(B.exchange("cex"), bids: [("3300", "10")], asks: [("3301", "10")], lot: "0.001")
        var tolerant = B.policy
        tolerant.swapSlippageTolerance = B.d("0.005")
        var wallet = B.inventory([dear.venue.account])
        wallet.credit("USDC", B.d("3000"), at: .wallet("ethereum"))
        let swap = try #require(detect(B.state([pool, dear]), wallet, policy: tolerant).first)
        #expect(swap.buy.venue == "uni")
        #expect(swap.buy.notional + swap.buy.fee <= B.d("3000") / B.d("1.005"))
        #expect(tolerant.worstCost(of: try pool.quote(.buy, quantity: swap.quantity), on: pool) <= B.d("3000"))
    }

    @Test func findsNothingWhenFeesEatTheSpread() {
        let a = B.exchange("a", fee: "0.006"), b = B.exchange("b", fee: "0.006")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "5")]),
            B.book(b, bids: [("101", "5")], asks: [("102", "10")]),
        ])
        #expect(detect(state, B.inventory([a.account, b.account])).isEmpty)
    }

    @Test func respectsMinimumNotional() {
        let a = B.exchange("a"), b = B.exchange("b")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "0.02")], minNotional: "5"),
            B.book(b, bids: [("101", "5")], asks: [("102", "10")], minNotional: "5"),
        ])
        #expect(detect(state, B.inventory([a.account, b.account])).isEmpty)
    }

    /// On random books, the detector's size and net equal an exhaustive search over the whole lot grid.
    @Test func matchesExhaustiveSearchOnRandomBooks() throws {
        var random = SeededGenerator(seed: 11)
        let a = B.exchange("a"), b = B.exchange("b", fee: "0.0005")
        var crossed = 0
        for _ in 0..<40 {
            func levels(from start: Double, step: Double) -> [(String, String)] {
                var price = start
                return (0..<6).map { _ in
                    price += step * (0.2 + random.unit())
                    let quantity = 0.05 + 2 * random.unit()
                    return (FixedDecimal(approximating: price).rounded(digits: 2).description,
                            FixedDecimal(approximating: quantity).rounded(digits: 2).description)
                }
            }
            let asks = levels(from: 99.5, step: 0.3)
            let bids = levels(from: 101.2, step: -0.3)
            let state = B.state([B.book(a, bids: [("90", "100")], asks: asks), B.book(b, bids: bids, asks: [("110", "100")])])
            let inventory = B.inventory([a.account, b.account])
            let found = detect(state, inventory).first { $0.buy.venue == "a" }
            let best = exhaustiveBest(buy: state.markets[0], sell: state.markets[1], lot: B.d("0.01"))
            if let best, best.net > B.d("0.01") {
                let opportunity = try #require(found, "missed \(best)")
                #expect(opportunity.net == best.net)
                crossed += 1
            } else {
                #expect(found == nil)
            }
        }
        #expect(crossed >= 20, "the random books should mostly cross")
    }

    /// Walks every lot size with plain arithmetic, independent of the detector's bisection.
    func exhaustiveBest(buy: Market, sell: Market, lot: FixedDecimal) -> (quantity: FixedDecimal, net: FixedDecimal)? {
        guard case .book(let buyBook) = buy.liquidity, case .book(let sellBook) = sell.liquidity else { return nil }
        func cost(_ levels: [BookLevel], _ quantity: FixedDecimal) -> FixedDecimal? {
            var remaining = quantity, total = FixedDecimal.zero
            for level in levels where remaining.isPositive {
                let take = remaining < level.quantity ? remaining : level.quantity
                total += take * level.price
                remaining -= take
            }
            return remaining.isPositive ? nil : total
        }
        var best: (FixedDecimal, FixedDecimal)?
        var quantity = lot
        while let paid = cost(buyBook.asks, quantity), let received = cost(sellBook.bids, quantity) {
            let net = received - received * sell.venue.takerFee - paid - paid * buy.venue.takerFee
            if net > (best?.1 ?? .zero) { best = (quantity, net) }
            quantity += lot
        }
        return best.map { (quantity: $0.0, net: $0.1) }
    }

    /// Against a constant-product pool the exact optimum on the lot grid, gas included, is found.
    @Test func sizesBookAgainstPoolAtTheExhaustiveOptimum() throws {
        let exchange = B.exchange("cex")
        let pool = B.v2Pool("uni", baseReserve: "1000", quoteReserve: "3060000")
        let state = B.state([
            B.book(exchange, bids: [("2990", "1")], asks: [("3000", "2"), ("3001", "3"), ("3002", "10")], lot: "0.001"),
            pool,
        ])
        let inventory = B.inventory([exchange.account, .wallet("ethereum")])
        let opportunity = try #require(detect(state, inventory).first)
        #expect(opportunity.buy.venue == "cex" && opportunity.sell.venue == "uni")
        // Gas: 100 000 units × 10 gwei = 0.001 ETH, valued at the ETH/USDC mid of the two markets.
        #expect(opportunity.sell.gas == B.d("0.001"))
        #expect(opportunity.sell.gasToken == "ETH")
        let (bestQuantity, bestNet) = exhaustiveBest(state, buy: 0, sell: 1, gas: opportunity.gasCost,
                                                     from: B.d("0.001"), through: B.d("15"), step: B.d("0.001"))
        #expect(opportunity.quantity == bestQuantity)
        #expect(opportunity.net == bestNet)
    }

    /// Against a V3 pool with stacked positions the best size lies past the core range: the sale crosses its tick,
    /// and the size still matches an exhaustive search of exact quotes on the lot grid, gas included.
    @Test func sizesBookAgainstAConcentratedPoolAcrossATick() throws {
        let exchange = B.exchange("cex")
        // About 58 ETH of virtual depth per position near 3060 (L ≈ 58 · √P_raw).
        let pool = try B.v3Pool("uni3", price: "3060", core: 0.004, main: 0.05, liquidity: BigUInt(3_200_000_000_000_000))
        let state = B.state([
            B.book(exchange, bids: [("2990", "1")], asks: [("3000", "40"), ("3010", "40")], lot: "0.1"),
            pool,
        ])
        let inventory = B.inventory([exchange.account, .wallet("ethereum")])
        let opportunity = try #require(detect(state, inventory).first)
        #expect(opportunity.buy.venue == "cex" && opportunity.sell.venue == "uni3")
        guard case .concentrated(let v3) = state.markets[1].liquidity else { Issue.record("not a V3 pool"); return }
        let units = BigUInt(opportunity.quantity.units(decimals: 18))
        let after = try v3.sellBase(units).pool
        #expect(after.liquidity < v3.liquidity, "the sale left the core range, so liquidity dropped at the crossing")
        let (bestQuantity, bestNet) = exhaustiveBest(state, buy: 0, sell: 1, gas: opportunity.gasCost,
                                                     from: B.d("0.1"), through: B.d("40"), step: B.d("0.1"))
        #expect(opportunity.quantity == bestQuantity)
        #expect(opportunity.net == bestNet)
    }

    /// Against a StableSwap pool the flat curve gives a large best size; it still matches an exhaustive search.
    @Test func sizesBookAgainstAStableSwapPool() throws {
        let exchange = B.exchange("cex", fee: "0.0001")
        // The pool holds more USDT than USDC, so USDT is cheap there; the book bids 1.0010.
        let pool = B.stablePool("curve", usdt: "6000000", usdc: "4000000")
        let eth = B.book(B.exchange("ethx"), bids: [("3000", "10")], asks: [("3001", "10")])
        let state = B.state([
            B.stableBook(exchange, bids: [("1.0010", "30000"), ("1.0005", "30000")], asks: [("1.0030", "50000")]),
            pool, eth,
        ])
        var inventory = B.inventory([exchange.account, .wallet("ethereum")])
        inventory.credit("USDT", B.d("1000000"), at: exchange.account)
        let opportunity = try #require(detect(state, inventory).first { $0.symbol == B.usdtUSDC })
        #expect(opportunity.buy.venue == "curve" && opportunity.sell.venue == "cex")
        let (bestQuantity, bestNet) = exhaustiveBest(state, buy: 1, sell: 0, gas: opportunity.gasCost,
                                                     from: B.d("500"), through: B.d("60000"), step: B.d("500"))
        // The grid above is coarser than the lot: the detector's pick is at least as good and within a step.
        #expect(opportunity.net >= bestNet)
        #expect((opportunity.quantity - bestQuantity).magnitude <= B.d("500"))
        let exact = try state.markets[0].quote(.sell, quantity: opportunity.quantity).cash
            - state.markets[1].quote(.buy, quantity: opportunity.quantity).cash - opportunity.gasCost
        #expect(exact == opportunity.net)
    }

    /// The best size on a grid by exact quotes of both legs, gas included: (quantity, net), or (0, 0) if none pays.
    func exhaustiveBest(_ state: MarketState, buy: Int, sell: Int, gas: FixedDecimal, from first: FixedDecimal,
                        through last: FixedDecimal, step: FixedDecimal) -> (FixedDecimal, FixedDecimal) {
        var best = (FixedDecimal.zero, FixedDecimal.zero)
        var quantity = first
        while quantity <= last {
            if let bought = try? state.markets[buy].quote(.buy, quantity: quantity),
               let sold = try? state.markets[sell].quote(.sell, quantity: quantity) {
                let net = sold.cash - bought.cash - gas
                if net > best.1 { best = (quantity, net) }
            }
            quantity += step
        }
        return best
    }

    /// An update re-evaluates only the routes through the market it touched, and a route keeps its id.
    @Test func updatesIncrementallyAndKeepsIds() throws {
        let a = B.exchange("a"), b = B.exchange("b"), c = B.exchange("c")
        var state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "5")]),
            B.book(b, bids: [("101", "5")], asks: [("102", "10")]),
            B.book(c, bids: [("98", "5")], asks: [("103", "10")]),
        ])
        let inventory = B.inventory([a.account, b.account, c.account])
        var detector = CrossVenueDetector(policy: B.policy)
        let first = detector.reevaluateAll(state: state, inventory: inventory, now: now)
        #expect(first.upserted.count == 1)
        let id = try #require(first.upserted.first?.id)

        // Market c moves but stays out of the money: nothing changes.
        let cIndex = 2
        state.apply(.liquidity(state.markets[cIndex].key, .book(OrderBook(bids: [BookLevel(price: B.d("97"), quantity: B.d("5"))],
                                                                          asks: [BookLevel(price: B.d("104"), quantity: B.d("5"))])),
                               venueTime: now, receivedAt: now))
        let quiet = detector.marketDidChange(cIndex, state: state, inventory: inventory, now: now)
        #expect(quiet.isEmpty)

        // b's bid improves: the same route, same id, new numbers.
        state.apply(.liquidity(state.markets[1].key, .book(OrderBook(bids: [BookLevel(price: B.d("101.5"), quantity: B.d("5"))],
                                                                     asks: [BookLevel(price: B.d("102"), quantity: B.d("10"))])),
                               venueTime: now, receivedAt: now))
        let moved = detector.marketDidChange(1, state: state, inventory: inventory, now: now)
        #expect(moved.upserted.map(\.id) == [id])
        #expect(moved.upserted.first?.net == B.d("5") * B.d("101.5") * B.d("0.999") - B.d("500") * B.d("1.001"))

        // b's bid falls away: the opportunity is gone.
        state.apply(.liquidity(state.markets[1].key, .book(OrderBook(bids: [BookLevel(price: B.d("99.5"), quantity: B.d("5"))],
                                                                     asks: [BookLevel(price: B.d("102"), quantity: B.d("10"))])),
                               venueTime: now, receivedAt: now))
        let closed = detector.marketDidChange(1, state: state, inventory: inventory, now: now)
        #expect(closed.removed == [id])
        #expect(detector.opportunities.isEmpty)
    }

    /// Markets that changed at one instant are searched in one pass: every route through any of them, each once,
    /// including the route between two of them.
    @Test func marketsThatChangedTogetherAreSearchedOnce() throws {
        let a = B.exchange("a"), b = B.exchange("b"), c = B.exchange("c")
        var state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "5")]),
            B.book(b, bids: [("99", "5")], asks: [("102", "10")]),
            B.book(c, bids: [("98", "5")], asks: [("103", "10")]),
        ])
        let inventory = B.inventory([a.account, b.account, c.account])
        var detector = CrossVenueDetector(policy: B.policy)
        #expect(detector.reevaluateAll(state: state, inventory: inventory, now: now).isEmpty)

        // a's ask falls under b's bid, and c's bid rises over a's new ask: a → b (an unchanged peer) and a → c
        // (both changed) cross.
        let aBook = OrderBook(bids: [BookLevel(price: B.d("96"), quantity: B.d("10"))],
                              asks: [BookLevel(price: B.d("97"), quantity: B.d("5"))])
        let cBook = OrderBook(bids: [BookLevel(price: B.d("99.5"), quantity: B.d("5"))],
                              asks: [BookLevel(price: B.d("103"), quantity: B.d("10"))])
        state.apply(.liquidity(state.markets[0].key, .book(aBook), venueTime: now, receivedAt: now))
        state.apply(.liquidity(state.markets[2].key, .book(cBook), venueTime: now, receivedAt: now))
        let changes = detector.marketsDidChange([0, 2], state: state, inventory: inventory, now: now)
        #expect(changes.upserted.map(\.route.description).sorted() == ["ETH/USDC a→b", "ETH/USDC a→c"])
        #expect(changes.removed.isEmpty)
        #expect(detector.opportunities.count == 2)
    }

    @Test func staleQuotesExpire() throws {
        let a = B.exchange("a"), b = B.exchange("b")
        let state = B.state([
            B.book(a, bids: [("99", "10")], asks: [("100", "5")]),
            B.book(b, bids: [("101", "5")], asks: [("102", "10")]),
        ])
        var detector = CrossVenueDetector(policy: B.policy)
        let found = detector.reevaluateAll(state: state, inventory: B.inventory([a.account, b.account]), now: now)
        let opportunity = try #require(found.upserted.first)
        #expect(detector.expire(at: Timestamp.zero.adding(.seconds(4))).isEmpty)
        #expect(opportunity.isExpired(at: Timestamp.zero.adding(.seconds(5))))
        #expect(detector.expire(at: Timestamp.zero.adding(.seconds(5))) == [opportunity.id])
    }
}
