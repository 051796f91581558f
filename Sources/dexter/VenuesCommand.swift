import ArgumentParser
import DexterCEX
import DexterCore
import DexterCrypto
import DexterEVM
import DexterVenues
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

        @Flag(name: .long, help: "Also unlock your vault and ask each venue what its stored API key may do.")
        var keys = false

        @Option(name: .long, help: "Whose vault (default: config's user, then the OS user).")
        var user: String?

        func run() async throws {
            let config = try desk.load()
            let live = config.liveVenues
            guard !live.isEmpty else {
                print("no live venue in config.toml: every venue is served by the embedded simulator (SIM)")
                return
            }
            let userName = user ?? config.user ?? Paths.osUser
            try VaultAccess.checkUserName(userName)
            // The keys' public parts need no passphrase; asking the venue about one does.
            let stored = (try? APIKeys.list(at: Paths.vault(user: userName))) ?? []
            let vault = keys && Vault.exists(at: Paths.vault(user: userName)) ? try VaultAccess.open(user: userName, create: false) : nil
            var good = true
            for venue in live {
                switch venue.connector {
                case VenueConnectors.binance:
                    var settings = venue.binanceSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await BinanceCheck.run(settings)
                    check.lines.forEach { print($0) }
                    good = good && check.allGood
                    guard check.reachable else { continue }
                    let keyLine = await Self.keyLine(venue.spec.id, stored: stored.first { $0.venue == venue.spec.id.name },
                                                     vault: vault) { credential in
                        try await BinanceLiveVenue(settings: settings, credentials: BinanceCredentials(apiKey: credential.apiKey,
                                                                                                        secret: credential.secret))
                            .checkAccount()
                    }
                    print("  " + keyLine.text)
                    good = good && keyLine.good
                case VenueConnectors.okx:
                    var settings = venue.okxSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await Self.okx(settings, stored: stored.first { $0.venue == venue.spec.id.name }, vault: vault)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.kraken:
                    var settings = venue.krakenSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await Self.kraken(settings, stored: stored.first { $0.venue == venue.spec.id.name }, vault: vault)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.coinbase:
                    var settings = venue.coinbaseSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await Self.coinbase(settings, stored: stored.first { $0.venue == venue.spec.id.name }, vault: vault)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.binanceUSDM:
                    var settings = venue.binanceUSDMSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await Self.binanceUSDM(settings, stored: stored.first { $0.venue == venue.spec.id.name }, vault: vault)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.bybit:
                    var settings = venue.bybitSettings
                    settings.requestTimeout = .seconds(5)
                    let check = await Self.bybit(settings, stored: stored.first { $0.venue == venue.spec.id.name }, vault: vault)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.evm:
                    let check = await Self.evm(venue, chain: config.liveChains[venue.spec.kind.chain ?? ChainId("")])
                    check.lines.forEach { print($0) }
                    good = good && check.good
                case VenueConnectors.solana:
                    let check = await Self.solana(venue, chain: config.solanaChain)
                    check.lines.forEach { print($0) }
                    good = good && check.good
                default:
                    print("\(venue.spec.id): connector \(venue.connector) has no check yet")
                }
            }
            if !good { throw ExitCode(1) }
        }

        /// An evm venue: its chain reachable on every URL with the right chain id, each pool found through the
        /// factory (CREATE2-checked where the deployment allows) and read at the newest block, and the gas price now.
        static func evm(_ venue: ConfiguredVenue, chain: EVMChainSettings?) async -> (lines: [String], good: Bool) {
            guard let chain, let evm = venue.evm else { return (["\(venue.spec.id): its chain is not read live"], false) }
            var lines = ["\(venue.spec.id) (\(evm.dex ?? evm.deployment.protocolKind.rawValue) on \(chain.chain), chain id \(chain.chainId), "
                         + "at \(chain.rpcURLs.map(redactedURL).joined(separator: ", ")))"]
            let start = ContinuousClock.now
            do {
                let feed = try EVMMarketFeed(chain: chain, pools: venue.watchedPools, requestTimeout: .seconds(5))
                for instrument in try await feed.instruments() {
                    let market = instrument.market
                    let fee = venue.evm?.pools[market.instrument.symbol]?.feePips.map { " \(FixedDecimal($0) / FixedDecimal(10_000))%" } ?? ""
                    let mid = market.mid.map { String(format: "%.6g", $0) } ?? "no price"
                    lines.append("  \(market.instrument.symbol)\(fee): pool \(instrument.poolAddress ?? "?"), mid \(mid), "
                                 + "\(market.gasUnits) gas a swap (\(feed.gasUnits(market.key)?.source.description ?? "configured"))")
                }
                let gas = try await feed.currentGas().first.map { "\($0.price) gwei" } ?? "unknown"
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms; gas \(gas)"
                if let heads = await feed.checkHeadSubscription() {
                    guard heads.isSubscribed else { return (lines + ["  PROBLEM: new heads \(heads)"], false) }
                    lines.append("  \(heads)")
                }
                if let disagreement = feed.disagreements[venue.spec.id] { return (lines + ["  PROBLEM: \(disagreement)"], false) }
                let judge = switch evm.deployment.protocolKind {
                case .uniswapV3: "QuoterV2"
                case .curve: "the pool's get_dy"
                case .balancerWeighted: "the Vault's queryBatchSwap"
                default: "the router's getAmountsOut"
                }
                return (lines + ["  quotes equal \(judge)'s to the unit, both ways"], true)
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
        }

        /// A Binance USDⓈ-M venue: reachable, each perpetual's rules and margin terms, then what it says of the stored key
        /// (with --keys: trading, the taker rate, one-way position mode).
        static func binanceUSDM(_ settings: BinanceUSDMSettings, stored: APIKeyInfo?, vault: Vault?) async
            -> (lines: [String], good: Bool) {
            var lines = ["\(settings.venue.id) (binance-usdm at \(settings.restURL))"]
            let start = ContinuousClock.now
            do {
                for instrument in try await BinanceUSDMMarketFeed(settings: settings).instruments() {
                    let spec = instrument.market.instrument
                    let margin = spec.margin.map { " max leverage \($0.maxLeverage) maintenance \($0.maintenanceRate)" }
                        ?? ""
                    lines.append("  \(spec.symbol): tick \(spec.tickSize) lot \(spec.lotSize) min qty \(spec.minQuantity) "
                                 + "min notional \(spec.minNotional)\(margin)")
                }
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
            let key = await keyLine(settings.venue.id, stored: stored, vault: vault) { credential in
                let live = try BinanceUSDMLiveVenue(feed: BinanceUSDMMarketFeed(settings: settings),
                                                    credentials: BinanceCredentials(apiKey: credential.apiKey, secret: credential.secret))
                return try await live.checkAccount()
            }
            return (lines + ["  " + key.text], key.good)
        }

        /// A Bybit venue: reachable, each perpetual's grid and margin terms, then what it says of the stored key (with
        /// --keys: the clock, one-way position mode, the taker rate, balances).
        static func bybit(_ settings: BybitSettings, stored: APIKeyInfo?, vault: Vault?) async -> (lines: [String], good: Bool) {
            var lines = ["\(settings.venue.id) (bybit at \(settings.restURL))"]
            let start = ContinuousClock.now
            do {
                for instrument in try await BybitMarketFeed(settings: settings).instruments() {
                    let spec = instrument.market.instrument
                    let margin = spec.margin.map { " max leverage \($0.maxLeverage) maintenance \($0.maintenanceRate)" } ?? ""
                    lines.append("  \(spec.symbol): tick \(spec.tickSize) lot \(spec.lotSize) min notional \(spec.minNotional)\(margin)")
                }
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
            let key = await keyLine(settings.venue.id, stored: stored, vault: vault) { credential in
                let live = try BybitLiveVenue(feed: BybitMarketFeed(settings: settings),
                                              credentials: BybitCredentials(apiKey: credential.apiKey, secret: credential.secret))
                defer { live.stop() }
                return try await live.checkAccount()
            }
            return (lines + ["  " + key.text], key.good)
        }

        /// An OKX venue: reachable and its markets' rules, then what it says of the stored key (with --keys).
        static func okx(_ settings: OKXSettings, stored: APIKeyInfo?, vault: Vault?) async -> (lines: [String], good: Bool) {
            let venue = settings.venue.id
            var lines = ["\(venue) (okx at \(settings.restURL))"]
            let start = ContinuousClock.now
            do {
                for instrument in try await OKXMarketFeed(settings: settings).instruments() {
                    let spec = instrument.market.instrument
                    lines.append("  \(spec.symbol): tick \(spec.tickSize) lot \(spec.lotSize)")
                }
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
            let key = await keyLine(venue, stored: stored, vault: vault) { credential in
                guard let passphrase = credential.passphrase else { throw ConnectorError.passphraseMissing(venue) }
                let live = try OKXLiveVenue(marketData: OKXMarketFeed(settings: settings),
                                            settings: OKXExecutionSettings(venue: venue, restURL: settings.restURL,
                                                                           privateURL: settings.privateURL),
                                            credentials: OKXCredentials(apiKey: credential.apiKey, secret: credential.secret,
                                                                        passphrase: passphrase))
                defer { live.stop() }
                return try await live.checkAccount()
            }
            return (lines + ["  " + key.text], key.good)
        }

        /// A Kraken venue: reachable and its pairs' rules (Kraken's name, decimals, minimums, status).
        static func kraken(_ settings: KrakenSettings, stored: APIKeyInfo?, vault: Vault?) async -> (lines: [String], good: Bool) {
            let venue = settings.venue.id
            var lines = ["\(venue) (kraken at \(settings.restURL))"]
            let start = ContinuousClock.now
            do {
                let feed = KrakenMarketFeed(settings: settings)
                for instrument in try await feed.instruments() {
                    let spec = instrument.market.instrument
                    guard let pair = feed.pair(spec.symbol) else { continue }
                    let minimums = [pair.orderMinimum.map { "min qty \($0)" }, pair.costMinimum.map { "min cost \($0)" }]
                        .compactMap { $0 }.joined(separator: " ")
                    lines.append("  \(spec.symbol) (\(pair.key)): tick \(spec.tickSize) lot \(spec.lotSize) \(minimums)")
                }
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
            let key = await keyLine(venue, stored: stored, vault: vault) { credential in
                let live = try KrakenLiveVenue(marketData: KrakenMarketFeed(settings: settings),
                                               settings: KrakenExecutionSettings(venue: venue, restURL: settings.restURL,
                                                                                 privateURL: settings.privateURL),
                                               credentials: KrakenCredentials(apiKey: credential.apiKey, secret: credential.secret))
                defer { live.stop() }
                return try await live.checkAccount()
            }
            return (lines + ["  " + key.text], key.good)
        }

        /// A Coinbase venue: reachable and its products' rules (grid, minimums, whether a taker order can go).
        static func coinbase(_ settings: CoinbaseSettings, stored: APIKeyInfo?, vault: Vault?) async -> (lines: [String], good: Bool) {
            var lines = ["\(settings.venue.id) (coinbase at \(settings.restURL))"]
            let start = ContinuousClock.now
            do {
                let feed = CoinbaseMarketFeed(settings: settings)
                for instrument in try await feed.instruments() {
                    let spec = instrument.market.instrument
                    guard let product = feed.product(spec.symbol) else { continue }
                    lines.append("  \(spec.symbol) (\(product.productId)): tick \(spec.tickSize) lot \(spec.lotSize) "
                                 + "min size \(product.baseMinSize) min cost \(product.quoteMinSize)")
                }
                lines[0] += " reachable in \(Int((ContinuousClock.now - start).secondsDouble * 1000)) ms"
            } catch {
                return (lines + ["  PROBLEM: \(error)"], false)
            }
            let key = await keyLine(settings.venue.id, stored: stored, vault: vault) { credential in
                let live = try CoinbaseLiveVenue(marketData: CoinbaseMarketFeed(settings: settings), settings: settings.execution,
                                                 credentials: credential.coinbase)
                defer { live.stop() }
                return try await live.checkAccount()
            }
            return (lines + ["  " + key.text], key.good)
        }

        /// One line on what a venue said of a key: it trades, whether it may withdraw (where the venue says), its fee.
        private static func verdict(_ name: String, _ check: AccountCheck) -> (text: String, good: Bool) {
            let fee = check.takerFee.map { ", taker \(($0 * FixedDecimal(100)).description) %" } ?? ""
            let withdraw = check.canWithdraw.map { $0 ? "YES" : "no" } ?? "unknown (\(check.venue) does not say)"
            let text = "\(name): valid; trade \(check.canTrade ? "yes" : "NO"), withdraw \(withdraw)\(fee)"
                + (check.canWithdraw == true ? "  WARNING: an arbitrage desk never needs withdrawals; remove the permission" : "")
                + (check.canTrade ? "" : "  PROBLEM: LIVE needs trading enabled for this key")
            return (text, check.canTrade)
        }

        /// What the venue says of the stored key (with --keys: `ask` opens the venue with it), or that one is stored.
        static func keyLine(_ venue: VenueId, stored: APIKeyInfo?, vault: Vault?,
                            ask: (APICredential) async throws -> AccountCheck) async -> (text: String, good: Bool) {
            guard let stored else { return ("key: none stored (PAPER only; dexter keys add \(venue) for LIVE)", true) }
            let name = "key …\(stored.keySuffix)"
            guard let vault else { return ("\(name) stored (\(stored.permissions.joined(separator: ","))); --keys asks \(venue) what it may do", true) }
            do {
                let (_, credential) = try APIKeys.read(vault, venue: venue.name)
                return verdict(name, try await ask(credential))
            } catch {
                return ("\(name): PROBLEM: \(error)", false)
            }
        }
    }
}
