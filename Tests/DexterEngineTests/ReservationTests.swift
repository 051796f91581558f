import DexterCore
import DexterEngine
import DexterMarket
import DexterRisk
import DexterVenues
import Testing

/// Two executions in flight never spend one balance twice. Alpha and gamma both ask under beta's bid, so two routes
/// sell ETH at beta, and beta holds less ETH than both would sell; beta takes a second to fill, so the first
/// execution is still out when the second is sized. The second may only sell what the first left.
@Suite struct ReservationTests: DrivesTheDesk {
    let clock = ManualClock()
    typealias Desk = ScriptedDesk

    static let gammaETH = MarketKey(venue: "gamma", symbol: Desk.eth)
    static let betaHolds = FixedDecimal("2.5")!

    func twoRoutesIntoBeta(betaAnswers: ScriptedVenue.Behaviour) async throws -> ScriptedDesk {
        var books = Desk.crossedBooks
        books[Self.gammaETH] = Desk.book(bid: "2991", ask: "2992", size: "5")
        return try await scriptedDesk(
            books: books, behaviour: ["alpha": .ioc(), "gamma": .ioc(), "beta": betaAnswers],
            venues: [Desk.exchange("alpha"), Desk.exchange("beta"), Desk.exchange("gamma")]) { config in
            var inventory = Inventory()
            inventory.credit("ETH", Self.betaHolds, at: .exchange("beta"))
            for name in ["alpha", "gamma"] { inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name))) }
            config.initialBalances = inventory
            config.autoApprove = AutoApprovePolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000),
                                                   pairs: [])
        }
    }

    @Test func aSecondExecutionSellsOnlyWhatTheFirstLeft() async throws {
        let desk = try await twoRoutesIntoBeta(betaAnswers: .late(ack: .milliseconds(20), fill: .seconds(1)))
        await run(desk.engine, for: .milliseconds(200))
        let sellsAtBeta = desk.venue.submitted.filter { $0.venue == "beta" && $0.side == .sell }
        #expect(Set(desk.venue.submitted.filter { $0.side == .buy }.map(\.venue)) == ["alpha", "gamma"],
                "both routes went, the second sized against what the first left")
        #expect(sellsAtBeta.count == 2)
        #expect(desk.engine.board.current?.executing.count == 2, "beta has not answered yet")
        let offered = sellsAtBeta.reduce(FixedDecimal.zero) { $0 + $1.quantity }
        #expect(offered <= Self.betaHolds, "beta was asked to sell \(offered) ETH and holds \(Self.betaHolds)")

        await run(desk.engine, for: .seconds(2))
        #expect(desk.engine.board.current?.executing.isEmpty == true)
        let atBeta = try desk.ledger.reader.balances().filter { $0.account == AccountId.exchange("beta").description }
        #expect(atBeta.contains { $0.asset == "USDT" }, "beta's sales booked")
        // A balance that comes to zero has no row.
        let left = atBeta.first { $0.asset == "ETH" }?.delta ?? .zero
        #expect(!left.isNegative, "beta's ETH booked at \(left)")
        #expect(left == Self.betaHolds - offered)
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
    }

    /// What an execution held back is free again once it is booked, whether it filled or not: beta refuses every
    /// order, nothing is sold, and beta's whole balance is offered again.
    @Test func aBookedExecutionReleasesWhatItHeld() async throws {
        let refusal = ExecutionFailure(code: "-2010", failureClass: .rejected, reason: "Account has insufficient balance")
        let desk = try await twoRoutesIntoBeta(betaAnswers: .rejects(refusal))
        await run(desk.engine, for: .milliseconds(200))
        let sellsAtBeta = desk.venue.submitted.filter { $0.venue == "beta" && $0.side == .sell }
        #expect(sellsAtBeta.count >= 2)
        // Each refused sell released its ETH: a later one offers the most the notional cap allows again.
        let cap = try #require(sellsAtBeta.first).quantity
        #expect(sellsAtBeta.dropFirst().contains { $0.quantity == cap }, "\(sellsAtBeta.map(\.quantity))")
    }
}
