import ArgumentParser
import DexterCore
import DexterEngine
import DexterMarket
import DexterVenues
import SharedTestData
import Testing

@testable import dexter

/// `--replay FILE...` on the desk's commands and `[replay]` in config.toml. The recording is the LINK/USDT one in
/// `../shared/data/linkusdt_binance_huobi_20210820/` (DasAnish/DeFi-arbitrage, MIT; see `../shared/data/SOURCES.md`).
@Suite struct ReplayDeskTests {
    static func paths() throws -> [String] {
        try ["orderbook_bnc.csv.gz", "orderbook_hb.csv.gz"].map {
            try Shared.url("data/linkusdt_binance_huobi_20210820/\($0)").path
        }
    }

    @Test func theOptionsTakeFilesUpToTheNextOptionAndBelongToAReplay() throws {
        let options = try ReplayDeskOptions.parse(["--replay", "a.gz", "b.gz", "--speed", "10", "--fee", "huobi=0"])
        #expect(options.replay == ["a.gz", "b.gz"] && options.speed == 10 && options.isOn)
        #expect(throws: (any Error).self) { try ReplayDeskOptions.parse(["--speed", "10"]) }
        #expect(throws: (any Error).self) { try ReplayDeskOptions.parse(["--fee", "huobi=0"]) }
        #expect(throws: (any Error).self) { try ReplayDeskOptions.parse(["--replay", "a.gz", "--speed", "0"]) }
        #expect(!(try ReplayDeskOptions.parse([])).isOn)
    }

    @Test func theReplaySectionSetsTheStakeAndTheLatency() throws {
        let text = DefaultConfig.text.replacingOccurrences(of: "stake_usd = \"50000\"", with: "stake_usd = \"1000\"")
            .replacingOccurrences(of: "latency_ms = 50", with: "latency_ms = 0")
        let config = try DeskConfig.parse(text, file: "config.toml")
        #expect(config.replay.stakeUSD == FixedDecimal(1_000) && config.replay.latency == .zero)
        let defaults = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        #expect(defaults.replay.stakeUSD == FixedDecimal(50_000) && defaults.replay.latency == .milliseconds(50))
        let unknown = DefaultConfig.text.replacingOccurrences(of: "latency_ms = 50", with: "latency_ms = 50\nspeed = 2")
        #expect(throws: (any Error).self) { try DeskConfig.parse(unknown, file: "config.toml") }
    }

    /// REPLAY mode, the recording's pairs allowed, a stake of each asset at each recorded venue valued at the first
    /// prices, the feed-silence halt off; config's other limits as they are.
    @Test func theDeskOnARecordingTradesItsPairsWithAPaperStake() throws {
        let config = try DeskConfig.parse(DefaultConfig.text, file: "embedded")
        let options = try ReplayDeskOptions.parse(["--replay"] + Self.paths())
        let desk = try ReplayDesk(options, config: config, journalPath: nil)
        #expect(desk.venue.venueIds == ["binance", "huobi"])
        #expect(desk.venue.start.iso8601.hasPrefix("2021-08-20T00:00:00") && desk.venue.end.iso8601.hasPrefix("2021-08-20T01:59:59"))
        #expect(desk.venue.latency == .milliseconds(50))
        let engine = desk.engineConfig(config.engineConfig(user: "alice"), stakeUSD: FixedDecimal(50_000))
        let link = Symbol(base: "LINK", quote: "USDT")
        #expect(engine.mode == .replay && engine.limits.allowedSymbols.contains(link))
        #expect(engine.limits.allowedSymbols.isSuperset(of: config.limits.allowedSymbols))
        #expect(engine.autoHalt.feedSilence == nil && engine.autoHalt.dailyLossUSD == config.autoHalt.dailyLossUSD)
        for venue in ["binance", "huobi"] {
            let account = AccountId.exchange(VenueId(venue))
            #expect(engine.initialBalances.available("USDT", at: account) == FixedDecimal(50_000))
            // LINK opened near 27 USDT on both venues: about 1,850 LINK.
            let links = engine.initialBalances.available("LINK", at: account).doubleValue
            #expect(links > 1_800 && links < 1_900, "\(links) LINK at \(venue)")
        }
        #expect(engine.alerts.isEmpty)
        #expect(throws: ValidationError.self) {
            try ReplayDesk(try ReplayDeskOptions.parse(["--replay", "/nonexistent.gz"]), config: config, journalPath: nil)
        }
    }
}
