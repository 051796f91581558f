import DexterDesk
import DexterEngine
import DexterLedger
import Logging

/// This box's part in a shared desk (`[desk] postgres_url`): the desk's trading state read and applied before the
/// engine runs, then the ledger shipped, the kill switch carried both ways and the desk's members kept here while it
/// does.
struct SharedDeskLink {
    let shipper: LedgerShipper
    let control: DeskControl
    let roster: DeskRoster
    let volume: DeskVolume?
    let holds: DeskHolds?
    let tasks: [Task<Void, Never>]
    let logger: Logger

    /// Nothing when the box is a desk of its own.
    static func start(_ config: SharedDeskConfig, engine: Engine, ledger: Ledger) async -> SharedDeskLink? {
        guard let database = config.database else { return nil }
        let logger = Logger(label: "dexter.desk")
        let shipper = LedgerShipper(box: config.box, database: database, ledger: ledger.reader, logger: logger)
        let control = DeskControl(box: config.box, database: database, engine: engine, logger: logger)
        if await control.catchUp() { logger.notice("box \(config.box) joined the shared desk at \(database)") }
        var volume: DeskVolume?
        if let limit = config.dailyVolumeUSD, let allowance = await engine.deskVolume {
            volume = DeskVolume(box: config.box, database: database, allowance: allowance, limit: limit,
                                slice: config.reserveSliceUSD, logger: logger)
        }
        var holds: DeskHolds?
        if let caps = await engine.deskCaps {
            holds = DeskHolds(box: config.box, database: database, caps: caps, limits: config.caps, logger: logger)
        }
        let roster = DeskRoster(box: config.box, database: database, ledger: ledger, hash: Engine.auditHash, logger: logger,
                                engine: engine, plans: await engine.plans)
        var tasks = [Task { await shipper.run() }, Task { await control.run() }, Task { await roster.run() }]
        if let volume { tasks.append(Task { await volume.run() }) }
        if let holds { tasks.append(Task { await holds.run() }) }
        return SharedDeskLink(shipper: shipper, control: control, roster: roster, volume: volume, holds: holds, tasks: tasks, logger: logger)
    }

    /// Stops listening; ships what is waiting for up to `seconds` first, so a clean stop leaves nothing behind when
    /// the desk is reachable (what is left ships at the next start).
    func stop(draining seconds: Double = 5) async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.value }
        await volume?.handBack()
        await holds?.handBack()
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            guard let moved = try? await shipper.ship(), moved > 0 else { break }
        }
        await shipper.close()
        await control.close()
        await volume?.close()
        await holds?.close()
        let waiting = shipper.status.waiting
        if waiting > 0 { logger.warning("\(waiting) ledger entries wait for the shared desk; they ship at the next start") }
    }
}
