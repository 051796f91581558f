import DexterCore
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation
import Testing

/// A config reload changes the limits in force, says what changed, and is audited; only for those who set limits.
@Suite struct ConfigReloadTests {
    let clock = ManualClock()

    func engine(_ user: DeskUser) async throws -> (Engine, Ledger) {
        var config = twoVenueConfig()
        config.user = user.name
        config.deskUser = user
        let ledger = try Ledger(path: NSTemporaryDirectory() + "dexter-reload-\(UUID().uuidString).sqlite")
        return (try await Engine(config: config, ledger: ledger, clock: clock), ledger)
    }

    static func reload(notional: Int, deny: [String] = []) -> ConfigReload {
        let symbol = Symbol(base: "ETH", quote: "USDT")
        return ConfigReload(limits: RiskLimits(maxNotionalPerTradeUSD: FixedDecimal(notional), dailyVolumeUSD: FixedDecimal(1_000_000),
                                               maxPosition: ["ETH": FixedDecimal(100)], allowedSymbols: [symbol]),
                            autoHalt: AutoHaltLimits(dailyLossUSD: FixedDecimal(100)), maxExposurePerVenueUSD: nil,
                            positionVaRBudgetUSD: nil, denyList: DenyList(addresses: deny))
    }

    @Test func aRiskManagerReloadsAndItIsAudited() async throws {
        let (engine, ledger) = try await engine(DeskUser(name: "rita", role: .riskManager))
        await engine.reloadConfig(Self.reload(notional: 2_000, deny: ["0x722122dF12D4e14e13Ac3b6895a86e84145b6967"]))
        let snapshot = try #require(engine.board.current)
        #expect(snapshot.limitsSummary.maxNotionalPerTradeUSD == FixedDecimal(2_000))
        #expect(snapshot.notifications.first?.event == .configReloaded([.limits, .automaticHalts, .denyList(addresses: 1)]))
        let last = try #require(try ledger.reader.auditEntries().last)
        #expect(last.action == "config reload" && last.user == "rita")
        // The same file again changes nothing, and says so.
        await engine.reloadConfig(Self.reload(notional: 2_000, deny: ["0x722122dF12D4e14e13Ac3b6895a86e84145b6967"]))
        #expect(engine.board.current?.notifications.first?.event == .configReloaded([]))
    }

    @Test func aTraderMayNotReload() async throws {
        let (engine, _) = try await engine(DeskUser(name: "tess", role: .trader))
        await engine.reloadConfig(Self.reload(notional: 2_000))
        #expect(engine.board.current?.limitsSummary.maxNotionalPerTradeUSD == FixedDecimal(5_000))
        #expect(engine.board.current?.notifications.first?.event
            == DeskUser(name: "tess", role: .trader).refusal(.setLimits).map(DeskEvent.notPermitted))
    }
}
