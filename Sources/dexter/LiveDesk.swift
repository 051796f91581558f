import ArgumentParser
import DexterCore
import DexterCrypto
import DexterEngine
import DexterEVM
import DexterSolana
import DexterMarket
import DexterVenues
import Foundation

struct LiveOptions: ParsableArguments {
    /// The modes a trader picks on the command line; SIM and REPLAY follow from the config and --replay.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case paper, live
    }

    @Flag(name: .long, help: """
        Trade for real on config.toml's live venues (LIVE mode): each venue's API key comes from your vault, the \
        venue is asked what the key may do, and you confirm by typing LIVE.
        """)
    var live = false

    @Option(name: .long, help: """
        paper: config.toml's live venues' market data, fills on paper against their books (the default when config \
        names live venues); live: the same as --live.
        """)
    var mode: Mode?

    var isLive: Bool { live || mode == .live }

    /// The desk's mode: `configured` (SIM, or PAPER when config names live venues) unless asked otherwise.
    func deskMode(configured: DeskMode, onRecording: Bool) throws -> DeskMode {
        if live, mode == .paper { throw ValidationError("--live and --mode paper contradict each other: choose one") }
        if isLive {
            guard !onRecording else { throw ValidationError("--live and --replay do not go together: a recording trades on paper") }
            return .live
        }
        if mode == .paper {
            guard !onRecording else { throw ValidationError("--mode paper and --replay do not go together: --replay is its own mode") }
            guard configured == .paper else {
                throw ValidationError("""
                    --mode paper watches config.toml's live venues and fills on paper, and it names none \
                    ([venues.NAME] with connector = "binance"); without them dexter runs on its embedded market (SIM)
                    """)
            }
        }
        return onRecording ? .replay : configured
    }
}

/// What a LIVE desk opens with, and the checks before it does: every live venue's API key from the vault (stored
/// with trade permission), what each venue says of the key and account, and the trader typing LIVE. Nothing is
/// sent to a venue but these reads before the confirmation.
struct LiveAccess {
    /// The keys by venue. Their secrets never leave this value but to sign.
    let credentials: [VenueId: APICredential]
    let keySuffixes: [VenueId: String]
    /// Each chain's signing wallet (`[chains.NAME] wallet`), for its evm venues.
    var walletKeys: [ChainId: EthereumPrivateKey] = [:]
    /// The Solana keypair (`[chains.solana] wallet`), for the solana venues.
    var solanaKeys: [ChainId: SolanaKeypair] = [:]

    /// Venues that sign with a wallet of the vault rather than an exchange's API key.
    static let walletConnectors: Set<String> = [VenueConnectors.evm, VenueConnectors.solana]

    static func open(_ config: DeskConfig, vault: Vault?) throws -> LiveAccess {
        let venues = config.liveVenues
        guard let first = venues.first else {
            throw ValidationError("""
                --live trades on config.toml's live venues, and it names none ([venues.NAME] with connector = "binance"); \
                without them dexter runs on its embedded market
                """)
        }
        if let paperOnly = venues.first(where: { !VenueConnectors.liveConnectors.contains($0.connector) }) {
            throw ValidationError("\(ConnectorError.liveNotAvailable(paperOnly.spec.id, connector: paperOnly.connector))")
        }
        guard let vault else {
            if let exchange = venues.first(where: { !walletConnectors.contains($0.connector) }) {
                throw ValidationError("--live needs each live venue's API key in your vault, and you have no vault: dexter keys add \(exchange.spec.id)")
            }
            throw ValidationError("--live signs \(first.spec.kind.chain.map { "\($0)" } ?? "chain") swaps with a wallet from your vault, "
                                  + "and you have no vault: dexter wallet new NAME, then wallet = \"NAME\" under the chain")
        }
        var credentials: [VenueId: APICredential] = [:], suffixes: [VenueId: String] = [:]
        let walletKeys = try chainWallets(config, vault: vault)
        let solanaKeys = try solanaWallet(config, vault: vault)
        for venue in venues where !walletConnectors.contains(venue.connector) {
            let id = venue.spec.id
            let info: APIKeyInfo, credential: APICredential
            do { (info, credential) = try APIKeys.read(vault, venue: id.name) } catch VaultError.notFound {
                throw ValidationError("--live needs an API key for \(id) in your vault: dexter keys add \(id)")
            }
            guard info.permissions.contains("trade") else {
                throw ValidationError("""
                    the \(id) key …\(info.keySuffix) is stored as \(info.permissions.joined(separator: ",")), without trade: \
                    dexter keys rotate \(id) with a key that may trade
                    """)
            }
            credentials[id] = credential
            suffixes[id] = info.keySuffix
        }
        return LiveAccess(credentials: credentials, keySuffixes: suffixes, walletKeys: walletKeys, solanaKeys: solanaKeys)
    }

    /// The key of every chain an evm venue trades on: the vault wallet `[chains.NAME] wallet` names, an EVM account
    /// with its key (a watched address cannot sign).
    static func chainWallets(_ config: DeskConfig, vault: Vault) throws -> [ChainId: EthereumPrivateKey] {
        var keys: [ChainId: EthereumPrivateKey] = [:]
        let chains = Set(config.liveVenues.filter { $0.connector == VenueConnectors.evm }.compactMap(\.spec.kind.chain))
        for chain in chains.sorted() {
            guard let name = config.liveChains[chain]?.wallet else {
                throw ValidationError("--live signs \(chain) swaps with a wallet from your vault, and [chains.\(chain)] names none: "
                                      + "add wallet = \"NAME\" (dexter wallet list shows yours; dexter wallet new NAME makes one)")
            }
            let info: WalletInfo
            var secret: [UInt8]
            do { (info, secret) = try Wallets.read(vault, name: name) } catch VaultError.notFound {
                throw ValidationError("[chains.\(chain)] wallet = \"\(name)\" is not in your vault: dexter wallet list shows yours")
            }
            defer { secret.wipe() }
            guard info.kind == .evm else {
                throw ValidationError("[chains.\(chain)] wallet \"\(name)\" is \(info.kind.rawValue), not an EVM account with its key")
            }
            keys[chain] = try EthereumPrivateKey(bytes: secret)
        }
        return keys
    }

    /// The keypair `[chains.solana] wallet` names, when a solana venue trades: a Solana keypair of the vault.
    static func solanaWallet(_ config: DeskConfig, vault: Vault) throws -> [ChainId: SolanaKeypair] {
        guard config.liveVenues.contains(where: { $0.connector == VenueConnectors.solana }), let chain = config.solanaChain else { return [:] }
        guard let name = chain.wallet else {
            throw ValidationError("--live signs solana swaps with a keypair from your vault, and [chains.solana] names none: "
                                  + "add wallet = \"NAME\" (dexter wallet new NAME --chain solana makes one)")
        }
        let info: WalletInfo
        var secret: [UInt8]
        do { (info, secret) = try Wallets.read(vault, name: name) } catch VaultError.notFound {
            throw ValidationError("[chains.solana] wallet = \"\(name)\" is not in your vault: dexter wallet list shows yours")
        }
        defer { secret.wipe() }
        guard info.kind == .solana else {
            throw ValidationError("[chains.solana] wallet \"\(name)\" is \(info.kind.rawValue), not a Solana keypair")
        }
        return [chain.chain: try SolanaKeypair(seed: secret)]
    }

    /// Asks every live venue about its key and account and prints what each said. A key that may not trade stops
    /// the start; one that may withdraw is warned about, here and on the screen (the returned alerts).
    func check(_ venues: VenueSet) async throws -> [String] {
        var alerts: [String] = []
        var lines = ["", "LIVE: dexter will send real orders with real money."]
        for client in venues.executionClients {
            guard let checking = client as? any AccountChecking else { continue }
            let check: AccountCheck
            do { check = try await checking.checkAccount() } catch {
                throw ValidationError("\(client.venueIds.map(\.name).joined(separator: ", ")): the account could not be checked: \(error)")
            }
            let key = "key …\(keySuffixes[check.venue] ?? "?")"
            guard check.canTrade else {
                throw ValidationError("\(check.venue) does not let \(key) trade spot: enable spot trading for it at \(check.venue), then start again")
            }
            let fee = check.takerFee.map { "taker \(($0 * FixedDecimal(100)).description) %" } ?? "taker fee unknown"
            let offset = Int(check.clockOffset.secondsDouble * 1000)
            lines.append("  \(check.venue)  \(key)  trade yes  withdraw \(check.canWithdraw.map { $0 ? "YES" : "no" } ?? "unknown (\(check.venue) does not say)")  \(fee)  clock \(offset >= 0 ? "+" : "")\(offset) ms")
            let held = check.balances.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("      holds " + (held.isEmpty ? "nothing" : held.joined(separator: ", ")))
            if check.canWithdraw == true {
                let warning = "\(check.venue) API \(key) can WITHDRAW: an arbitrage desk never needs that; remove the permission at \(check.venue)"
                lines.append("  WARNING: " + warning)
                alerts.append(warning)
            }
        }
        for client in venues.executionClients {
            guard let chain = client as? EVMLiveVenue, let first = chain.venueIds.first else { continue }
            let settings = chain.feed.chain
            let held: [Asset: FixedDecimal]
            do { held = try await chain.balances(on: first) } catch {
                throw ValidationError("\(settings.chain): the wallet's balances could not be read: \(error)")
            }
            let route = settings.privateSubmission.map { "private relay (\($0.method.rawValue))" } ?? "public mempool"
            lines.append("  \(settings.chain)  wallet \(chain.wallet.checksummed)  \(chain.venueIds.map(\.name).joined(separator: ", "))  sends by \(route)")
            lines.append("      holds " + held.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for client in venues.executionClients {
            guard let venue = client as? SolanaLiveVenue, let first = venue.venueIds.first else { continue }
            let held: [Asset: FixedDecimal]
            do { held = try await venue.balances(on: first) } catch {
                throw ValidationError("solana: the wallet's balances could not be read: \(error)")
            }
            lines.append("  solana  wallet \(venue.wallet)  \(venue.venueIds.map(\.name).joined(separator: ", "))  swaps via Jupiter")
            lines.append("      holds " + held.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        return alerts
    }

    /// The trader types LIVE, or nothing starts.
    static func confirm() throws {
        let typed = try SecretPrompt.readVisible("Type LIVE to trade for real (anything else quits)")
        guard typed == "LIVE" else { throw ValidationError("not confirmed (typed \"\(typed.prefix(20))\", not LIVE): nothing was sent") }
    }
}
