import AsyncHTTPClient
import DexterCore
import DexterDetect
import NIOHTTP1
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterService
import DexterVenues
import Foundation
import Logging
import NIOCore

/// A desk served on a private Unix socket, in this process: a simulated ETH/USDT market on two exchanges that
/// cross after every jump (so there is always something to approve), members with their tokens, the API, the
/// event journal and attached screens, as `dexter serve` wires them.
struct ServedDesk {
    let engine: Engine
    let service: DeskService
    let ledger: Ledger
    let socket: String
    let folder: String
    /// Each member's token, by name; "revoked" holds a token revoked since.
    let tokens: [String: String]
    let members: [String: DeskUser]
    private let loop: Task<Void, Never>
    private let serving: Task<Void, any Error>
    private let journalFeed: Task<Void, Never>

    static let admin = DeskUser(name: "ada", role: .admin, mayTrade: true)
    static let roster = [
        admin, DeskUser(name: "tom", role: .trader), DeskUser(name: "ann", role: .analyst),
        DeskUser(name: "rita", role: .riskManager),
    ]

    static func open(journal: EventJournal = EventJournal()) async throws -> ServedDesk {
        let folder = NSTemporaryDirectory() + "dexter-service-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ledger = try Ledger(path: folder + "/desk.sqlite")
        let now = WallClock().now()
        var tokens: [String: String] = [:]
        for member in roster {
            let issued = MemberTokens.issue()
            try ledger.writer.addToken(id: issued.id, user: member.name, hash: issued.hash, by: admin.name, at: now,
                                       hash: Engine.auditHash)
            tokens[member.name] = issued.token
        }
        let revoked = MemberTokens.issue()
        try ledger.writer.addToken(id: revoked.id, user: "tom", hash: revoked.hash, by: admin.name, at: now, hash: Engine.auditHash)
        try ledger.writer.revokeTokens(of: "tom", by: admin.name, at: now, hash: Engine.auditHash)
        // tom's first token went with the revocation: issue him a live one again.
        let tom = MemberTokens.issue()
        try ledger.writer.addToken(id: tom.id, user: "tom", hash: tom.hash, by: admin.name, at: now, hash: Engine.auditHash)
        tokens["tom"] = tom.token
        tokens["revoked"] = revoked.token
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: universe, start: now, journal: nil))
        var config = EngineConfig(
            user: admin.name, mode: .sim,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(1_000_000),
                               maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: [eth]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
            initialBalances: balances, swapSlippageTolerance: FixedDecimal("0.005")!)
        config.deskUser = admin
        let engine = try await Engine(config: config, venues: venues, ledger: ledger, clock: WallClock())
        let members = Dictionary(uniqueKeysWithValues: roster.map { ($0.name, $0) })
        let service = DeskService(engine: engine, ledger: ledger.reader,
                                  tokens: MemberTokens(reader: ledger.reader) { members[$0] }, journal: journal,
                                  metrics: { DeskMetrics.exposition() })
        let journalFeed = await service.startJournal()
        let loop = Task { await engine.run() }
        let socket = folder + "/run/desk.sock"
        let (bound, boundSignal) = AsyncStream.makeStream(of: String.self)
        let serving = Task {
            try await service.serve(on: ServiceListeners(socketPath: socket, tcp: nil), logger: Logger(label: "test")) {
                boundSignal.yield($0)
            }
        }
        for await _ in bound { break }
        return ServedDesk(engine: engine, service: service, ledger: ledger, socket: socket, folder: folder, tokens: tokens,
                          members: members, loop: loop, serving: serving, journalFeed: journalFeed)
    }

    func stop() async {
        await service.stopServing()
        _ = await serving.result
        await engine.stop()
        await loop.value
        journalFeed.cancel()
        try? FileManager.default.removeItem(atPath: folder)
    }

    struct Answer {
        let status: Int
        let contentType: String
        let body: String
    }

    /// One request on the desk's socket, as `token`'s member (nil: no token).
    func request(_ method: HTTPMethod, _ path: String, token: String?, body: String? = nil) async throws -> Answer {
        let encoded = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socket
        var request = HTTPClientRequest(url: "http+unix://\(encoded)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                      body: String(buffer: bytes))
    }

    static let eth = Symbol(base: "ETH", quote: "USDT")

    static var balances: Inventory {
        var inventory = Inventory()
        for name in ["alpha", "beta"] {
            inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
            inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
        }
        return inventory
    }

    /// Two ETH/USDT books, one quick and one slow to follow the price: they cross after every jump.
    static var universe: SimulatedUniverse {
        func venue(_ name: String, catchUp: Double, symbol: Symbol = eth, top: Double = 1) -> SimulatedBook {
            SimulatedBook(
                venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
                instrument: InstrumentSpec(symbol: symbol, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                           minNotional: FixedDecimal(5)),
                catchUpRate: catchUp, noiseBps: 0, halfSpreadBps: 0.5, levels: 10, topQuantity: top, updatesPerSecond: 20)
        }
        let dollar = venue("alpha", catchUp: 10, symbol: Symbol(base: "USDC", quote: "USDT"), top: 100_000)
        return SimulatedUniverse(
            seed: 5,
            assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.8, jumpsPerHour: 3600, jumpSize: 0.004),
                     SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0),
                     SimulatedAsset(asset: "USDC", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
            books: [venue("alpha", catchUp: 8), venue("beta", catchUp: 0.5), dollar], pools: [], chains: [],
            latency: [VenueId("alpha"): .milliseconds(10), VenueId("beta"): .milliseconds(10)])
    }

    /// Waits (polling the snapshot) until `condition` holds, or `seconds` pass.
    func waitFor(seconds: Double = 30, _ condition: (Snapshot) -> Bool) async throws -> Snapshot? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let snapshot = engine.board.current, condition(snapshot) { return snapshot }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
