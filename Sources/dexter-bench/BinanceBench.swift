import CMallocInfo
import DexterCEX
import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterNet
import DexterVenues
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The Binance connector's costs (issue 14), against the local Binance-protocol server (Tests/Servers/binance, the
/// real BTCUSDT/ETHUSDT recording) that this benchmark starts on loopback and stops at the end:
///
/// 1. a depth message's arrival at the feed → its book in the inbox → detection, with two `BinanceMarketFeed`s on two
///    servers 45 s apart in the recording, drained into a `MarketPipeline` as the engine does, at the recording's rate
///    and at 10×; the baseline in the same run parses and applies the same recorded messages in a loop, no network;
/// 2. an order's `submit` on `BinanceExecution` → its bytes on the socket (seen by a relay in this process), and
///    `submit` → the ack in the inbox;
/// 3. building and signing a new order alone, and a signed REST round trip against an unsigned ping's;
/// 4. heap and resident memory per subscribed symbol with 1,000-level books.
enum BinanceBenchmark {
    static let btc = Symbol(base: "BTC", quote: "USDT")
    static let eth = Symbol(base: "ETH", quote: "USDT")
    /// The key pair of Binance's own signing examples: the server's default account holds it.
    static let credentials = BinanceCredentials(apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
                                                secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
    /// Limits far above what the benchmark sends, so the server's rate limits never answer for it.
    static let generous = ["--weight-limit", "100000000", "--orders-per-10s", "1000000", "--orders-per-day", "100000000"]
    /// The recording's busiest 10 s by bytes start 490 s in (59 KB/s over both symbols); the message rate is flat at
    /// 10 per second per symbol (`@depth@100ms`), so at 1× the run starts 30 s before that window.
    static let peakOffset = 460.0

    static func run() async throws {
        print("binance: local Binance-protocol server on loopback, recording BTCUSDT+ETHUSDT 2024-08-08/09")
        let real = try await streamLatency(speed: 1, offset: peakOffset, seconds: 60)
        let fast = try await streamLatency(speed: 10, offset: 0, seconds: 50)
        let baseline = try streamBaseline(instruments: real.instruments)
        let paced = try streamBaseline(instruments: real.instruments, pacedMicros: 5_000, limit: 2_000)

        let server = try BenchBinanceServer(["--speed", "0"] + generous)
        defer { server.stop() }
        let orders = try await orderLatency(server)
        let rest = try await restOverhead(server)
        let memory = try await memoryPerSymbol(server)

        print("")
        print("1. depth message → book in the inbox → detection (µs; arrival = the feed's WebSocket listener)")
        print("   run                                   messages   p50      p99      p99.9")
        for (name, run) in [("1× (20 msg/s per server)", real), ("10× (200 msg/s per server)", fast)] {
            row("\(name): arrival → drained", run.drained)
            row("           arrival → detection done", run.detected)
            row("           arrival → opportunity upserted", run.opportunity)
        }
        row("baseline, no network: parse+apply+post", baseline.posted)
        row("                      … + drain + detection", baseline.detected)
        row("same, one message every 5 ms: parse+apply+post", paced.posted)
        row("                      … + drain + detection", paced.detected)
        print(String(format: "   ratio arrival → detection done, over the baseline: 1× ×%.1f p50, ×%.1f p99; 10× ×%.1f p50, ×%.1f p99",
                     real.detected.p(0.5) / baseline.detected.p(0.5), real.detected.p(0.99) / baseline.detected.p(0.99),
                     fast.detected.p(0.5) / baseline.detected.p(0.5), fast.detected.p(0.99) / baseline.detected.p(0.99)))
        print("   resyncs: 1× \(real.resyncs), 10× \(fast.resyncs); opportunities live at the end: 1× \(real.live), 10× \(fast.live)")
        print("")
        print("2. approval → order (µs; IOC buys far below the book, all expire; \(orders.count) orders, 10 ms apart)")
        row("submit → request bytes at the relay", orders.onSocket)
        row("relay floor: a write → the relay reads it", orders.relayFloor)
        row("submit → ack in the inbox (direct)", orders.ack)
        print("")
        print("3. REST signing and sending (µs)")
        row("build + sign a new order (BinanceRequestBuilder)", rest.sign)
        row("GET /api/v3/ping round trip (unsigned)", rest.ping)
        row("POST /api/v3/order/test round trip (signed)", rest.signed)
        print(String(format: "   signed − unsigned at p50: %.1f µs (the server's signature check and order checks, in Python, are inside it)",
                     rest.signed.p(0.5) - rest.ping.p(0.5)))
        print("")
        print("4. memory per subscribed symbol (1,000-level snapshots, books synced, market held still)")
        print(memory)
    }

    static func row(_ name: String, _ samples: Samples) {
        let label = name.padding(toLength: 48, withPad: " ", startingAt: 0)
        print("   \(label) \(String(samples.count).leftPadded(7))  \(format(samples.p(0.5)))  \(format(samples.p(0.99)))  "
              + format(samples.p(0.999)))
    }

    static func format(_ micros: Double) -> String { String(format: "%7.1f", micros) }

    // MARK: 1. Stream → book → detection

    struct StreamRun {
        var drained = Samples()
        var detected = Samples()
        var opportunity = Samples()
        var resyncs = 0
        var live = 0
        var instruments: [VenueInstrument] = []
    }

    static func settings(_ name: String, _ server: BenchBinanceServer, symbols: [Symbol]) -> BinanceSettings {
        BinanceSettings(venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: .zero, stalenessBound: .seconds(10)),
                        symbols: symbols, restURL: server.restURL, streamURL: server.streamURL, weightPerMinute: 100_000_000)
    }

    /// Two servers 45 s apart in the recording at `speed`, each behind a feed posting into one inbox; the inbox drained
    /// into a market pipeline as the engine drains it (woken by the inbox, `process()`'s order: clock, drain, apply).
    static func streamLatency(speed: Double, offset: Double, seconds: Double) async throws -> StreamRun {
        let servers = try BenchBinanceServer.start([
            ["--speed", "\(speed)", "--start-offset", "\(offset)"] + generous,
            ["--speed", "\(speed)", "--start-offset", "\(offset + 45)"] + generous,
        ])
        defer { for server in servers { server.stop() } }
        let clock = WallClock()
        let feeds = [BinanceMarketFeed(settings: settings("binance", servers[0], symbols: [btc, eth]), clock: clock),
                     BinanceMarketFeed(settings: settings("binance-b", servers[1], symbols: [btc, eth]), clock: clock)]
        defer { for feed in feeds { feed.stop() } }
        var instruments: [VenueInstrument] = []
        for feed in feeds { instruments += try await feed.instruments() }
        var inventory = Inventory()
        for instrument in instruments {
            let account = instrument.market.venue.account
            inventory.credit(instrument.market.key.symbol.base, FixedDecimal(20), at: account)
            inventory.credit("USDT", FixedDecimal(50_000), at: account)
        }
        var pipeline = MarketPipeline(markets: instruments.map(\.market), gas: [],
                                      policy: DetectionPolicy(maxNotionalUSD: FixedDecimal(25_000)), inventory: inventory,
                                      start: clock.now())
        let inbox = VenueInbox()
        for feed in feeds { try await feed.subscribe(instruments.map(\.market.key).filter { $0.venue == feed.venueIds[0] }, into: inbox) }

        let stop = Latch()
        let stopper = Task {
            // A backstop: the loop below ends `seconds` after both venues are live and 2 s have settled.
            try? await Task.sleep(for: .seconds(seconds + 30))
            stop.raise()
            inbox.nudge()
        }
        defer { stopper.cancel() }
        var run = StreamRun(instruments: instruments)
        var live: Set<VenueId> = []
        var measureFrom: Timestamp?, measureUntil: Timestamp?
        for await _ in inbox.wakeups {
            let now = clock.now()
            let batch = inbox.drain()
            let changes = pipeline.apply(batch.market, at: now)
            let detected = clock.now()
            for (venue, state) in batch.connections where state == .live { live.insert(venue) }
            if measureFrom == nil, live.count == feeds.count {
                measureFrom = detected.adding(.seconds(2))
                measureUntil = detected.adding(.seconds(2) + .seconds(seconds))
            }
            if let measureFrom, let measureUntil, now >= measureFrom {
                if now >= measureUntil { break }
                for event in batch.market {
                    guard case .liquidity(_, _, _, let receivedAt) = event else { continue }
                    run.drained.add(now.nanoseconds - receivedAt.nanoseconds)
                    run.detected.add(detected.nanoseconds - receivedAt.nanoseconds)
                    if !changes.upserted.isEmpty { run.opportunity.add(detected.nanoseconds - receivedAt.nanoseconds) }
                }
            }
            if stop.isRaised { break }
            await Task.yield()
        }
        guard measureFrom != nil else { throw BenchError("the feeds at \(speed)× never both went live") }
        run.resyncs = feeds.reduce(0) { $0 + $1.resyncCount }
        run.live = pipeline.opportunities.count
        return run
    }

    /// The same recorded messages, from memory: parsed, applied to the symbol's book, its top 50 posted to an inbox
    /// (as the feed does), then drained into the pipeline. Two venues as in the live run: the second 45 s later.
    /// `pacedMicros`: a pause before each message (and only the first `limit` messages), as the live stream leaves the
    /// caches and the cores to others between messages.
    static func streamBaseline(instruments: [VenueInstrument], pacedMicros: UInt32 = 0, limit: Int = .max) throws
        -> (posted: Samples, detected: Samples) {
        let directory = ReplayBenchmarkData.directory
        var snapshots: [String: BinanceDepthSnapshot] = [:]
        var messages: [(time: Int64, symbol: String, bytes: [UInt8])] = []
        for name in ["btcusdt", "ethusdt"] {
            for day in ["20240808", "20240809"] {
                let file = try RecordedFile(path: "\(directory)/\(name)_\(day).gz")
                for line in file.bytes.split(separator: UInt8(ascii: "\n")) {
                    guard let space = line.firstIndex(of: UInt8(ascii: " ")),
                          let time = Int64(String(decoding: line[..<space], as: UTF8.self)) else { continue }
                    let json = Array(line[(space + 1)...])
                    let head = String(decoding: json.prefix(48), as: UTF8.self)
                    if head.hasPrefix("{\"lastUpdateId\"") {
                        snapshots[name.uppercased()] = try BinanceMarketData.depthSnapshot(json)
                    } else if head.contains("@depth@100ms"), snapshots[name.uppercased()] != nil {
                        messages.append((time, name.uppercased(), json))
                    }
                }
            }
        }
        messages.sort { $0.time < $1.time }
        // As the server keeps them: diffs after each symbol's snapshot, applied to it in order. The recorder took the
        // BTCUSDT snapshot a few updates before its first kept diff, and the server's REST serves its book at the
        // last diff applied, so the book starts at the update id just before the first diff.
        var first: [String: UInt64] = [:]
        messages = try messages.filter { message in
            guard case .depthUpdate(let diff) = try BinanceMarketData.streamMessage(message.bytes).payload,
                  let snapshot = snapshots[message.symbol], diff.finalUpdateId > snapshot.lastUpdateId else { return false }
            if first[message.symbol] == nil { first[message.symbol] = diff.firstUpdateId }
            return true
        }
        guard let start = messages.first?.time else { throw BenchError("no depth messages in \(directory)") }
        let lag: Int64 = 45_000_000_000
        // Venue B's books: the snapshot with the first 45 s applied, as the second server serves them.
        var books: [VenueId: [String: BinanceBookSync]] = [:]
        for venue in [VenueId("binance"), VenueId("binance-b")] {
            for (name, snapshot) in snapshots {
                var sync = BinanceBookSync(symbol: name)
                _ = sync.apply(BinanceDepthSnapshot(lastUpdateId: (first[name] ?? snapshot.lastUpdateId + 1) - 1,
                                                    bids: snapshot.bids, asks: snapshot.asks))
                books[venue, default: [:]][name] = sync
            }
        }
        // Venue A plays the recording from its start, venue B from 45 s in; both until B's end.
        let end = messages.last!.time - start - lag
        var skipped = 0
        var schedule: [(key: Int64, venue: VenueId, index: Int)] = []
        for (index, message) in messages.enumerated() {
            let elapsed = message.time - start
            if elapsed < lag {
                guard case .depthUpdate(let diff) = try BinanceMarketData.streamMessage(message.bytes).payload else { continue }
                if books[VenueId("binance-b")]![message.symbol]!.apply(diff) != .applied { skipped += 1 }
            } else {
                schedule.append((elapsed - lag, VenueId("binance-b"), index))
            }
            if elapsed < end { schedule.append((elapsed, VenueId("binance"), index)) }
        }
        guard skipped == 0 else { throw BenchError("the recording's diffs do not follow each other (\(skipped))") }
        schedule.sort { $0.key < $1.key }
        let names: [String: Symbol] = ["BTCUSDT": btc, "ETHUSDT": eth]
        let clock = WallClock()
        var inventory = Inventory()
        for instrument in instruments {
            inventory.credit(instrument.market.key.symbol.base, FixedDecimal(20), at: instrument.market.venue.account)
            inventory.credit("USDT", FixedDecimal(50_000), at: instrument.market.venue.account)
        }
        var posted = Samples(), detected = Samples()
        for pass in 0..<2 {  // the first pass warms up
            var syncs = books
            var pipeline = MarketPipeline(markets: instruments.map(\.market), gas: [],
                                          policy: DetectionPolicy(maxNotionalUSD: FixedDecimal(25_000)), inventory: inventory,
                                          start: clock.now())
            let inbox = VenueInbox()
            posted = Samples()
            detected = Samples()
            for entry in schedule.prefix(limit) {
                if pacedMicros > 0 { usleep(pacedMicros) }
                let bytes = messages[entry.index].bytes
                let t0 = monotonicNanoseconds()
                let receivedAt = clock.now()
                // As the feed does: the book applied in place, its top 50 posted.
                guard case .depthUpdate(let diff) = try BinanceMarketData.streamMessage(bytes).payload,
                      let symbol = names[diff.symbol], let outcome = syncs[entry.venue]?[diff.symbol]?.apply(diff) else { continue }
                guard outcome == .applied else { throw BenchError("\(entry.venue) \(diff.symbol): \(outcome)") }
                inbox.post(.liquidity(MarketKey(venue: entry.venue, symbol: symbol),
                                      .book(syncs[entry.venue]![diff.symbol]!.orderBook(depth: 50)),
                                      venueTime: diff.eventTime, receivedAt: receivedAt))
                let t1 = monotonicNanoseconds()
                let batch = inbox.drain()
                _ = pipeline.apply(batch.market, at: clock.now())
                let t2 = monotonicNanoseconds()
                if pass == 1 {
                    posted.add(Int64(t1 - t0))
                    detected.add(Int64(t2 - t0))
                }
            }
        }
        return (posted, detected)
    }

    // MARK: 2. Approval → order on the socket

    struct OrderRun {
        var onSocket = Samples()
        var relayFloor = Samples()
        var ack = Samples()
        var count = 0
    }

    static func orderLatency(_ server: BenchBinanceServer) async throws -> OrderRun {
        guard let port = URL(string: server.restURL)?.port else { throw BenchError("no REST port in \(server.restURL)") }
        let relay = try OrderRelay(upstreamPort: port)
        defer { relay.stop() }
        var run = OrderRun()
        let orders = 300, warmUp = 20
        for (pass, restURL) in [("r", "http://127.0.0.1:\(relay.port)"), ("d", server.restURL)] {
            var settings = settings("binance", server, symbols: [btc])
            settings.restURL = restURL
            let feed = BinanceMarketFeed(settings: settings)
            _ = try await feed.instruments()
            let gate = RateLimitGate(limits: .init(weight: 100_000_000))
            let execution = BinanceExecution(settings: settings, credentials: credentials, gate: gate)
            execution.setOrderLimits(feed.rateLimits)
            let inbox = VenueInbox()
            try await execution.connect(inbox)
            var wakeups = inbox.wakeups.makeAsyncIterator()
            for index in 0..<(warmUp + orders) {
                let id = "bench\(pass)\(index)"
                let order = OrderRequest(clientOrderId: id, venue: VenueId("binance"), symbol: btc, side: .buy,
                                         quantity: FixedDecimal("0.001")!, limitPrice: FixedDecimal(10_000), submittedAt: WallClock().now())
                let submitted = monotonicNanoseconds()
                execution.submit(order)
                var acked: UInt64?
                while acked == nil {
                    guard await wakeups.next() != nil else { throw BenchError("the inbox ended") }
                    let batch = inbox.drain()
                    let at = monotonicNanoseconds()
                    for update in batch.orders where update.clientOrderId == id {
                        if case .rejected(let failure) = update.kind { throw BenchError("order \(id) rejected: \(failure)") }
                        acked = at
                    }
                }
                if index >= warmUp {
                    if pass == "d" { run.ack.add(Int64(acked! - submitted)) }
                    if pass == "r", let seen = relay.seen(id) { run.onSocket.add(Int64(seen) - Int64(submitted)) }
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        run.count = orders
        // The relay's own share: a plain socket write, timed just before, until the relay's read returns.
        for index in 0..<(warmUp + orders) {
            let id = "probe\(index)"
            guard let (written, seen) = relay.probe(id) else { continue }
            if index >= warmUp { run.relayFloor.add(Int64(seen) - Int64(written)) }
            try await Task.sleep(for: .milliseconds(5))
        }
        return run
    }

    // MARK: 3. Signing and REST

    static func restOverhead(_ server: BenchBinanceServer) async throws -> (sign: Samples, ping: Samples, signed: Samples) {
        let builder = BinanceRequestBuilder(credentials: credentials)
        let order = BinanceNewOrder(symbol: "BTCUSDT", side: .buy, kind: .limit(price: FixedDecimal(10_000), timeInForce: .ioc),
                                    quantity: FixedDecimal("0.001")!, clientOrderId: "bench-sign-0001")
        var sign = Samples()
        var sink = 0
        let timestamp = WallClock().now().nanoseconds / 1_000_000
        for index in 0..<220_000 {
            let t0 = monotonicNanoseconds()
            let request = builder.newOrder(order, timestamp: timestamp + Int64(index))
            let t1 = monotonicNanoseconds()
            sink &+= request.query.utf8.count
            if index >= 20_000 { sign.add(Int64(t1 - t0)) }
        }
        if sink == 42 { print("") }  // keeps the requests from being optimised away

        let http = HTTPTransport()
        var ping = Samples(), signed = Samples()
        for index in 0..<550 {
            let t0 = monotonicNanoseconds()
            let pong = try await http.send(HTTPCall(.GET, server.restURL + "/api/v3/ping"))
            let t1 = monotonicNanoseconds()
            let parameters = [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "IOC"),
                              ("quantity", "0.001"), ("price", "10000"), ("newClientOrderId", "benchtest\(index)"),
                              ("newOrderRespType", "FULL")]
            let request = builder.signed("POST", "/api/v3/order/test", parameters, timestamp: WallClock().now().nanoseconds / 1_000_000)
            let answer = try await http.send(HTTPCall(.POST, server.restURL + request.target, headers: request.headers))
            let t2 = monotonicNanoseconds()
            guard pong.status == 200, answer.status == 200 else {
                throw BenchError("ping \(pong.status), order/test \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            }
            if index >= 50 {
                ping.add(Int64(t1 - t0))
                signed.add(Int64(t2 - t1))
            }
        }
        return (sign, ping, signed)
    }

    // MARK: 4. Memory

    /// Feeds of one symbol, then feeds of two, each waited until its books are live from 1,000-level snapshots; heap
    /// in use (mallinfo2) and resident memory (/proc/self/statm) before and after each group. The market is held
    /// still (`--speed 0`), so nothing moves between the readings but what the feeds keep. Then the books alone: the
    /// same snapshot applied to bare `BinanceBookSync`s.
    static func memoryPerSymbol(_ server: BenchBinanceServer) async throws -> String {
        let feedsPerGroup = 10
        let inbox = VenueInbox()
        var everyFeed: [BinanceMarketFeed] = []
        defer { for feed in everyFeed { feed.stop() } }
        var wakeups = inbox.wakeups.makeAsyncIterator()
        func subscribe(_ names: [String], _ symbols: [Symbol]) async throws {
            var waiting = Set(names.map { VenueId($0) })
            for name in names {
                let feed = BinanceMarketFeed(settings: settings(name, server, symbols: symbols))
                everyFeed.append(feed)
                try await feed.subscribe(symbols.map { MarketKey(venue: VenueId(name), symbol: $0) }, into: inbox)
            }
            let deadline = monotonicNanoseconds() + 60_000_000_000
            while !waiting.isEmpty {
                guard monotonicNanoseconds() < deadline else { throw BenchError("feeds never went live: \(waiting)") }
                _ = await wakeups.next()
                for (venue, state) in inbox.drain().connections where state == .live { waiting.remove(venue) }
            }
            // Let the snapshots' answers and the connections' buffers go before reading.
            try await Task.sleep(for: .milliseconds(500))
            _ = inbox.drain()
        }
        // What every feed shares is made first: the HTTP client, its event loops, and as many pooled connections as a
        // group's snapshots ask for at once (kept alive, the groups after reuse them).
        try await subscribe((0..<feedsPerGroup).map { "warm\($0)" }, [btc, eth])
        var rounds: [(one: MemoryReading, two: MemoryReading)] = []
        for round in 0..<2 {
            let before = MemoryReading.now()
            try await subscribe((0..<feedsPerGroup).map { "one\(round)-\($0)" }, [btc])
            let oneSymbol = MemoryReading.now()
            try await subscribe((0..<feedsPerGroup).map { "two\(round)-\($0)" }, [btc, eth])
            rounds.append((oneSymbol.minus(before), MemoryReading.now().minus(oneSymbol)))
        }

        let snapshot = try BinanceMarketData.depthSnapshot(
            try await HTTPTransport().send(HTTPCall(.GET, server.restURL + "/api/v3/depth?symbol=BTCUSDT&limit=1000")).body)
        let heapBefore = MemoryReading.heapInUse()
        var bare: [BinanceBookSync] = []
        for _ in 0..<100 {
            var sync = BinanceBookSync(symbol: "BTCUSDT")
            _ = sync.apply(snapshot)
            bare.append(sync)
        }
        let bareBook = (MemoryReading.heapInUse() - heapBefore) / bare.count
        let levels = snapshot.bids.count + snapshot.asks.count
        let perLevel = MemoryLayout<DepthBook.Level>.stride
        func kilobytes(_ bytes: Int) -> String { String(format: "%.1f KB", Double(bytes) / 1024) }
        var text = "   method: \(feedsPerGroup) feeds of 1 symbol, then \(feedsPerGroup) of 2, each with its own WebSocket; "
            + "per feed = the group's growth / \(feedsPerGroup); two rounds\n"
        for (index, round) in rounds.enumerated() {
            let one = round.one, two = round.two
            text += "   round \(index + 1) heap in use (mallinfo2): 1-symbol feed \(kilobytes(one.heap / feedsPerGroup)), 2-symbol feed "
                + "\(kilobytes(two.heap / feedsPerGroup)); per symbol \(kilobytes((two.heap - one.heap) / feedsPerGroup))\n"
            text += "           resident (statm):        1-symbol feed \(kilobytes(one.resident / feedsPerGroup)), 2-symbol feed "
                + "\(kilobytes(two.resident / feedsPerGroup)); per symbol \(kilobytes((two.resident - one.resident) / feedsPerGroup))\n"
        }
        return text + """
               a bare BinanceBookSync with the snapshot applied (100 of them): \(kilobytes(bareBook)) each
               from the structures: \(levels) levels (1,000 a side) × \(perLevel) B (price and quantity, Int128 each) = \
            \(kilobytes(levels * perLevel)) per book, plus the top 50 a side posted to the desk (\(kilobytes(100 * MemoryLayout<BookLevel>.stride)))
            """
    }
}

/// Samples in nanoseconds; percentiles in µs.
struct Samples {
    private var values: [Int64] = []
    private var sorted = true
    var count: Int { values.count }

    mutating func add(_ nanoseconds: Int64) {
        values.append(nanoseconds)
        sorted = false
    }

    func p(_ quantile: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let ordered = sorted ? values : values.sorted()
        return Double(ordered[min(ordered.count - 1, Int(Double(ordered.count) * quantile))]) / 1000
    }
}

/// Raised once, read from anywhere.
final class Latch: Sendable {
    private let state = Mutex(false)
    func raise() { state.withLock { $0 = true } }
    var isRaised: Bool { state.withLock { $0 } }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// Where the shared recording is (as the replay benchmark finds it).
enum ReplayBenchmarkData {
    static var directory: String {
        let root = ProcessInfo.processInfo.environment["DEXTER_DATA"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data").path
        return root + "/binance_spot_btcusdt_ethusdt_20240808_09"
    }
}

/// Heap bytes in use and resident bytes of this process.
struct MemoryReading {
    var heap: Int
    var resident: Int

    func minus(_ other: MemoryReading) -> MemoryReading {
        MemoryReading(heap: heap - other.heap, resident: resident - other.resident)
    }

    static func now() -> MemoryReading { MemoryReading(heap: heapInUse(), resident: residentBytes()) }

    /// Pages resident, from /proc/self/statm's second field.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func heapInUse() -> Int { Int(dexter_heap_in_use()) }
}

/// The local Binance-protocol server (Tests/Servers/binance, through scripts/binance-server.sh), on loopback.
final class BenchBinanceServer {
    let restURL: String
    let streamURL: String
    private let process: Process

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    convenience init(_ arguments: [String]) throws {
        let (process, output) = try Self.launch(arguments)
        try self.init(process, output)
    }

    /// Several at once: each loads the recording for a few seconds, and a speed > 0 replays from its start.
    static func start(_ arguments: [[String]]) throws -> [BenchBinanceServer] {
        let launched = try arguments.map(launch)
        var servers: [BenchBinanceServer] = []
        for (process, output) in launched {
            do { servers.append(try BenchBinanceServer(process, output)) } catch {
                for server in servers { server.stop() }
                for (other, _) in launched where other.isRunning { other.terminate() }
                throw error
            }
        }
        return servers
    }

    private static func launch(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/binance-server.sh")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// Reads the one JSON line of ports the server prints once everything listens.
    private init(_ process: Process, _ output: Pipe) throws {
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let ports = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let rest = ports["restUrl"] as? String, let stream = ports["streamUrl"] as? String else {
            process.terminate()
            throw BenchError("the Binance test server did not start (printed \(String(decoding: line, as: UTF8.self)))")
        }
        self.process = process
        restURL = rest
        streamURL = stream
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A TCP relay on loopback between the order client and the server, timing when each request's first bytes arrive
/// from the client's socket (its `newClientOrderId` read from the request line). Plain blocking sockets on threads
/// of its own, so nothing of it shares the client's event loops.
final class OrderRelay: Sendable {
    let port: Int
    private let listener: Int32
    private let upstreamPort: UInt16
    private let arrivals = Mutex<[String: UInt64]>([:])
    private let sockets = Mutex<Set<Int32>>([])

    init(upstreamPort: Int) throws {
        self.upstreamPort = UInt16(upstreamPort)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 64) == 0 else { throw BenchError("relay: cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let listener = listener
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                guard let upstream = connectUpstream() else { close(client); continue }
                sockets.withLock { $0.formUnion([client, upstream]) }
                Thread { self.pump(from: client, to: upstream, timed: true) }.start()
                Thread { self.pump(from: upstream, to: client, timed: false) }.start()
            }
        }.start()
    }

    /// When the request of `clientOrderId` was first read from the client's socket (monotonic ns).
    func seen(_ clientOrderId: String) -> UInt64? { arrivals.withLock { $0[clientOrderId] } }

    /// Writes one request straight to the relay on a fresh socket: (written, read by the relay), monotonic ns.
    func probe(_ id: String) -> (UInt64, UInt64)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = Self.loopback(port: UInt16(port))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        Self.noDelay(fd)
        let request = Array("GET /api/v3/ping?newClientOrderId=\(id) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        let written = monotonicNanoseconds()
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(fd, &buffer, buffer.count) > 0 {}
        return seen(id).map { (written, $0) }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in sockets.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func connectUpstream() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); return nil }
        Self.noDelay(fd)
        return fd
    }

    private func pump(from source: Int32, to sink: Int32, timed: Bool) {
        Self.noDelay(source)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 { break }
            if timed {
                let at = monotonicNanoseconds()
                if let id = Self.clientOrderId(in: buffer[0..<count]) {
                    arrivals.withLock { if $0[id] == nil { $0[id] = at } }
                }
            }
            var sent = 0
            while sent < count {
                let wrote = buffer.withUnsafeBytes { write(sink, $0.baseAddress! + sent, count - sent) }
                if wrote <= 0 { break }
                sent += wrote
            }
            if sent < count { break }
        }
        shutdown(sink, Int32(SHUT_WR))
        sockets.withLock { _ = $0.remove(source) }
        close(source)
    }

    static func clientOrderId(in bytes: ArraySlice<UInt8>) -> String? {
        let key = Array("newClientOrderId=".utf8)
        guard bytes.count > key.count else { return nil }
        var index = bytes.startIndex
        while index + key.count <= bytes.endIndex {
            if bytes[index] == key[0], bytes[index..<(index + key.count)].elementsEqual(key) {
                let start = index + key.count
                let end = bytes[start...].firstIndex { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: " ") } ?? bytes.endIndex
                return String(decoding: bytes[start..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func noDelay(_ fd: Int32) {
        var on: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
}
