import DexterCore
import DexterDetect
@testable import DexterEngine
import DexterLedger
import DexterRisk
import DexterVenues
import Foundation
import Synchronization
import Testing

/// The desk's wording, pinned in one place: the other engine tests match on events. These are the sentences the
/// trader reads on the Log panel and the status line, and some of them the end-to-end tests look for on screen
/// ("is stale", "rejected", "trading resumed", "no longer profit", "is gone").
@Suite struct DeskEventTextTests {
    static let now = Timestamp(nanoseconds: 1_764_092_645_000_000_000)
    static let symbol = Symbol(base: "ETH", quote: "USDT")
    let route = Route(symbol: symbol, buyVenue: "alpha", sellVenue: "beta")

    static func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

    static func order(_ id: String, _ venue: VenueId, _ side: Side, _ quantity: String, at limit: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venue, symbol: symbol, side: side, quantity: d(quantity),
                     limitPrice: d(limit), submittedAt: now)
    }

    @Test func approvalsAndRefusals() {
        let tess = DeskUser(name: "tess", role: .trader)
        let said: [(DeskEvent, String)] = [
            (.opportunityGone(12), "opportunity #12 is gone"),
            (.approvalRefused(12, route: route, .quoteStale(expiredAt: Self.now)),
             "#12 ETH/USDT alpha→beta: quote is stale (expired 17:44:05)"),
            (.approvalRefused(12, route: route, .halted(reason: "kill switch pulled by olga")),
             "#12 ETH/USDT alpha→beta: trading is halted: kill switch pulled by olga"),
            (.approvalRefused(12, route: route, .stoppedOut("ETH")),
             "#12 ETH/USDT alpha→beta: ETH is stopped out by its stop-loss; a risk manager's resume re-arms it"),
            (.approvalRefused(12, route: route, .venueNotTradable("beta", .down(reason: "socket closed"))),
             "#12 ETH/USDT alpha→beta: beta is down (socket closed)"),
            (.noLongerProfitable(12, route: route), "#12 ETH/USDT alpha→beta is no longer profitable at current prices"),
            (.rejected(12, route: route), "#12 ETH/USDT alpha→beta rejected"),
            (.approved(12, route: route, quantity: Self.d("1.5"), estimatedNetUSD: Self.d("12.987")),
             "#12 ETH/USDT alpha→beta approved: 1.5 ETH for est. $12.99, orders sent"),
            (.approvedInSequence(12, route: route, firstVenue: "beta"),
             "#12 ETH/USDT alpha→beta approved, legs in sequence: beta first"),
            (.autoApproved(12, route: route, netUSD: Self.d("4.5")), "#12 ETH/USDT alpha→beta auto-approved (net $4.50)"),
            (.notPermitted(tess.refusal(.setLimits)!), "refused: set limits needs the RiskManager role (tess is Trader)"),
            (.blockedByScreening(12, route: route, DenyListMatch(address: "0x7221", holder: .pool("uniswap", Self.symbol))),
             "#12 ETH/USDT alpha→beta blocked by screening: 0x7221 (uniswap ETH/USDT pool) is on the deny list"),
        ]
        for (event, text) in said { #expect(event.text == text) }
        #expect(DeskEvent.approvalRefused(12, route: route, .routeInFlight).level == .warning)
        #expect(DeskEvent.notPermitted(tess.refusal(.setLimits)!).level == .error)
    }

    @Test func tradingState() {
        let said: [(DeskEvent, String)] = [
            (.halted(reason: "kill switch pulled by olga", unsentCanceled: 0, cancelsSent: 0),
             "TRADING HALTED: kill switch pulled by olga"),
            (.halted(reason: "kill switch", unsentCanceled: 1, cancelsSent: 2),
             "TRADING HALTED: kill switch; 1 order(s) not yet sent canceled; "
                + "cancel sent for 2 order(s) at their venues, waiting for the answers"),
            (.haltStandsFromLastSession(reason: "end of day"),
             "TRADING HALTED before the restart: end of day; a risk manager resumes"),
            (.venueCancelsAnswered,
             "kill switch: every venue has answered its cancels; nothing of the desk's is working at a venue"),
            (.reducing(reason: "risk review"), "TRADING REDUCING: risk review; only orders that cut exposure"),
            (.active(afterReducing: "risk review"), "trading active"),
            (.resumed(afterHalt: "kill switch", lossBaselineUSD: .zero), "trading resumed"),
            (.resumed(afterHalt: "daily loss", lossBaselineUSD: Self.d("-1250.5")),
             "trading resumed; the daily loss limit now counts from -1250.50 USD"),
            (.resumeRefused(reason: "the ledger could not be written"),
             "cannot resume: the ledger could not be written; restart dexter with a working ledger"),
            (.stopsRearmed(["BTC", "ETH"]), "stop-loss re-armed: BTC, ETH"),
        ]
        for (event, text) in said { #expect(event.text == text) }
        #expect(DeskEvent.resumed(afterHalt: "kill switch", lossBaselineUSD: .zero).level == .success)
        #expect(DeskEvent.halted(reason: "x", unsentCanceled: 0, cancelsSent: 0).level == .error)
    }

    @Test func ordersAndBookings() {
        let sell = Self.order("r1-a3-2", "beta", .sell, "0.5", at: "3010")
        let swap = OrderRow(clientOrderId: "r1-a3-1", opportunityId: 12, venue: "uni-v3", side: .buy, symbol: Self.symbol,
                            quantity: Self.d("1.5"), limitPrice: Self.d("3000"), filled: .zero, averagePrice: .zero,
                            state: .accepted, reason: nil, submittedAt: Self.now, updatedAt: Self.now)
        let timeout = ExecutionFailure(code: "timeout", failureClass: .transient, reason: "the venue did not answer in time")
        let missed = ExecutionFailure(code: "price_moved", failureClass: .market, reason: "the book moved past the limit")
        let said: [(DeskEvent, String)] = [
            (.retryScheduled(sell, timeout, delay: .milliseconds(40), attempt: 2, maxAttempts: 3),
             "beta sell ETH/USDT [timeout] the venue did not answer in time; sending r1-a3-2 again in 40 ms (attempt 2 of 3)"),
            (.orderNotSent(sell, .halted(reason: "kill switch")), "beta sell ETH/USDT not sent: trading is halted: kill switch"),
            (.retryNotSent(sell, .noExecutionClient("beta")), "r1-a3-2 not sent again: no execution client for beta"),
            (.legFailed(venue: "beta", side: .sell, symbol: Self.symbol, missed, venueReason: "IOC unfilled"),
             "beta sell ETH/USDT failed [price_moved] the book moved past the limit (IOC unfilled)"),
            // Words the sentence already quotes are not repeated.
            (.legFailed(venue: "beta", side: .sell, symbol: Self.symbol, missed, venueReason: "the book moved"),
             "beta sell ETH/USDT failed [price_moved] the book moved past the limit"),
            (.orderCancelRequested(swap), "cancel sent for #12 uni-v3 buy 1.5 ETH/USDT"),
            (.orderSpedUp(swap, sent: "0xb0fa…6f55 sent at nonce 7 at max fee 45 gwei, tip 2.25 gwei (private)"),
             "sped up #12 uni-v3 buy 1.5 ETH/USDT: 0xb0fa…6f55 sent at nonce 7 at max fee 45 gwei, tip 2.25 gwei (private)"),
            (.orderActionRefused(clientOrderId: "r1-a3-1", action: .speedUp, reason: "no such order this session"),
             "cannot speed up r1-a3-1: no such order this session"),
            (.ledgerWriteFailed(.init(.booking(id: "r1-a3"), ApprovalMissing(recordId: "r1-o12.3"))),
             "LEDGER WRITE FAILED for r1-a3: its approval r1-o12.3 is not on disk; trading halted"),
        ]
        for (event, text) in said { #expect(event.text == text) }

        let arbitrage = DeskEvent.ExecutionName(purpose: .arbitrage, opportunityId: 12, route: route, symbol: Self.symbol,
                                                venues: ["alpha", "beta"])
        let completed = DeskEvent.booked(.init(id: "r1-a3", execution: arbitrage, status: .completed,
                                               realisedUSD: Self.d("3.1"), estimatedNetUSD: Self.d("3.25")))
        #expect(completed.text == "#12 ETH/USDT alpha→beta completed: realised $3.10 vs est. $3.25 (booked r1-a3)")
        #expect(completed.level == .success && completed.kind == "booked")
        let stop = DeskEvent.ExecutionName(purpose: .stopLoss("ETH"), opportunityId: nil, route: nil, symbol: Self.symbol,
                                           venues: ["beta"])
        let partial = DeskEvent.booked(.init(id: "r1-s4", execution: stop, status: .partial, realisedUSD: Self.d("-41"),
                                             estimatedNetUSD: nil))
        #expect(partial.text == "stop-loss ETH ETH/USDT on beta partial: realised $-41.00 (booked r1-s4)")
        #expect(partial.level == .warning)
    }

    @Test func legRiskStopsAndMargin() {
        let long = DeskEvent.LegExposure(asset: "ETH", excess: Self.d("0.5"), venue: "alpha")
        let unwind = Self.order("r1-a3-u4-1", "alpha", .sell, "0.5", at: "2985")
        let short = DeskEvent.LegExposure(asset: "ETH", excess: Self.d("-0.5"), venue: "beta")
        let reading = StopLossLimits(percentBelowCost: ["ETH": FixedDecimal(10)])
            .reading(asset: "ETH", quantity: FixedDecimal(20), costUSD: FixedDecimal(60_000), markUSD: 2_550)!
        let kept = [DeskEvent.StopLossKept(quantity: Self.d("0.05"), account: .wallet("ethereum"), why: .gasReserve),
                    DeskEvent.StopLossKept(quantity: Self.d("2"), account: .exchange("beta"), why: .marketTooThin)]
        let sale = DeskEvent.StopLossSale(quantity: Self.d("8"), venue: "beta", limit: Self.d("2520"), order: 2)
        let unsold = DeskEvent.StopLossKept(quantity: Self.d("0.3"), account: .exchange("beta"), why: .notSold(afterOrders: 5))
        let breach = DeskEvent.MarginBreach(account: .exchange("okx-swap"), ratio: 0.8123, reduceAt: 0.8,
                                            equity: Self.d("1000"), maintenanceMargin: Self.d("812.3"))
        let cuts: [DeskEvent.MarginCut] = [.sent(Self.order("r1-m5-1", "okx-swap", .buy, "2", at: "3050")),
                                           .noBook(Self.symbol, venue: "alpha", quantity: FixedDecimal(1))]
        let said: [(DeskEvent, String)] = [
            (.legRiskCorrection(arbitrageId: "r1-a3", long, action: .unwind, order: unwind),
             "leg risk on r1-a3: long 0.5 ETH bought on alpha; unwind: sell 0.5 ETH on alpha at ≥ 2985"),
            (.legRiskLeftOpen(arbitrageId: "r1-a3", short, haltReason: "desk meeting"),
             "leg risk on r1-a3: short 0.5 ETH sold on beta, left open: trading is halted (desk meeting)"),
            (.stopLossTriggered(reading),
             "STOP-LOSS: ETH at $2550.00 is 15.00 % below its average cost $3000.00, past its 10 % stop. "
                + "No new arbitrage in ETH until resumed"),
            (.stopLossSelling("ETH", sales: [sale], kept: kept),
             "stop-loss ETH: selling 8 on beta at ≥ 2520 (order 2); kept 0.05 at wallet@ethereum for gas, "
                + "2 at beta: the market is too thin for more now"),
            (.stopLossClosed("ETH", kept: []), "stop-loss ETH: closed"),
            (.stopLossIncomplete("ETH", kept: [unsold]),
             "STOP-LOSS ETH could not close everything: 0.3 at beta: not sold after 5 orders; close it by hand"),
            (.marginCut(breach, fraction: 0.25, cuts: cuts),
             "MARGIN BUFFER: okx-swap margin ratio 81.2 % reached the 80.0 % buffer (equity 1000.00, maintenance 812.30); "
                + "cutting 25.0 %: buy 2 ETH/USDT on okx-swap, no ETH/USDT book on alpha deep enough to cut 1"),
        ]
        for (event, text) in said { #expect(event.text == text) }
    }

    @Test func venuesRestartAndConfig() {
        let recovered: [DeskEvent.RecoveredArbitrage] = [
            .init(arbitrageId: "r0-a7", outcome: .booked(.partial, explanation: "recovered after a restart: beta sell expired")),
            .init(arbitrageId: "r0-a8", outcome: .approvalMissing),
        ]
        let said: [(DeskEvent, String)] = [
            (.started(mode: .sim, venues: 2, markets: 4), "SIM market started: 2 venues, 4 markets"),
            (.connectionChanged("beta", .down(reason: "socket closed")), "beta is down (socket closed)"),
            (.orderSilent("beta", clientOrderId: "r1-a3-2", silence: .seconds(2)),
             "beta has said nothing of r1-a3-2 for 2.0 seconds; asking it"),
            (.queryAnswered("beta", clientOrderId: "r1-a3-2", .filled), "beta answered for r1-a3-2: filled"),
            (.restartSettled(ordersInFlight: 3, recovered),
             "restart: 3 order(s) were in flight; settled with their venues: r0-a7 partial (recovered after a restart: "
                + "beta sell expired); r0-a8: its approval was not on disk; orders settled, nothing booked"),
            (.configReloaded([.limits, .automaticHalts, .denyList(addresses: 1)]),
             "config reloaded: limits, automatic halts, deny list (1 addresses) changed"),
            (.configReloaded([]), "config reloaded: nothing changed"),
            (.limitChanged(.maxNotionalPerTradeUSD(FixedDecimal(1_234)), previous: FixedDecimal(5_000)),
             "limit changed: max notional per trade $1234.00 (was $5000.00)"),
            (.limitChanged(.maxPosition("ETH", Self.d("12.5")), previous: nil), "limit changed: max position ETH 12.5 (was none)"),
            (.configAlert("[venues.kraken] has no fees; using 0.26 %"), "[venues.kraken] has no fees; using 0.26 %"),
        ]
        for (event, text) in said { #expect(event.text == text) }
        #expect(DeskEvent.connectionChanged("beta", .down(reason: "socket closed")).level == .warning)
        #expect(DeskEvent.connectionChanged("beta", .live).level == .info)
        #expect(DeskEvent.venueCancelsAnswered.kind == "venueCancelsAnswered")
    }
}

/// The headless runner hears the desk's events as they happen, those said before it listened included.
@Suite struct DeskEventObserverTests {
    let clock = ManualClock()

    @Test func anObserverHearsTheSessionFromItsStart() async throws {
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-events-\(UUID().uuidString).sqlite")
        let engine = try await Engine(config: twoVenueConfig(), ledger: ledger, clock: clock)
        let heard = Mutex<[DeskEvent]>([])
        await engine.onEvent { said in heard.withLock { $0.append(said.event) } }
        await engine.halt("test")
        let events = heard.withLock { $0 }
        #expect(events.first.map { if case .started = $0 { true } else { false } } == true, "\(events)")
        #expect(events.last == .halted(reason: "test", unsentCanceled: 0, cancelsSent: 0))
    }
}
