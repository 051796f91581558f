import DexterCore
import DexterDetect
import DexterDesk
import DexterEngine
import DexterLedger
import DexterMarket
import DexterRisk
import DexterVenues
import Foundation
import Logging
import Testing
import TestServers

/// One box of a shared desk, in this process: a simulated ETH/USDT market on two exchanges that cross after every
/// jump, auto-approve on (so it books by itself), its own SQLite ledger, and — when linked — its shipper and its
/// part in the desk's kill switch, as `dexter` wires them.
final class Box: @unchecked Sendable {
    let name: String
    let engine: Engine
    let ledger: Ledger
    let folder: String
    let shipper: LedgerShipper
    let control: DeskControl
    /// The desk-wide daily volume, when the box is given one.
    let volume: DeskVolume?
    /// The desk-wide position and VaR caps, when the box is given them.
    let holds: DeskHolds?
    private var loop: Task<Void, Never>?
    private var links: [Task<Void, Never>] = []

    static let riskManager = DeskUser(name: "rita", role: .riskManager)
    static let eth = Symbol(base: "ETH", quote: "USDT")

    init(_ name: String, desk: DeskDatabase, seed: UInt64 = 5, autoApprove: Bool = true,
         deskVolume: (limit: FixedDecimal, slice: FixedDecimal)? = nil, deskCaps: [String: FixedDecimal]? = nil) async throws {
        self.name = name
        folder = NSTemporaryDirectory() + "dexter-box-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        ledger = try Ledger(path: folder + "/desk.sqlite")
        let now = WallClock().now()
        var venues = VenueSet()
        venues.add(SimulatedVenues(universe: Self.universe(seed: seed), start: now, journal: nil))
        var config = EngineConfig(
            user: "ada", mode: .sim,
            limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(5_000), dailyVolumeUSD: FixedDecimal(10_000_000),
                               maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: [Self.eth]),
            detection: DetectionPolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000)),
            initialBalances: Self.balances, swapSlippageTolerance: FixedDecimal("0.005")!)
        config.deskUser = DeskUser(name: "ada", role: .admin, mayTrade: true)
        if autoApprove {
            config.autoApprove = AutoApprovePolicy(minNetUSD: FixedDecimal("0.01")!, maxNotionalUSD: FixedDecimal(5_000), pairs: [Self.eth])
        }
        if deskVolume != nil { config.deskVolume = DeskAllowance() }
        if let deskCaps { config.deskCaps = DeskCaps(kinds: Set(deskCaps.keys)) }
        engine = try await Engine(config: config, venues: venues, ledger: ledger, clock: WallClock())
        let logger = Logger(label: "test.desk.\(name)")
        volume = try deskVolume.map {
            DeskVolume(box: name, database: desk, allowance: try #require(config.deskVolume), limit: $0.limit, slice: $0.slice,
                       logger: logger)
        }
        holds = try deskCaps.map {
            DeskHolds(box: name, database: desk, caps: try #require(config.deskCaps), limits: $0, logger: logger)
        }
        shipper = LedgerShipper(box: name, database: desk, ledger: ledger.reader, logger: logger, pollInterval: .milliseconds(20))
        control = DeskControl(box: name, database: desk, engine: engine, logger: logger)
    }

    /// Joins the desk (its state read first, as `dexter` does before the engine runs), then trades.
    func start(linked: Bool = true) async {
        if linked { await link() }
        let engine = self.engine
        loop = Task { await engine.run() }
    }

    func link() async {
        await control.catchUp()
        let shipper = self.shipper, control = self.control
        links = [Task { await shipper.run() }, Task { await control.run() }]
        if let volume { links.append(Task { await volume.run() }) }
        if let holds { links.append(Task { await holds.run() }) }
    }

    /// Leaves the desk (as a box whose network went away would), trading on.
    func unlink() async {
        for task in links { task.cancel() }
        for task in links { await task.value }
        links = []
    }

    func stop() async {
        await unlink()
        await shipper.close()
        await control.close()
        await volume?.close()
        await holds?.close()
        await engine.stop()
        await loop?.value
        loop = nil
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Waits (polling) until `condition` holds, or `seconds` pass; false if it never did.
    static func eventually(seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    func bookings() throws -> Int { try ledger.reader.bookings(limit: 100_000).count }

    static var balances: Inventory {
        var inventory = Inventory()
        for name in ["alpha", "beta"] {
            inventory.credit("ETH", FixedDecimal(10), at: .exchange(VenueId(name)))
            inventory.credit("USDT", FixedDecimal(30_000), at: .exchange(VenueId(name)))
        }
        return inventory
    }

    /// Two ETH/USDT books, one quick and one slow to follow the price: they cross after every jump.
    static func universe(seed: UInt64) -> SimulatedUniverse {
        func venue(_ name: String, catchUp: Double) -> SimulatedBook {
            SimulatedBook(
                venue: VenueSpec(id: VenueId(name), kind: .exchange, takerFee: FixedDecimal("0.0005")!, stalenessBound: .seconds(2)),
                instrument: InstrumentSpec(symbol: eth, tickSize: FixedDecimal("0.0001")!, lotSize: FixedDecimal("0.001")!,
                                           minNotional: FixedDecimal(5)),
                catchUpRate: catchUp, noiseBps: 0, halfSpreadBps: 0.5, levels: 10, topQuantity: 1, updatesPerSecond: 20)
        }
        return SimulatedUniverse(
            seed: seed,
            assets: [SimulatedAsset(asset: "ETH", priceUSD: 3000, volatility: 0.8, jumpsPerHour: 3600, jumpSize: 0.004),
                     SimulatedAsset(asset: "USDT", priceUSD: 1, volatility: 0, jumpsPerHour: 0, jumpSize: 0)],
            books: [venue("alpha", catchUp: 8), venue("beta", catchUp: 0.5)], pools: [], chains: [],
            latency: [VenueId("alpha"): .milliseconds(10), VenueId("beta"): .milliseconds(10)])
    }
}
