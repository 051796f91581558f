import DexterCore
import DexterCrypto
import DexterEVM
import DexterMarket
import DexterSolana

/// A Solana venue served by the "solana" connector: Jupiter's quotes for its pairs at a ladder of base sizes, or one
/// DEX's pools read from their accounts.
struct SolanaVenueSettings {
    var symbols: [Symbol]
    /// Base amounts quoted each poll, ascending: the book's levels (the jupiter venue).
    var quoteSizes: [FixedDecimal]
    /// A pool venue's program, and its pools by pair; nil for the jupiter venue.
    var poolKind: SolanaPoolKind? = nil
    var pools: [Symbol: SolanaPublicKey] = [:]
    /// The DEX's label in Jupiter's routes, which a pool venue's LIVE orders are limited to.
    var jupiterLabel: String? = nil

    /// The pool venues dexter reads, by `dex`, with Jupiter's label for each.
    static let poolDexes: [String: (kind: SolanaPoolKind, label: String)] = [
        "orca-whirlpool": (.whirlpool, "Whirlpool"), "raydium-cpmm": (.raydiumCPMM, "Raydium CP"),
        "raydium-amm-v4": (.raydiumAMMv4, "Raydium"),
    ]
}

/// `[chains.solana]` with `rpc_urls`, and the "solana" connector's venues.
extension DeskConfig {
    static let solanaChainKeys: Set<String> = ["gas_token", "rpc_urls", "ws_urls", "wallet", "jupiter_url", "tokens",
                                               "priority_percentile", "max_priority_micro_lamports",
                                               "compute_margin_percent", "poll_ms"]

    /// The chain named `solana` is a Solana cluster; every other chain is an EVM chain.
    static func isSolana(_ chain: String) -> Bool { chain == "solana" }

    /// `[chains.solana]` read live when it has `rpc_urls`; nil otherwise (the embedded market's chain).
    static func parseSolanaChain(_ chain: ConfigReader, gasToken: Asset) throws -> SolanaChainSettings? {
        try chain.allowOnly(solanaChainKeys)
        guard chain.has("rpc_urls") else {
            for key in solanaChainKeys.subtracting(["gas_token"]) where chain.has(key) {
                throw chain.error(key, "\(key) belongs to a chain read live: give rpc_urls too")
            }
            return nil
        }
        let urls = try chain.strings("rpc_urls")
        guard !urls.isEmpty else { throw chain.error("rpc_urls", "list at least one JSON-RPC URL") }
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw chain.error("rpc_urls", "expected an http(s):// URL, found \"\(redactedURL(url))\"")
        }
        let wsURLs = chain.has("ws_urls") ? try chain.strings("ws_urls") : []
        for url in wsURLs where !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw chain.error("ws_urls", "expected a ws(s):// URL, found \"\(redactedURL(url))\"")
        }
        var settings = SolanaChainSettings(chain: ChainId("solana"), gasToken: gasToken, rpcURLs: urls, wsURLs: wsURLs)
        if let url = try chain.optionalString("jupiter_url") {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw chain.error("jupiter_url", "expected an http(s):// URL, found \"\(redactedURL(url))\"")
            }
            settings.jupiterURL = url
        }
        if let table = try chain.optionalTable("tokens") {
            for asset in table.keys {
                let text = try table.string(asset)
                do { settings.tokens[Asset(asset)] = try SolanaPublicKey(base58: text) } catch {
                    throw table.error(asset, "expected the token's mint as a base-58 public key, found \"\(text.prefix(60))\"")
                }
            }
        }
        settings.priorityPercentile = try chain.optionalInt("priority_percentile", range: 0...100) ?? settings.priorityPercentile
        if let cap = try chain.optionalInt("max_priority_micro_lamports", range: 0...1_000_000_000) { settings.maxPriorityMicroLamports = UInt64(cap) }
        if let margin = try chain.optionalInt("compute_margin_percent", range: 0...400) { settings.computeMarginPercent = UInt64(margin) }
        settings.pollInterval = .milliseconds(try chain.optionalInt("poll_ms", range: 100...600_000) ?? 2_000)
        if let wallet = try chain.optionalString("wallet") {
            try checkWalletName(chain, wallet)
            settings.wallet = wallet
        }
        return settings
    }

    static let solanaVenueKeys: Set<String> = ["kind", "connector", "chain", "staleness_ms", "dex", "symbols", "quote_sizes"]
    static let solanaPoolVenueKeys: Set<String> = ["kind", "connector", "chain", "staleness_ms", "dex", "pools", "jupiter_label"]

    /// A "solana" venue: `dex = "jupiter"` (the aggregator, whose quotes are its market and whose swaps are its orders),
    /// `symbols` of tokens under [chains.solana.tokens] (SOL, USDC and USDT are known), `quote_sizes` in base units
    /// of the first symbol's base.
    static func parseSolanaVenue(_ venue: ConfigReader, chain: SolanaChainSettings) throws -> SolanaVenueSettings {
        let dex = try venue.string("dex")
        if let pool = SolanaVenueSettings.poolDexes[dex] { return try parseSolanaPoolVenue(venue, chain: chain, kind: pool.kind, label: pool.label) }
        try venue.allowOnly(solanaVenueKeys)
        guard dex == "jupiter" else {
            let known = (["jupiter"] + SolanaVenueSettings.poolDexes.keys.sorted()).map { "\"\($0)\"" }.joined(separator: ", ")
            throw venue.error("dex", "the solana connector knows \(known); found \"\(dex)\"")
        }
        let symbols = try venue.strings("symbols").map { try venue.symbol($0, key: "symbols") }
        guard !symbols.isEmpty else { throw venue.error("symbols", "list at least one pair, e.g. [\"SOL/USDC\"]") }
        for symbol in symbols {
            for asset in [symbol.base, symbol.quote] where chain.tokens[asset] == nil {
                throw venue.error("symbols", "\(asset) has no mint on solana: add it under [chains.solana.tokens]")
            }
        }
        var sizes: [FixedDecimal] = []
        if venue.has("quote_sizes") {
            for text in try venue.strings("quote_sizes") {
                guard let size = try? FixedDecimal(parsing: text), size.isPositive else {
                    throw venue.error("quote_sizes", "expected positive base amounts as strings, e.g. [\"1\", \"5\"], found \"\(text)\"")
                }
                sizes.append(size)
            }
        } else {
            sizes = [FixedDecimal(1), FixedDecimal(5), FixedDecimal(20)]
        }
        guard !sizes.isEmpty, sizes.count <= 8 else {
            throw venue.error("quote_sizes", "list one to eight sizes: each is two Jupiter quotes per poll")
        }
        return SolanaVenueSettings(symbols: symbols, quoteSizes: sizes.sorted())
    }

    /// A pool venue: its pools by pair, each by its account's address (`"SOL/USDC" = { address = "…" }`).
    static func parseSolanaPoolVenue(_ venue: ConfigReader, chain: SolanaChainSettings, kind: SolanaPoolKind,
                                     label: String) throws -> SolanaVenueSettings {
        try venue.allowOnly(solanaPoolVenueKeys)
        let table = try venue.table("pools")
        var pools: [Symbol: SolanaPublicKey] = [:]
        for pair in table.keys.sorted() {
            let symbol = try table.symbol(pair, key: pair)
            for asset in [symbol.base, symbol.quote] where chain.tokens[asset] == nil {
                throw table.error(pair, "\(asset) has no mint on solana: add it under [chains.solana.tokens]")
            }
            let pool = try table.table(pair)
            try pool.allowOnly(["address"])
            let text = try pool.string("address")
            do { pools[symbol] = try SolanaPublicKey(base58: text) } catch {
                throw pool.error("address", "expected the pool account's address (base-58), found \"\(text.prefix(60))\"")
            }
        }
        guard !pools.isEmpty else {
            throw venue.error("pools", "list at least one pool, e.g. \"SOL/USDC\" = { address = \"Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE\" }")
        }
        return SolanaVenueSettings(symbols: pools.keys.sorted { $0.description < $1.description }, quoteSizes: [],
                                   poolKind: kind, pools: pools, jupiterLabel: try venue.optionalString("jupiter_label") ?? label)
    }

    static func checkWalletName(_ chain: ConfigReader, _ wallet: String) throws {
        let usable = !wallet.isEmpty && wallet.count <= 40 && wallet.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        guard usable else {
            throw chain.error("wallet", "\"\(wallet.prefix(40))\" is not a wallet name (a-z, 0-9, '-', '_'): dexter wallet list shows yours")
        }
    }
}
