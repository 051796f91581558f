import DexterCore
@testable import DexterEngine
import DexterLedger
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// A LIVE desk's ledger against the venues' accounts: a fresh ledger opens with what each venue says it holds; after
/// every fill the two are compared and agree to the last unit — a buy's fee kept in the asset bought included —;
/// money that reached an account outside the desk is shown and audited, and the ledger keeps what it booked.
@Suite struct VenueBalanceTests: DrivesTheDesk {
    let clock = ManualClock()

    static let accounts: [VenueId: [Asset: FixedDecimal]] = [
        "alpha": ["ETH": FixedDecimal("10.5")!, "USDT": FixedDecimal(20_000)],
        "beta": ["ETH": FixedDecimal(12), "USDT": FixedDecimal("15000.25")!],
    ]

    func ledgerHoldings(_ ledger: Ledger, at venue: String) throws -> [Asset: FixedDecimal] {
        var held: [Asset: FixedDecimal] = [:]
        for row in try ledger.reader.balances() where row.account == venue && !row.delta.isZero { held[Asset(row.asset)] = row.delta }
        return held
    }

    func liveDesk(ledgerPath: String? = nil, venue: ScriptedVenue? = nil) async throws -> ScriptedDesk {
        let path = ledgerPath ?? NSTemporaryDirectory() + "dexter-balances-\(UUID().uuidString).sqlite"
        let scripted = venue ?? ScriptedVenue(venues: [ScriptedDesk.exchange("alpha"), ScriptedDesk.exchange("beta")],
                                              instruments: ScriptedDesk.instruments, books: ScriptedDesk.crossedBooks,
                                              behaviour: ["alpha": .ioc(), "beta": .ioc()], start: clock.now())
        if venue == nil { scripted.holdAccounts(Self.accounts, buyFeeInBase: true) }
        return try await scriptedDesk(ledgerPath: path, venue: scripted) { config in
            config.mode = .live
            config.reconciledVenues = ["alpha", "beta"]
        }
    }

    @Test func aFreshLedgerOpensWithTheVenuesAccountsAndAgreesWithThemAfterEveryFill() async throws {
        let desk = try await liveDesk()
        for (venue, held) in Self.accounts { #expect(try ledgerHoldings(desk.ledger, at: venue.name) == held) }
        await desk.engine.publishNow()
        let opening = try #require(desk.engine.board.current)
        #expect(opening.events.contains(.balancesFromVenue("alpha", assets: 2)))
        _ = try await approve(desk.engine)
        await run(desk.engine, for: .milliseconds(200))
        // Bought on alpha (the fee kept in ETH), sold on beta (the fee in USDT): both accounts moved.
        let alpha = try await desk.venue.balances(on: "alpha")
        #expect(alpha["ETH"]! > Self.accounts["alpha"]!["ETH"]! && alpha["ETH"]!.description.count > 4, "a fee in ETH: \(alpha)")
        for venue in ["alpha", "beta"] as [VenueId] {
            #expect(try ledgerHoldings(desk.ledger, at: venue.name) == (try await desk.venue.balances(on: venue)),
                    "\(venue): the ledger and the account agree to the last unit")
        }
        await desk.engine.publishNow()
        let events = try #require(desk.engine.board.current).events
        #expect(!events.contains { if case .balanceMismatch = $0 { true } else { false } }, "\(events)")
        #expect(try desk.ledger.reader.reconciliationProblems().isEmpty)
        // alpha's ETH lots hold what the account holds: the opening lot and what the buy received, its fee kept out.
        let lots = try desk.ledger.reader.openLots().filter { $0.account == "alpha" && $0.asset == "ETH" }
        #expect(lots.map(\.quantity) == [alpha["ETH"]!], "\(lots)")
    }

    @Test func moneyThatReachedTheAccountOutsideTheDeskIsShownAndAuditedNeverBooked() async throws {
        let first = try await liveDesk()
        await first.engine.stop()
        first.venue.credit(FixedDecimal(250), "USDT", at: "beta")
        let again = try await liveDesk(ledgerPath: first.ledgerPath, venue: first.venue)
        await again.engine.publishNow()
        let events = try #require(again.engine.board.current).events
        let expected = BalanceDifference(asset: "USDT", ledger: FixedDecimal("15000.25")!, venue: FixedDecimal("15250.25")!)
        #expect(events.contains(.balanceMismatch("beta", [expected])), "\(events)")
        #expect(events.contains(.balancesAgree("alpha", assets: 2)))
        #expect(try ledgerHoldings(again.ledger, at: "beta")["USDT"] == FixedDecimal("15000.25")!, "the ledger keeps what it booked")
        let audited = try again.ledger.reader.auditEntries(actions: ["balance mismatch"])
        #expect(audited.count == 1 && audited[0].detail.contains("USDT ledger 15000.25 venue 15250.25"), "\(audited)")
    }
}
