import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation

// Tick-to-opportunity latency on a market of 20 venues × 200 pairs: applying one book update to the market state
// and re-evaluating the routes it touches. The baseline in the same run re-evaluates every route on each update,
// which is what detection would cost without incremental updates. Run: swift run -c release dexter-bench

// `dexter-bench detect`, `inbox`, `wire`, `ledger`, `cycles`, `replay`, `binance`, `evm` or `solana` runs one benchmark; no
// argument runs them all.
let only = CommandLine.arguments.dropFirst().first
if only == "help" || only == "--help" || only == "-h" {
    print("""
        usage: dexter-bench [detect | inbox | wire | ledger | cycles | replay | binance | solana | service | desk | evm [--poll-ms N] [--moves N]]
          no argument runs them all (inbox, evm and desk only when named); run it in release: swift run -c release dexter-bench
          binance  needs the local Binance server's venv (scripts/binance-server.sh makes it) and ../shared/data
          evm      needs .venv-evm (run scripts/evm-venv.sh once) and ../shared/evm: it starts the local py-evm node
                   (scripts/evm-node.sh) and times block → pools → opportunity (poll interval --poll-ms, default 200;
                   --moves swaps, default 100), a V3 quote crossing 10 ticks against QuoterV2, and swap → signed bytes
          desk     the shared desk on a PostgreSQL of its own (Debian's postgresql, private socket): shipping throughput
                   from 1 and 3 boxes, a volume reservation's round trip, a halt on one box → applied on another
          service  the served desk (dexter serve) in this process: detection → WebSocket client with 1/10/100 clients,
                   REST at 1,000 requests/s on loopback, attach → first frame; no network beyond loopback
          solana   needs ../shared/vectors (or DEXTER_VECTORS), no network: Whirlpool account bytes → desk market →
                   opportunity, and a v0 swap transaction built and signed
        """)
    exit(0)
}
if only == "service" {
    try await ServiceBenchmark.run()
    exit(0)
}
if only == "desk" {
    try await DeskBenchmark.run()
    exit(0)
}
if only == "evm" {
    try await EVMBenchmark.run(arguments: Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
if only == "binance" {
    try await BinanceBenchmark.run()
    exit(0)
}
if only == "solana" {
    try SolanaBenchmark.run()
    exit(0)
}
if only == "wire" {
    WireBenchmark.run()
    exit(0)
}
if only == "cycles" {
    try CycleBenchmark.run()
    exit(0)
}
if only == "replay" {
    try await ReplayBenchmark.run()
    exit(0)
}
if only == "ledger" {
    try LedgerBenchmark.run()
    exit(0)
}
let inboxOnly = only == "inbox"

let venueCount = 20
let pairCount = 200
let levels = 10
let measuredUpdates = 400_000
let baselineUpdates = 2_000

let usdt: Asset = "USDT"
let symbols = [Symbol(base: "USDC", quote: usdt)] + (1..<pairCount).map { Symbol(base: Asset("A\($0)"), quote: usdt) }
var random = SeededGenerator(seed: 1)

@MainActor func book(mid: Double, jitter: Double) -> OrderBook {
    let center = mid * (1 + jitter)
    let tick = mid / 100_000
    var bids: [BookLevel] = [], asks: [BookLevel] = []
    for level in 0..<levels {
        let offset = Double(level + 1) * tick * 5
        let quantity = FixedDecimal(approximating: 1 + 4 * random.unit()).rounded(digits: 3)
        bids.append(BookLevel(price: FixedDecimal(approximating: center - offset).rounded(digits: 5), quantity: quantity))
        asks.append(BookLevel(price: FixedDecimal(approximating: center + offset).rounded(digits: 5), quantity: quantity))
    }
    return OrderBook(bids: bids, asks: asks)
}

var markets: [Market] = []
var inventory = Inventory()
for venueIndex in 0..<venueCount {
    let venue = VenueSpec(id: VenueId("v\(venueIndex)"), kind: .exchange, takerFee: FixedDecimal(approximating: 0.0002),
                          stalenessBound: .seconds(3600))
    for symbol in symbols {
        let mid = symbol.base == "USDC" ? 1.0 : 100.0
        markets.append(Market(venue: venue,
                              instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal(approximating: 0.00001),
                                                         lotSize: FixedDecimal(approximating: 0.001), minNotional: .zero),
                              liquidity: .book(book(mid: mid, jitter: 0))))
        inventory.credit(symbol.base, FixedDecimal(1_000_000), at: venue.account)
    }
    inventory.credit(usdt, FixedDecimal(100_000_000), at: venue.account)
}

// Pre-built updates, so that generating books is not measured: the mid jitters by half a basis point and one
// update in two hundred dislocates by 20 bps, far enough to cross the other venues after fees until it is replaced.
let templates: [OrderBook] = (0..<4096).map { index in
    let jitter = index % 200 == 0 ? 0.002 * (random.chance(0.5) ? 1 : -1) : 0.00005 * random.gaussian()
    return book(mid: 100, jitter: jitter)
}
let targets: [Int] = (0..<measuredUpdates).map { _ in
    var index: Int
    repeat { index = Int(random.next() % UInt64(markets.count)) } while markets[index].key.symbol.base == "USDC"
    return index
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
}

struct Run {
    var latencies: [UInt64] = []
    var elapsed: UInt64 = 0
    var opportunities = 0
}

@MainActor func measure(updates: Int, incremental: Bool) -> Run {
    var state = MarketState(markets: markets, gas: [])
    var detector = CrossVenueDetector(policy: DetectionPolicy(minNetUSD: FixedDecimal(approximating: 0.01),
                                                              maxNotionalUSD: FixedDecimal(1_000_000)))
    _ = detector.reevaluateAll(state: state, inventory: inventory, now: .zero)
    var run = Run()
    run.latencies.reserveCapacity(updates)
    let start = monotonicNanoseconds()
    for step in 0..<updates {
        let index = targets[step]
        let now = Timestamp(nanoseconds: Int64(step) * 1000)
        let t0 = monotonicNanoseconds()
        state.apply(.liquidity(markets[index].key, .book(templates[step % templates.count]), venueTime: now, receivedAt: now))
        let changes = incremental
            ? detector.marketDidChange(index, state: state, inventory: inventory, now: now)
            : detector.reevaluateAll(state: state, inventory: inventory, now: now)
        run.latencies.append(monotonicNanoseconds() - t0)
        run.opportunities += changes.upserted.count
    }
    run.elapsed = monotonicNanoseconds() - start
    run.latencies.sort()
    return run
}

func report(_ name: String, _ run: Run) {
    let rate = Double(run.latencies.count) / (Double(run.elapsed) / 1e9)
    print("\(name): \(run.latencies.count) updates, p50 \(percentile(run.latencies, 0.5)) µs, p99 \(percentile(run.latencies, 0.99)) µs, "
          + "p99.9 \(percentile(run.latencies, 0.999)) µs, max \(percentile(run.latencies, 1)) µs, "
          + "\(Int(rate)) updates/s, \(run.opportunities) opportunity upserts")
}

// The venue seam's cost: an update posted into the inbox, drained and applied by the engine's market pipeline (with
// detection), against the same pipeline fed directly (what the engine did before the seam), in the same run.
@MainActor func measurePipeline(updates: Int, throughInbox: Bool) -> Run {
    var pipeline = MarketPipeline(markets: markets, gas: [], policy: DetectionPolicy(
        minNetUSD: FixedDecimal(approximating: 0.01), maxNotionalUSD: FixedDecimal(1_000_000)), inventory: inventory, start: .zero)
    let inbox = VenueInbox()
    var run = Run()
    run.latencies.reserveCapacity(updates)
    let start = monotonicNanoseconds()
    for step in 0..<updates {
        let index = targets[step]
        let now = Timestamp(nanoseconds: Int64(step) * 1000)
        let event = MarketEvent.liquidity(markets[index].key, .book(templates[step % templates.count]), venueTime: now,
                                          receivedAt: now)
        let t0 = monotonicNanoseconds()
        let changes: DetectionChanges
        if throughInbox {
            inbox.post(event)
            changes = pipeline.apply(inbox.drain().market, at: now)
        } else {
            changes = pipeline.apply([event], at: now)
        }
        run.latencies.append(monotonicNanoseconds() - t0)
        run.opportunities += changes.upserted.count
    }
    run.elapsed = monotonicNanoseconds() - start
    run.latencies.sort()
    return run
}

/// A consumer that falls behind: `burst` updates arrive between two drains; conflation hands it each market once.
@MainActor func measureBurst(burst: Int, rounds: Int) -> (applied: Int, posted: Int, perDrainMicros: [UInt64]) {
    var pipeline = MarketPipeline(markets: markets, gas: [], policy: DetectionPolicy(
        minNetUSD: FixedDecimal(approximating: 0.01), maxNotionalUSD: FixedDecimal(1_000_000)), inventory: inventory, start: .zero)
    let inbox = VenueInbox()
    var applied = 0
    var times: [UInt64] = []
    for round in 0..<rounds {
        for step in 0..<burst {
            let index = targets[(round * burst + step) % targets.count] % 200  // a hot set of markets
            let now = Timestamp(nanoseconds: Int64(round * burst + step) * 1000)
            inbox.post(.liquidity(markets[index].key, .book(templates[step % templates.count]), venueTime: now, receivedAt: now))
        }
        let t0 = monotonicNanoseconds()
        let batch = inbox.drain()
        applied += batch.market.count
        _ = pipeline.apply(batch.market, at: Timestamp(nanoseconds: Int64((round + 1) * burst) * 1000))
        times.append(monotonicNanoseconds() - t0)
    }
    return (applied, burst * rounds, times.sorted())
}

if inboxOnly {
    print("market: \(markets.count) books; one update per drain")
    _ = measurePipeline(updates: 20_000, throughInbox: true) // warm-up
    let direct = measurePipeline(updates: 200_000, throughInbox: false)
    let seam = measurePipeline(updates: 200_000, throughInbox: true)
    report("baseline (pipeline fed directly)", direct)
    report("through the inbox (post, drain, apply)", seam)
    print(String(format: "ratio: the inbox costs ×%.2f at p50, ×%.2f at p99",
                 percentile(seam.latencies, 0.5) / max(percentile(direct.latencies, 0.5), 0.001),
                 percentile(seam.latencies, 0.99) / max(percentile(direct.latencies, 0.99), 0.001)))
    let burst = measureBurst(burst: 2_000, rounds: 100)
    print("slow consumer: \(burst.posted) updates posted in bursts of 2000 over 200 hot markets, \(burst.applied) applied "
          + "(\(burst.posted - burst.applied) conflated); a drain and its apply p50 \(percentile(burst.perDrainMicros, 0.5)) µs, "
          + "p99 \(percentile(burst.perDrainMicros, 0.99)) µs")
    exit(0)
}

print("market: \(venueCount) venues × \(pairCount) pairs = \(markets.count) books of \(levels) levels a side")
_ = measure(updates: 20_000, incremental: true) // warm-up
let incremental = measure(updates: measuredUpdates, incremental: true)
report("incremental (tick → opportunity)", incremental)
let baseline = measure(updates: baselineUpdates, incremental: false)
report("baseline (re-evaluate every route)", baseline)
print("ratio: incremental is \(Int(percentile(baseline.latencies, 0.5) / max(percentile(incremental.latencies, 0.5), 0.001)))× faster at p50, "
      + "\(Int(percentile(baseline.latencies, 0.99) / max(percentile(incremental.latencies, 0.99), 0.001)))× at p99")

if only != "detect" {
    print("")
    // Re-running this file's setup for the inbox would double the run: it is its own argument.
    print("(the venue seam's cost: dexter-bench inbox)")
    print("")
    WireBenchmark.run()
    print("")
    try LedgerBenchmark.run()
    print("")
    try CycleBenchmark.run()
    print("")
    try await ReplayBenchmark.run()
    print("")
    try SolanaBenchmark.run()
    print("")
    // It needs the local server's Python venv (scripts/binance-server.sh makes it) and the shared recording.
    do { try await BinanceBenchmark.run() } catch { print("binance: skipped, \(error)") }
}
