import ArgumentParser
import DexterCEX
import Foundation

/// `dexter venues check`: what works, venue by venue, in one screen.
struct VenuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venues", abstract: "Check the configured live venues: reachable, clock, limits, markets.",
        subcommands: [Check.self], defaultSubcommand: Check.self)

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask every live venue in config.toml what works: reachable and how fast, clock offset, "
                + "rate-limit headroom, each market's filters and best bid/ask. Exits 1 when something does not.")

        @OptionGroup var desk: DeskOptions

        func run() async throws {
            let config = try desk.load()
            let live = config.liveVenues
            guard !live.isEmpty else {
                print("no live venue in config.toml: every venue is served by the embedded simulator (SIM)")
                return
            }
            var good = true
            for venue in live {
                switch venue.connector {
                case VenueConnectors.binance:
                    var settings = BinanceSettings(venue: venue.spec, symbols: venue.symbols)
                    if let url = venue.endpoints["rest_url"] { settings.restURL = url }
                    settings.requestTimeout = .seconds(5)
                    let check = await BinanceCheck.run(settings)
                    check.lines.forEach { print($0) }
                    good = good && check.allGood
                default:
                    print("\(venue.spec.id): connector \(venue.connector) has no check yet")
                }
            }
            if !good { throw ExitCode(1) }
        }
    }
}
