import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Testing

/// A spot pair against the linear perpetual on it, on two venues (a basis trade): spot-a sells ETH/USDT at 2,990 and
/// perp-b bids 3,010 for ETH/USDT:USDT, 5 ETH each. Cash and carry buys the spot and sells the perpetual; the short
/// receives perp-b's positive funding, which the waterfall counts as a gain. The reverse (perpetual cheaper than spot)
/// needs ETH on the spot venue to sell.
@Suite struct BasisTests: DrivesTheDesk {
    let clock = ManualClock()
    static let perp = try! Symbol(parsing: "ETH/USDT:USDT")
    static let spotKey = MarketKey(venue: "spot-a", symbol: ScriptedDesk.eth)
    static let perpKey = MarketKey(venue: "perp-b", symbol: perp)
    static let fee = FixedDecimal("0.0005")!

    static func books(spot: (bid: String, ask: String), perp: (bid: String, ask: String)) -> [MarketKey: OrderBook] {
        [spotKey: ScriptedDesk.book(bid: spot.bid, ask: spot.ask, size: "5"),
         MarketKey(venue: "spot-a", symbol: ScriptedDesk.dollar): ScriptedDesk.book(bid: "0.9999", ask: "1.0001", size: "1000000"),
         perpKey: ScriptedDesk.book(bid: perp.bid, ask: perp.ask, size: "5")]
    }

    func desk(books: [MarketKey: OrderBook] = books(spot: ("2989", "2990"), perp: ("3010", "3011")),
              spotETH: Int = 0, allowed: Set<Symbol> = [ScriptedDesk.eth, perp], spotPerpetual: Bool = true,
              collateral: Int = 2_000, buffer: MarginBuffer? = nil,
              behaviour: [VenueId: ScriptedVenue.Behaviour] = ["spot-a": .ioc(), "perp-b": .ioc()]) async throws -> ScriptedDesk {
        var perp = ScriptedDesk.instrument(Self.perp, tick: "0.01", lot: "0.001")
        perp.margin = MarginTerms(maxLeverage: FixedDecimal(20), maintenanceRate: FixedDecimal("0.005")!)
        return try await scriptedDesk(
            books: books, behaviour: behaviour,
            venues: [ScriptedDesk.exchange("spot-a"), ScriptedDesk.exchange("perp-b")],
            instruments: ScriptedDesk.instruments + [perp], allowed: allowed
        ) { config in
            var inventory = Inventory()
            inventory.credit("USDT", FixedDecimal(30_000), at: .exchange("spot-a"))
            inventory.credit("ETH", FixedDecimal(spotETH), at: .exchange("spot-a"))
            inventory.credit("USDT", FixedDecimal(collateral), at: .exchange("perp-b"))
            config.initialBalances = inventory
            config.limits = RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(60_000), dailyVolumeUSD: FixedDecimal(10_000_000),
                                       maxPosition: [:], allowedSymbols: allowed)
            config.detection = DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(60_000),
                                               spotPerpetual: spotPerpetual)
            config.autoHalt = AutoHaltLimits()
            config.positionVaRBudgetUSD = nil
            config.marginBuffer = buffer
        }
    }

    func funding(rate: String, in delay: Duration) -> MarketEvent {
        .funding(FundingQuote(market: Self.perpKey, rate: FixedDecimal(rate)!, nextFundingTime: clock.now().adding(delay),
                              interval: .seconds(8 * 3_600), markPrice: FixedDecimal(3010), receivedAt: clock.now()))
    }

    @Test func cashAndCarryBuysSpotSellsThePerpetualAndIsBookedExactly() async throws {
        let desk = try await desk()
        desk.engine.inbox.post(contentsOf: [funding(rate: "0.0001", in: .seconds(3_600))])
        let opportunity = try await firstOpportunity(desk.engine)
        #expect(opportunity.isBasis && opportunity.symbol == ScriptedDesk.eth)
        #expect(opportunity.buy.venue == "spot-a" && opportunity.buy.symbol == ScriptedDesk.eth)
        #expect(opportunity.sell.venue == "perp-b" && opportunity.sell.symbol == Self.perp)
        #expect(opportunity.route.description == "ETH/USDT spot-a→perp-b perp")
        #expect(opportunity.quantity == FixedDecimal(5))
        // The short receives one funding within the 8 h horizon: 5 × 3,010 × 0.01 %, a negative cost.
        #expect(opportunity.funding == FixedDecimal("-1.505")!)
        let fees = FixedDecimal(5) * (FixedDecimal(2990) + FixedDecimal(3010)) * Self.fee
        #expect(opportunity.net == FixedDecimal(100) - fees + FixedDecimal("1.505")!)

        await desk.engine.requestApproval(of: opportunity.id)
        await desk.engine.confirmApproval(of: opportunity.id)
        await run(desk.engine, for: .milliseconds(20))
        let booking = try #require(try desk.ledger.reader.bookings().first { $0.kind == .arbitrage })
        #expect(booking.status == "completed" && booking.realisedNetUSD == FixedDecimal(100) - fees, "\(booking)")
        // ETH bought on the spot venue is held there; the perpetual is short by as much: delta-neutral.
        let positions = try desk.ledger.reader.positions().map { "\($0.account) \($0.symbol) \($0.size)" }
        #expect(positions == ["perp-b ETH/USDT:USDT -5"], "\(positions)")
        let held = try #require(desk.engine.board.current).balances.first { $0.asset == "ETH" && $0.account == "spot-a" }
        #expect(held?.amount == FixedDecimal(5))
        let trades = try desk.ledger.reader.trades().map { "\($0.exchange) \($0.pair) \($0.side)" }.sorted()
        #expect(trades == ["perp-b ETH/USDT:USDT sell", "spot-a ETH/USDT buy"], "\(trades)")
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
    }

    @Test func theReverseSellsSpotHeldAndBuysThePerpetual() async throws {
        let reversed = Self.books(spot: ("3010", "3011"), perp: ("2989", "2990"))
        let empty = try await desk(books: reversed)
        await run(empty.engine, for: .milliseconds(20))
        #expect(empty.engine.board.current?.opportunities.isEmpty == true, "no ETH on spot-a to sell")
        let holding = try await desk(books: reversed, spotETH: 10)
        let opportunity = try await firstOpportunity(holding.engine)
        #expect(opportunity.buy.symbol == Self.perp && opportunity.sell.symbol == ScriptedDesk.eth)
        #expect(opportunity.route.description == "ETH/USDT perp-b perp→spot-a")
    }

    @Test func thePolicyCanKeepSpotAndPerpetualsApart() async throws {
        let desk = try await desk(spotPerpetual: false)
        await run(desk.engine, for: .milliseconds(20))
        #expect(desk.engine.board.current?.opportunities.isEmpty == true)
    }

    @Test func eachLegsInstrumentMustBeAllowed() async throws {
        let desk = try await desk(allowed: [Self.perp])
        let opportunity = try await firstOpportunity(desk.engine)
        await desk.engine.requestApproval(of: opportunity.id)
        await desk.engine.confirmApproval(of: opportunity.id)
        await run(desk.engine, for: .milliseconds(20))
        #expect(try desk.ledger.reader.trades().isEmpty)
        let denials = try #require(desk.engine.board.current).events.compactMap {
            if case .riskDenied(opportunity.id, _, let denial) = $0 { denial } else { nil }
        }
        #expect(denials.map(\.step) == [.instrument] && "\(denials[0])".contains("ETH/USDT is not an allowed pair"), "\(denials)")
        #expect(try desk.ledger.reader.decisions().map(\.decision) == ["denied"])
    }

    @Test func aMissedPerpetualLegIsUnwoundInTheSpotPairItFilled() async throws {
        let refusal = ExecutionFailure(code: "rejected", failureClass: .rejected, reason: "scripted refusal")
        let desk = try await desk(behaviour: ["spot-a": .ioc(), "perp-b": .rejects(refusal)])
        let opportunity = try await firstOpportunity(desk.engine)
        await desk.engine.requestApproval(of: opportunity.id)
        await desk.engine.confirmApproval(of: opportunity.id)
        await run(desk.engine, for: .milliseconds(50))
        let trades = try desk.ledger.reader.trades().map { "\($0.exchange) \($0.pair) \($0.side) \($0.amount)" }.sorted()
        // The spot buy filled, the perpetual sell was refused: the 5 ETH go back on spot-a, in the spot pair.
        #expect(trades == ["spot-a ETH/USDT buy 5", "spot-a ETH/USDT sell 5"], "\(trades)")
        #expect(try desk.ledger.reader.positions().allSatisfy { $0.size.isZero })
    }

    /// A cash and carry on thin collateral, then ETH up 6 % in steps: the buffer buys the perpetual short back and, with
    /// no perpetual on the other side, sells as much of the spot it was carried against, so the desk stays flat.
    @Test func theMarginBufferCutsTheShortAndSellsTheSpotItWasCarriedAgainst() async throws {
        let desk = try await desk(collateral: 800, buffer: MarginBuffer(reduceAt: 0.5, target: 0.3, maxSlippageBps: 100))
        let opportunity = try await firstOpportunity(desk.engine)
        #expect(opportunity.isBasis && opportunity.quantity == FixedDecimal(5))
        await desk.engine.requestApproval(of: opportunity.id)
        await desk.engine.confirmApproval(of: opportunity.id)
        await run(desk.engine, for: .milliseconds(20))
        #expect(try desk.ledger.reader.positions().map(\.size) == [FixedDecimal(-5)])
        for step in 1...24 {
            let factor = 1 + Double(step) * 0.0025
            func price(_ value: Double) -> String { FixedDecimal(approximating: value * factor).rounded(digits: 2).description }
            // Deep books now: the cuts fill wherever they go.
            desk.venue.setBook(Self.spotKey, OrderBook(bids: [BookLevel(price: FixedDecimal(price(2989))!, quantity: FixedDecimal(50))],
                                                       asks: [BookLevel(price: FixedDecimal(price(2990))!, quantity: FixedDecimal(50))]))
            desk.venue.setBook(Self.perpKey, OrderBook(bids: [BookLevel(price: FixedDecimal(price(2989.5))!, quantity: FixedDecimal(50))],
                                                       asks: [BookLevel(price: FixedDecimal(price(2990.5))!, quantity: FixedDecimal(50))]))
            await run(desk.engine, for: .milliseconds(300))
        }
        let cuts = try #require(desk.engine.board.current).events.compactMap {
            if case .marginCut(_, _, let cuts) = $0 { cuts } else { nil }
        }
        #expect(!cuts.isEmpty, "the buffer never cut")
        #expect(cuts.allSatisfy { cut in
            cut.compactMap { if case .sent(let order) = $0 { "\(order.venue) \(order.symbol) \(order.side) \(order.reduceOnly)" } else { nil } }
                == ["perp-b ETH/USDT:USDT buy true", "spot-a ETH/USDT sell false"]
        }, "\(cuts)")
        // Flat as before: the ETH still held on spot-a is what the perpetual is still short.
        let short = try #require(try desk.ledger.reader.positions().first).size
        let held = try #require(desk.engine.board.current).balances.first { $0.asset == "ETH" && $0.account == "spot-a" }?.amount ?? .zero
        #expect(short.isNegative && short.magnitude < FixedDecimal(5) && held == short.magnitude, "short \(short), held \(held)")
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
    }
}
