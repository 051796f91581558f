import AsyncHTTPClient
import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterService
import DexterVenues
import Foundation
import Logging
import NIOCore
import Synchronization

/// `dexter-bench service`: the served desk on its simulated market, in this process, reached over its own sockets.
/// - opportunity detected → a WebSocket client of /v1/events has it, with 1, 10 and 100 clients (baseline: a
///   subscriber in the process, no socket);
/// - REST GET /v1/opportunities at 1,000 requests/s on a loopback TCP port, open loop (baseline: GET /health);
/// - attach → first frame (baseline: the same socket's WebSocket upgrade alone, /v1/events).
enum ServiceBenchmark {
    static func run() async throws {
        let desk = try await BenchDesk.open()
        defer { Task { await desk.stop() } }
        print("service: the served desk on a simulated ETH/USDT market, over its Unix socket and 127.0.0.1:\(desk.port)")
        try await Task.sleep(for: .seconds(1))
        let inProcess = try await streamLatency(desk, clients: 0, seconds: 3)
        report("stream, in-process subscriber (baseline)", inProcess, baseline: nil)
        for clients in [1, 10, 100] {
            let sample = try await streamLatency(desk, clients: clients, seconds: 4)
            report("stream, \(clients) WebSocket client\(clients == 1 ? "" : "s")", sample, baseline: inProcess)
        }
        let health = try await rest(desk, path: "/health", rate: 1000, seconds: 4)
        report("REST GET /health at 1,000/s (baseline)", health, baseline: nil)
        let opportunities = try await rest(desk, path: "/v1/opportunities", rate: 1000, seconds: 4)
        report("REST GET /v1/opportunities at 1,000/s", opportunities, baseline: health)
        let upgrade = try await firstMessage(desk, path: "/v1/events", times: 100, waitForFrame: false)
        report("WebSocket upgrade on the Unix socket (baseline)", upgrade, baseline: nil)
        let attach = try await firstMessage(desk, path: "/attach?width=160&height=48", times: 100, waitForFrame: true)
        report("attach → first frame (160×48)", attach, baseline: upgrade)
    }

    static func report(_ name: String, _ sample: [UInt64], baseline: [UInt64]?) {
        guard !sample.isEmpty else { return print("\(name): no samples") }
        let sorted = sample.sorted()
        var line = "\(name): \(sorted.count) samples, p50 \(format(percentile(sorted, 0.5))) p99 \(format(percentile(sorted, 0.99))) "
            + "max \(format(percentile(sorted, 1)))"
        if let baseline, !baseline.isEmpty {
            let base = baseline.sorted()
            line += String(format: ", ×%.1f / ×%.1f the baseline's p50 / p99", percentile(sorted, 0.5) / percentile(base, 0.5),
                           percentile(sorted, 0.99) / percentile(base, 0.99))
        }
        print(line)
    }

    static func format(_ microseconds: Double) -> String {
        microseconds >= 1000 ? String(format: "%.2f ms", microseconds / 1000) : String(format: "%.0f µs", microseconds)
    }

    /// Latency from the detector's pass to each client's receipt of the opportunity event it made. The k-th
    /// opportunity event of the stream is the k-th opportunity the detector upserted: both come in the detector's order.
    static func streamLatency(_ desk: BenchDesk, clients: Int, seconds: Double) async throws -> [UInt64] {
        let start = desk.stamps.withLock { $0.count }
        let firstSequence = desk.service.journal.nextSequence
        // Every client connects first, from the same number; only what is detected once all are in is timed.
        var sockets: [DeskSocket] = []
        for _ in 0..<clients {
            sockets.append(try await DeskSocket.open(.unix(desk.socket), path: "/v1/events?after=\(firstSequence - 1)",
                                                     token: desk.token))
        }
        let subscription = clients == 0 ? desk.service.journal.subscribe(after: firstSequence - 1) : nil
        let measureFrom = monotonicNanoseconds()
        let deadline = measureFrom + UInt64(seconds * 1e9)
        @Sendable func latency(_ text: String, index: inout Int, now: UInt64) -> UInt64? {
            guard text.contains(#""type":"opportunity."#), !text.contains("opportunity.gone") else { return nil }
            defer { index += 1 }
            guard let stamp = desk.stamp(index), stamp >= measureFrom else { return nil }
            return now - stamp
        }
        return try await withThrowingTaskGroup(of: [UInt64].self) { group in
            if let subscription {
                group.addTask {
                    defer { desk.service.journal.unsubscribe(subscription) }
                    var latencies: [UInt64] = []
                    var index = start
                    for await entry in subscription.live {
                        let now = monotonicNanoseconds()
                        if let value = latency(entry.text, index: &index, now: now) { latencies.append(value) }
                        if now > deadline { break }
                    }
                    return latencies
                }
            }
            for socket in sockets {
                group.addTask {
                    var latencies: [UInt64] = []
                    try await socket.run { texts, _ in
                        var index = start
                        for try await text in texts {
                            let now = monotonicNanoseconds()
                            if let value = latency(text, index: &index, now: now) { latencies.append(value) }
                            if now > deadline { return }
                        }
                    }
                    return latencies
                }
            }
            var all: [UInt64] = []
            for try await latencies in group { all += latencies }
            return all
        }
    }

    /// Open loop: requests start on schedule whatever the answers do, so a slow answer cannot hide the queue it makes.
    static func rest(_ desk: BenchDesk, path: String, rate: Int, seconds: Double) async throws -> [UInt64] {
        let count = Int(Double(rate) * seconds)
        let interval = UInt64(1e9 / Double(rate))
        let begin = monotonicNanoseconds() + 50_000_000
        let token = desk.token, url = "http://127.0.0.1:\(desk.port)\(path)"
        return try await withThrowingTaskGroup(of: UInt64.self) { group in
            for index in 0..<count {
                let due = begin + UInt64(index) * interval
                let now = monotonicNanoseconds()
                if due > now { try await Task.sleep(for: .nanoseconds(Int64(due - now))) }
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 24)
                    guard response.status == .ok else { throw BenchDesk.Failure(description: "\(path): \(response.status)") }
                    return monotonicNanoseconds() - due
                }
            }
            var latencies: [UInt64] = []
            for try await latency in group { latencies.append(latency) }
            return latencies
        }
    }

    /// Time from connecting to the first message (a frame), or to the upgrade alone.
    static func firstMessage(_ desk: BenchDesk, path: String, times: Int, waitForFrame: Bool) async throws -> [UInt64] {
        var latencies: [UInt64] = []
        for _ in 0..<times {
            let t0 = monotonicNanoseconds()
            let socket = try await DeskSocket.open(.unix(desk.socket), path: path, token: desk.token)
            if !waitForFrame {
                latencies.append(monotonicNanoseconds() - t0)
                try await socket.run { _, _ in }
                continue
            }
            try await socket.run { texts, _ in
                for try await text in texts where text.contains(#""frame""#) {
                    latencies.append(monotonicNanoseconds() - t0)
                    return
                }
            }
        }
        return latencies
    }
}

/// The desk the benchmark serves: an admin's token, its socket and TCP port, and the detector's stamps.
final class BenchDesk: Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let engine: Engine
    let service: DeskService
    let socket: String
    let port: Int
    let token: String
    let folder: String
    /// When the detector upserted each opportunity, in its order.
    let stamps = Mutex<[UInt64]>([])
    private let tasks: Mutex<[Task<Void, Never>]> = Mutex([])

    init(engine: Engine, service: DeskService, socket: String, port: Int, token: String, folder: String) {
        self.engine = engine
        self.service = service
        self.socket = socket
        self.port = port
        self.token = token
        self.folder = folder
    }

    func stamp(_ index: Int) -> UInt64? { stamps.withLock { index < $0.count ? $0[index] : nil } }

    static func open() async throws -> BenchDesk {
        let folder = NSTemporaryDirectory() + "dexter-bench-service-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ledger = try Ledger(path: folder + "/desk.sqlite")
        let admin = DeskUser(name: "bench", role: .admin, mayTrade: true)
        let issued = MemberTokens.issue()
        try ledger.writer.addToken(id: issued.id, user: admin.name, hash: issued.hash, by: admin.name, at: WallClock().now(),
                                   hash: Engine.auditHash)
        let symbol = Symbol(base: "ETH", quote: "USDT")
        var inventory = Inventory()
        for name in ["alpha", "beta"] {
            inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
            inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
        }
        func book(_ name: String, catchUp: Double, symbol: Symbol, top: Double = 1) -> SimulatedBook {
            SimulatedBook(
                venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
                instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                           minNotional: FixedDecimal(5)),
                catchUpRate: catchUp, noiseBps: 0, halfSpreadBps: 0.5, levels: 10, topQuantity: top, updatesPerSecond: 50)
        }
        let universe = SimulatedUniverse(
            seed: 7,
            assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.8, jumpsPerHour: 7200, jumpSize: 0.004),
                     SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0),
                     SimulatedAsset(asset: "USDC", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
            books: [book("alpha", catchUp: 8, symbol: symbol), book("beta", catchUp: 0.5, symbol: symbol),
                    book("alpha", catchUp: 10, symbol: Symbol(base: "USDC", quote: "USDT"), top: 100_000)],
            pools: [], chains: [], latency: [:])
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: universe, start: WallClock().now(), journal: nil))
        var config = EngineConfig(
            user: admin.name, mode: .sim,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(1_000_000),
                               maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: [symbol]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
            initialBalances: inventory, swapSlippageTolerance: FixedDecimal("0.005")!)
        config.deskUser = admin
        let engine = try await Engine(config: config, venues: venues, ledger: ledger, clock: WallClock())
        let service = DeskService(engine: engine, ledger: ledger.reader,
                                  tokens: MemberTokens(reader: ledger.reader) { $0 == admin.name ? admin : nil },
                                  journal: EventJournal(capacity: 1_000_000, subscriberBuffer: 100_000),
                                  metrics: { "" })
        let stamps = Mutex<[UInt64]>([])
        let socket = folder + "/run/desk.sock"
        let (bound, boundSignal) = AsyncStream.makeStream(of: String.self)
        let serving = Task {
            try? await service.serve(on: ServiceListeners(socketPath: socket, tcp: .init(host: "127.0.0.1", port: 0, tls: nil)),
                                     logger: Logger(label: "bench")) { boundSignal.yield($0) }
        }
        var port = 0
        var addresses = 0
        for await address in bound {
            if address.hasPrefix("http://"), let last = address.split(separator: ":").last { port = Int(last) ?? 0 }
            addresses += 1
            if addresses == 2 { break }
        }
        let desk = BenchDesk(engine: engine, service: service, socket: socket, port: port, token: issued.token, folder: folder)
        // Registered before the journal's own observer: each stamp is taken as the detector hands its pass over.
        await engine.onDetection { [desk] changes, _ in
            let now = monotonicNanoseconds()
            desk.stamps.withLock { $0.append(contentsOf: repeatElement(now, count: changes.upserted.count)) }
        }
        _ = stamps
        let feed = await service.startJournal()
        let loop = Task { await engine.run() }
        desk.tasks.withLock { $0 = [feed, loop, Task { _ = await serving.value }] }
        return desk
    }

    func stop() async {
        await service.stopServing()
        await engine.stop()
        for task in tasks.withLock({ $0 }) { task.cancel() }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
