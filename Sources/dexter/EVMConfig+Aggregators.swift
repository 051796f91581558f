import DexterCore
import DexterCrypto
import DexterEVM

/// `[chains.NAME.aggregators.oneinch]` and `[chains.NAME.aggregators.zeroex]`: aggregators asked for the chain's pool
/// pairs as reference price sources.
///   api_key_env = "ONEINCH_API_KEY"  the environment variable holding the API key (never in config); without it,
///                                    the key stored in the vault under "1inch" / "0x" (dexter keys add 1inch)
///   url = "https://api.1inch.dev"    the API's base URL (1inch's / 0x's own by default)
///   refresh_ms = 10000               every pair asked again this often
///   staleness_ms = 60000             an answer older than this is stale in the reference price
///   weight = 1.0                     its say in the reference's weighted median (a market's is 1)
///   quote_size = "1"                 the amount of each pair's base asset it is asked to sell
///   timeout_ms = 5000                how long one request may take
///   execute = false                  LIVE sells may go through its transactions when they pay at least the pool
///   router = "0x…"                   the only address its transactions may go to (default: the documented one)
///   spender = "0x…"                  the contract approved for them (default: the documented one)
extension DeskConfig {
    static let aggregatorTables: [String: AggregatorSource] = ["oneinch": .oneInch, "zeroex": .zeroEx]
    static let aggregatorKeys: Set<String> = ["api_key_env", "url", "refresh_ms", "staleness_ms", "weight", "quote_size",
                                              "timeout_ms", "execute", "router", "spender"]

    /// A POSIX-ish environment variable name: letters, digits and '_', not starting with a digit.
    static func isVariableName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 100 && !(text.first?.isNumber ?? true) && text.unicodeScalars.allSatisfy {
            ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    /// The vault's API key of every aggregator a live chain takes its key from the vault for (no api_key_env); an
    /// aggregator with no key stored is left out (the desk's start then says how to add one).
    static func aggregatorVaultKeys(_ config: DeskConfig, vault: Vault) throws -> [AggregatorSource: String] {
        var keys: [AggregatorSource: String] = [:]
        let wanted = Set(config.liveChains.values.flatMap(\.aggregators).filter { $0.apiKeyVariable == nil }.map(\.source))
        for source in wanted.sorted(by: { $0.rawValue < $1.rawValue }) {
            do { keys[source] = try APIKeys.read(vault, venue: source.rawValue).1.apiKey } catch VaultError.notFound { continue }
        }
        return keys
    }

    static func parseAggregators(_ chain: ConfigReader) throws -> [AggregatorSettings] {
        guard let tables = try chain.optionalTable("aggregators") else { return [] }
        try tables.allowOnly(Set(aggregatorTables.keys))
        return try tables.keys.sorted().map { name in
            let table = try tables.table(name)
            try table.allowOnly(aggregatorKeys)
            let source = aggregatorTables[name]!
            let variable = try table.optionalString("api_key_env")
            if let variable, !isVariableName(variable) {
                // A key pasted here by mistake is not echoed back: only its length is.
                throw table.error("api_key_env", "expected the name of an environment variable (letters, digits, '_'), "
                                  + "not the key itself (a value of \(variable.count) characters was given)")
            }
            let url = try table.optionalString("url")
            if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                throw table.error("url", "expected an http(s):// URL, found \"\(redactedURL(url))\"")
            }
            let refresh = try table.optionalInt("refresh_ms", range: 100...3_600_000) ?? 10_000
            let staleness = try table.optionalInt("staleness_ms", range: 100...86_400_000) ?? 60_000
            guard staleness >= refresh else {
                throw table.error("staleness_ms", "\(staleness) ms is shorter than refresh_ms (\(refresh) ms): every "
                                  + "answer would go stale before the next one comes")
            }
            var settings = AggregatorSettings(
                source: source, url: url, apiKeyVariable: variable, refreshInterval: .milliseconds(refresh),
                stalenessBound: .milliseconds(staleness), weight: try table.optionalDouble("weight", range: 0.01...100) ?? 1,
                quoteSize: table.has("quote_size") ? try table.positiveDecimal("quote_size", example: "1") : .one,
                timeout: .milliseconds(try table.optionalInt("timeout_ms", range: 100...60_000) ?? 5_000))
            settings.execute = try table.optionalBool("execute") ?? false
            for key in ["router", "spender"] where table.has(key) {
                let text = try table.string(key)
                let address: EthereumAddress
                do { address = try EthereumAddress(parsing: text) } catch { throw table.error(key, "\(error)") }
                if key == "router" { settings.contracts.router = address } else { settings.contracts.spender = address }
            }
            return settings
        }
    }
}
