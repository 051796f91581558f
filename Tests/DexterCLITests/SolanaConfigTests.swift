import DexterCore
import DexterCrypto
import DexterSolana
import Testing

@testable import dexter

/// [chains.solana] read live and the venues of the "solana" connector: Jupiter's pairs by the desk's asset names, the
/// chain's knobs, and every mistake named at its line.
@Suite struct SolanaConfigTests {
    let base = ConfigTests()

    func config(chain: String = "rpc_urls = [\"https://sol.example/SECRET-KEY\"]", venue: String = Self.jupiter) -> String {
        base.replacing("[chains.solana]\ngas_token = \"SOL\"", with: "[chains.solana]\ngas_token = \"SOL\"\n" + chain) + venue
    }

    static let jupiter = """

        [venues.jup]
        kind = "dex"
        connector = "solana"
        chain = "solana"
        staleness_ms = 10000
        dex = "jupiter"
        symbols = ["SOL/USDC"]
        quote_sizes = ["5", "1", "20"]
        """

    @Test func aJupiterVenueReadsTheChainAndMakesTheDeskPaper() throws {
        let desk = try DeskConfig.parse(config(chain: """
            rpc_urls = ["https://sol.example/SECRET-KEY", "http://127.0.0.1:8899"]
            jupiter_url = "http://127.0.0.1:9000"
            wallet = "sol-trader"
            priority_percentile = 90
            max_priority_micro_lamports = 50000
            tokens = { BONK = "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263" }
            """), file: "config.toml")
        let chain = try #require(desk.solanaChain)
        #expect(chain.rpcURLs.count == 2 && chain.jupiterURL == "http://127.0.0.1:9000" && chain.wallet == "sol-trader")
        #expect(chain.priorityPercentile == 90 && chain.maxPriorityMicroLamports == 50_000)
        #expect(chain.tokens["USDC"]?.description == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
        #expect(chain.tokens["BONK"]?.description == "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263")
        let venue = try #require(desk.venues.first { $0.spec.id == "jup" })
        #expect(venue.solana?.symbols == [Symbol(base: "SOL", quote: "USDC")])
        #expect(venue.solana?.quoteSizes == [FixedDecimal(1), FixedDecimal(5), FixedDecimal(20)])
        #expect(venue.spec.kind == .dex(chain: "solana"))
        #expect(desk.engineConfig(user: "t").mode == .paper)
    }

    static let orca = """

        [venues.orca]
        kind = "dex"
        connector = "solana"
        chain = "solana"
        staleness_ms = 10000
        dex = "orca-whirlpool"

        [venues.orca.pools]
        "SOL/USDC" = { address = "Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE" }
        """

    @Test func aPoolVenueListsItsPoolsByAddressAndRoutesThroughItsDex() throws {
        let desk = try DeskConfig.parse(config(venue: Self.orca), file: "config.toml")
        let venue = try #require(desk.venues.first { $0.spec.id == "orca" }?.solana)
        #expect(venue.poolKind == .whirlpool && venue.jupiterLabel == "Whirlpool")
        #expect(venue.pools[Symbol(base: "SOL", quote: "USDC")]?.description == "Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE")
        #expect(venue.symbols == [Symbol(base: "SOL", quote: "USDC")])
        let raydium = try DeskConfig.parse(config(venue: Self.orca.replacingOccurrences(of: "orca-whirlpool", with: "raydium-cpmm")
                                                      .replacingOccurrences(of: "dex = \"raydium-cpmm\"", with: "dex = \"raydium-cpmm\"\njupiter_label = \"Raydium CPMM\"")),
                                          file: "config.toml")
        let cpmm = try #require(raydium.venues.first { $0.spec.id == "orca" }?.solana)
        #expect(cpmm.poolKind == .raydiumCPMM && cpmm.jupiterLabel == "Raydium CPMM")
    }

    @Test func mistakesAreNamedAtTheirLine() {
        func expectError(_ text: String, at fragment: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
            // The last line holding it: the documentation above holds examples of the same keys.
            let line = (text.split(separator: "\n", omittingEmptySubsequences: false).lastIndex { $0.contains(fragment) } ?? -1) + 1
            #expect(base.error(text) == "config.toml:\(line): \(message)", sourceLocation: sourceLocation)
        }
        var text = config(chain: "rpc_urls = [\"wss://sol.example\"]")
        expectError(text, at: "rpc_urls = [\"wss", "chains.solana.rpc_urls: expected an http(s):// URL, found \"wss://sol.example\"")
        text = config(chain: "rpc_urls = [\"https://a\"]\ntokens = { BONK = \"not-a-key\" }")
        expectError(text, at: "BONK", "chains.solana.tokens.BONK: expected the token's mint as a base-58 public key, found \"not-a-key\"")
        text = config(venue: Self.jupiter.replacingOccurrences(of: "dex = \"jupiter\"", with: "dex = \"orca\""))
        expectError(text, at: "dex = \"orca\"", "venues.jup.dex: the solana connector knows \"jupiter\", \"orca-whirlpool\", \"raydium-amm-v4\", \"raydium-cpmm\"; found \"orca\"")
        text = config(venue: Self.orca.replacingOccurrences(of: "Czfq3xZZDmsdGdUyrNLtRhGc47cXcZtLG4crryfu44zE", with: "0xabc"))
        expectError(text, at: "0xabc", "venues.orca.pools.SOL/USDC.address: expected the pool account's address (base-58), found \"0xabc\"")
        text = config(venue: Self.jupiter.replacingOccurrences(of: "[\"SOL/USDC\"]", with: "[\"WIF/USDC\"]"))
        expectError(text, at: "WIF/USDC", "venues.jup.symbols: WIF has no mint on solana: add it under [chains.solana.tokens]")
        text = config(chain: "wallet = \"x\"")
        expectError(text, at: "wallet = \"x\"", "chains.solana.wallet: wallet belongs to a chain read live: give rpc_urls too")
        text = config(chain: "", venue: Self.jupiter)
        expectError(text, at: "chain = \"solana\"", "venues.jup.chain: solana is not read live: give [chains.solana] its rpc_urls")
        text = config(venue: Self.jupiter.replacingOccurrences(of: "[\"5\", \"1\", \"20\"]", with: "[\"0\"]"))
        expectError(text, at: "quote_sizes", "venues.jup.quote_sizes: expected positive base amounts as strings, e.g. [\"1\", \"5\"], found \"0\"")
    }
}
