import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterTUI
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Bytes on the wire and frame time of the real curses screen at steady state: 200 opportunities churning, redrawn
/// at 10 Hz, on a pseudo-terminal whose other end only counts what arrives. The baseline in the same run repaints
/// every cell each frame, which is what a screen without differential updates would send.
enum WireBenchmark {
    static let opportunityCount = 200
    static let frameRate = 10
    static let seconds = 60

    static func run() {
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            let differential = measure(width: width, height: height, fullRepaint: false)
            let repaint = measure(width: width, height: height, fullRepaint: true)
            print("wire \(width)×\(height), \(opportunityCount) opportunities churning at \(frameRate) Hz for \(seconds) s:")
            print("  differential: \(differential.bytesPerSecond) B/s (\(differential.bytesPerFrame) B/frame), "
                  + "frame p50 \(differential.p50) µs p99 \(differential.p99) µs")
            print("  full repaint: \(repaint.bytesPerSecond) B/s, frame p50 \(repaint.p50) µs p99 \(repaint.p99) µs; "
                  + "differential sends \(String(format: "%.1f", Double(repaint.bytesPerSecond) / Double(max(1, differential.bytesPerSecond))))× less")
        }
    }

    struct Result {
        var bytesPerSecond: Int
        var bytesPerFrame: Int
        var p50: Int
        var p99: Int
    }

    static func measure(width: Int, height: Int, fullRepaint: Bool) -> Result {
        guard let (master, slave) = PseudoTerminal.open(width: width, height: height) else { fatalError("no pseudo-terminal") }

        // The far end of the wire: drain and count everything curses sends.
        let counted = Counter()
        let readerDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let read = Glibc.read(master, &buffer, buffer.count)
                if read <= 0 { break }
                counted.add(read)
            }
            readerDone.signal()
        }
        reader.start()

        setenv("LINES", "\(height)", 1)
        setenv("COLUMNS", "\(width)", 1)
        let screen = CursesScreen(theme: .dark, colour: true, mouse: false, terminal: ("xterm-256color", slave, slave))
        var market = ChurningMarket(count: opportunityCount, seed: 42)
        var view = ViewState()
        let keymap = KeyMap.standard
        // Warm up: the first frame paints the whole screen, which is not steady state.
        for _ in 0..<frameRate {
            market.step()
            screen.draw(Panels.frame(market.snapshot, view: &view, keymap: keymap, width: width, height: height))
        }
        Thread.sleep(forTimeInterval: 0.2)
        let before = counted.value
        var frameTimes: [UInt64] = []
        let frames = seconds * frameRate
        for _ in 0..<frames {
            market.step()
            let start = monotonicNanoseconds()
            if fullRepaint { screen.invalidate() }
            screen.draw(Panels.frame(market.snapshot, view: &view, keymap: keymap, width: width, height: height))
            frameTimes.append(monotonicNanoseconds() - start)
        }
        Thread.sleep(forTimeInterval: 0.3)
        let bytes = counted.value - before
        screen.end()
        close(slave)
        // The reader ends on the hang-up (EIO) once the secondary is closed; the primary is closed only after it has.
        // Closed before, its descriptor number is reused by the next size's pseudo-terminal, and a reader still
        // between two reads then takes that terminal's bytes from under the next reader, which counts about half
        // (120×40 read 2.7 KB/s instead of 5.4 KB/s in some runs, on any commit).
        if readerDone.wait(timeout: .now() + 5) == .timedOut { print("  (the reader did not end: later sizes may undercount)") }
        close(master)
        frameTimes.sort()
        return Result(bytesPerSecond: bytes / seconds, bytesPerFrame: bytes / frames,
                      p50: Int(frameTimes[frames / 2] / 1000), p99: Int(frameTimes[frames * 99 / 100] / 1000))
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ count: Int) { lock.lock(); total += count; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return total }
    }
}

/// A desk's worth of opportunities that change as a live market's do: every frame a third of the routes are re-priced
/// (a new edge, often the same size), three close and three appear; the clock advances 100 ms; a fill lands every
/// two seconds.
struct ChurningMarket {
    var random: SeededGenerator
    var opportunities: [Opportunity] = []
    var clock = Timestamp(nanoseconds: 1_764_092_645_000_000_000)
    var nextId: UInt64 = 1
    var notifications: [DexterEngine.Notification] = []
    var frame = 0
    let pairs = ["ETH/USDT", "BTC/USDT", "SOL/USDC", "ETH/USDC", "BNB/USDT", "BTC/USDC", "SOL/USDT", "USDC/USDT"]
    let venues = ["binance", "okx", "coinbase", "kraken", "uniswap-v2", "uniswap-v3", "curve", "pancakeswap", "raydium"]

    init(count: Int, seed: UInt64) {
        random = SeededGenerator(seed: seed)
        for _ in 0..<count { opportunities.append(make(edgeBps: 2 + 40 * random.unit())) }
    }

    /// A new route, or (given `route`) the same route re-priced: same pair and venues, a new edge and often a new size.
    mutating func make(edgeBps: Double, route: Opportunity? = nil, age: Duration = .zero) -> Opportunity {
        let symbol = route?.symbol ?? (try! Symbol(parsing: pairs[Int(random.next() % UInt64(pairs.count))]))
        let buyVenue = route?.buy.venue.name ?? venues[Int(random.next() % UInt64(venues.count))]
        var sellVenue = route?.sell.venue.name ?? buyVenue
        while sellVenue == buyVenue { sellVenue = venues[Int(random.next() % UInt64(venues.count))] }
        let price = route.map { ($0.buy.averagePrice * FixedDecimal(approximating: 1 + 0.0002 * random.gaussian())).rounded(digits: 2) }
            ?? FixedDecimal(approximating: 100 + 3000 * random.unit()).rounded(digits: 2)
        let quantity = route.flatMap { random.chance(0.8) ? $0.quantity : nil }
            ?? FixedDecimal(approximating: 0.1 + 5 * random.unit()).rounded(digits: 3)
        let sellPrice = (price * FixedDecimal(approximating: 1 + edgeBps / 10_000)).rounded(digits: 2)
        let received = clock.adding(.zero - age)
        func leg(_ venue: String, _ side: Side, _ legPrice: FixedDecimal) -> OpportunityLeg {
            let notional = quantity * legPrice
            return OpportunityLeg(venue: VenueId(venue), side: side, symbol: symbol,
                                  quote: LegQuote(side: side, quantity: quantity, notional: notional, fee: .zero,
                                                  topPrice: legPrice, worstPrice: legPrice),
                                  gas: .zero, gasToken: nil, venueTime: received, receivedAt: received)
        }
        let gross = quantity * (sellPrice - price)
        let id = route?.id ?? nextId
        if route == nil { nextId += 1 }
        return Opportunity(id: id, buy: leg(buyVenue, .buy, price), sell: leg(sellVenue, .sell, sellPrice),
                           gross: gross, fees: .zero, gasCost: .zero, net: gross, netUSD: gross, detectedAt: received,
                           expiresAt: received.adding(.seconds(30)))
    }

    mutating func step() {
        frame += 1
        clock = clock.adding(.milliseconds(100))
        for index in opportunities.indices where random.chance(1.0 / 3) {
            let old = opportunities[index]
            opportunities[index] = make(edgeBps: max(1, old.netBps.doubleValue + random.gaussian() * 2), route: old,
                                        age: .milliseconds(Int64(random.unit() * 900)))
        }
        for _ in 0..<3 where !opportunities.isEmpty {
            opportunities.remove(at: Int(random.next() % UInt64(opportunities.count)))
            opportunities.append(make(edgeBps: 2 + 40 * random.unit()))
        }
        opportunities.sort { ($0.netUSD, $1.id) > ($1.netUSD, $0.id) }
        if frame % 20 == 0 {
            notifications.insert(DexterEngine.Notification(time: clock, event: booked(frame)), at: 0)
        }
    }

    /// An arbitrage booked as the engine says it: "#20 ETH/USDT binance→okx completed: realised $3.10 (booked bench-a20)".
    func booked(_ frame: Int) -> DeskEvent {
        let symbol = Symbol(base: "ETH", quote: "USDT")
        let name = DeskEvent.ExecutionName(purpose: .arbitrage, opportunityId: UInt64(frame),
                                           route: Route(symbol: symbol, buyVenue: "binance", sellVenue: "okx"), symbol: symbol,
                                           venues: ["binance", "okx"])
        return .booked(DeskEvent.Booking(id: "bench-a\(frame)", execution: name, status: .completed,
                                         realisedUSD: FixedDecimal("3.10")!, estimatedNetUSD: nil))
    }

    var snapshot: Snapshot {
        Snapshot(mode: .sim, user: "bench", clock: clock, opportunities: opportunities,
                 feed: FeedHealth(updatesPerSecond: 500, venues: 9, staleVenues: []),
                 pnl: PnLSummary(realisedTodayUSD: FixedDecimal(frame / 20), arbitragesToday: frame / 20, tradesToday: frame / 10,
                                 volumeTodayUSD: FixedDecimal(frame * 100), history: (0...(frame / 20)).map(Double.init)),
                 limits: [], limitsSummary: RiskLimitsSummary(maxNotionalPerTradeUSD: 25_000, allowedPairs: 8),
                 tradingState: .active, balances: [], notifications: notifications, confirmation: nil, executing: [])
    }
}
