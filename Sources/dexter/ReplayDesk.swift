import ArgumentParser
import DexterCore
import DexterEngine
import DexterMarket
import DexterVenues
import Foundation

/// How recorded venues are modelled: what `dexter replay` and a desk on a recording share.
struct RecordingOptions: ParsableArguments {
    static let defaultStaleness = 5.0
    static let defaultDepth = 20

    @Option(name: .long, parsing: .singleValue, help: "A venue's taker fee, like binance=0.00075 (repeatable).")
    var fee: [String] = []

    @Option(name: .long, help: "Seconds after which a venue's quote is stale.")
    var staleness: Double = defaultStaleness

    @Option(name: .long, help: "Book levels per side the detector sees.")
    var depth: Int = defaultDepth

    func validate() throws {
        guard staleness > 0, (1...1000).contains(depth) else {
            throw ValidationError("--staleness must be positive and --depth between 1 and 1000")
        }
        _ = try settings()
    }

    var isDefault: Bool { fee.isEmpty && staleness == Self.defaultStaleness && depth == Self.defaultDepth }

    /// The recorded venues' fees, staleness and published depth.
    func settings() throws -> ReplaySettings {
        var settings = ReplaySettings()
        for entry in fee {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let rate = FixedDecimal(String(parts[1])), !rate.isNegative, rate < .one else {
                throw ValidationError("--fee \"\(entry)\": expected VENUE=RATE with a rate like 0.001")
            }
            settings.takerFees[VenueId(String(parts[0]))] = rate
        }
        settings.stalenessBound = .nanoseconds(Int64(staleness * 1e9))
        settings.bookDepth = depth
        return settings
    }

    /// The files, read whole (gunzipped when gzip); a file that cannot be read is named.
    static func read(_ paths: [String]) throws -> [RecordedFile] {
        do {
            return try paths.map { (path) throws(ReplayError) -> RecordedFile in try RecordedFile(path: path) }
        } catch {
            throw ValidationError(error.description)
        }
    }
}

/// `--replay FILE...` on the desk's commands (the screen, `run`): the desk on a recorded day.
struct ReplayDeskOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "Run the desk on these recorded files instead of config's venues: REPLAY mode, paper fills, its own ledger.",
        valueName: "file"))
    var replay: [String] = []

    @Option(name: .long, help: "With --replay: play the recording at N times its recorded pace.")
    var speed: Double = 1

    @OptionGroup var recording: RecordingOptions

    var isOn: Bool { !replay.isEmpty }

    func validate() throws {
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be a positive number") }
        guard isOn || (speed == 1 && recording.isDefault) else {
            throw ValidationError("--speed, --fee, --staleness and --depth are for a desk on a recording: add --replay FILE")
        }
    }
}

/// A desk on a recording: a `ReplayVenue` in place of config's venues, in REPLAY mode, with a paper stake at each
/// recorded venue and the recording's pairs allowed. Config's limits, detection and policies apply as they are, but
/// for the feed-silence halt: a recording's silences are its own (its gaps, and its end, where its venues go down
/// saying so), and a halt there would outlive the session and open the next replay halted.
struct ReplayDesk {
    let venue: ReplayVenue

    /// `journalPath`: where the venue remembers what it executed, so a restarted desk can ask it.
    init(_ options: ReplayDeskOptions, config: DeskConfig, journalPath: String?) throws {
        let files = try RecordingOptions.read(options.replay)
        let settings = try options.recording.settings()
        let journal = try journalPath.map(PaperJournal.init(path:))
        do {
            venue = try ReplayVenue(files: files, settings: settings, latency: config.replay.latency, journal: journal)
        } catch {
            throw ValidationError(error.description)
        }
    }

    var venues: VenueSet {
        var venues = VenueSet()
        venues.add(venue)
        return venues
    }

    /// The recording's clock, from its first instant, at `speed` times the wall clock.
    func clock(speed: Double) -> PacedClock { PacedClock(start: venue.start, speed: speed) }

    /// `base` (config's settings for the user) for the recording: REPLAY mode, its pairs allowed, and as a fresh
    /// ledger's balances, `stakeUSD` of each asset of its pairs at each recorded venue, valued at the recording's
    /// first prices. An asset it cannot value is left out, and the desk says so.
    func engineConfig(_ base: EngineConfig, stakeUSD: FixedDecimal) -> EngineConfig {
        var config = base
        config.mode = .replay
        config.autoHalt.feedSilence = nil
        config.limits.allowedSymbols.formUnion(venue.markets.map(\.key.symbol))
        let prices = MarketState(markets: venue.firstQuotes, gas: [])
        var stake = Inventory()
        var staked = Set<String>()
        var unpriced: Set<Asset> = []
        for market in venue.markets {
            for asset in [market.key.symbol.base, market.key.symbol.quote]
            where staked.insert("\(market.venue.account) \(asset)").inserted {
                guard let usd = prices.usdValue(of: asset), usd > 0, usd.isFinite else {
                    unpriced.insert(asset)
                    continue
                }
                let amount = (stakeUSD / FixedDecimal(approximating: usd).rounded(digits: 10)).rounded(digits: 8, .down)
                stake.credit(asset, amount, at: market.venue.account)
            }
        }
        config.initialBalances = stake
        if !unpriced.isEmpty {
            config.alerts.append("no USD price in the recording for \(unpriced.sorted().map(\.code).joined(separator: ", ")): "
                                 + "no paper stake of it")
        }
        return config
    }
}

/// `[replay]` in config.toml: how a desk on a recording is set up.
struct ReplayDeskConfig {
    /// USD of each asset of the recording's pairs at each recorded venue, when the replay ledger is new.
    var stakeUSD = FixedDecimal(50_000)
    /// How long an order takes to reach a recorded venue.
    var latency: Duration = .milliseconds(50)

    static func parse(_ root: ConfigReader) throws -> ReplayDeskConfig {
        var config = ReplayDeskConfig()
        guard let table = try root.optionalTable("replay") else { return config }
        try table.allowOnly(["stake_usd", "latency_ms"])
        if table.has("stake_usd") { config.stakeUSD = try table.positiveDecimal("stake_usd", example: "50000") }
        if table.has("latency_ms") { config.latency = .milliseconds(try table.int("latency_ms", range: 0...60_000)) }
        return config
    }
}
