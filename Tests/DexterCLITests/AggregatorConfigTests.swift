import DexterCore
import DexterCrypto
import DexterEVM
import Foundation
import Testing

@testable import dexter

/// `[chains.NAME.aggregators.oneinch]` / `.zeroex`: reference price sources with their own refresh, staleness, weight
/// and size, the key from the environment only; every mistake named at its line, a key pasted by mistake not echoed.
@Suite struct AggregatorConfigTests {
    let chains = EVMConfigTests()

    func config(_ aggregators: String) -> String {
        chains.config(venue: EVMConfigTests.uniswap) + "\n" + aggregators
    }

    @Test func aggregatorsAreReadWithTheirDefaults() throws {
        let desk = try DeskConfig.parse(config("""
            [chains.ethereum.aggregators.oneinch]
            api_key_env = "ONEINCH_API_KEY"
            weight = 0.5
            quote_size = "0.25"
            refresh_ms = 2000

            [chains.ethereum.aggregators.zeroex]
            api_key_env = "ZEROEX_API_KEY"
            url = "http://127.0.0.1:9999"
            staleness_ms = 30000
            execute = true
            router = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
            """), file: "config.toml")
        let chain = try #require(desk.liveChains["ethereum"])
        let oneInch = try #require(chain.aggregators.first { $0.source == .oneInch })
        #expect(oneInch.url == "https://api.1inch.dev" && oneInch.apiKeyVariable == "ONEINCH_API_KEY")
        #expect(oneInch.weight == 0.5 && oneInch.quoteSize == FixedDecimal("0.25")!)
        #expect(oneInch.refreshInterval == .seconds(2) && oneInch.stalenessBound == .seconds(60))
        let zeroEx = try #require(chain.aggregators.first { $0.source == .zeroEx })
        #expect(zeroEx.url == "http://127.0.0.1:9999" && zeroEx.weight == 1 && zeroEx.quoteSize == .one)
        #expect(zeroEx.refreshInterval == .seconds(10) && zeroEx.stalenessBound == .seconds(30))
        #expect(zeroEx.timeout == .seconds(5))
        // LIVE routing is opt-in; the router and spender default to the documented contracts.
        #expect(!oneInch.execute && oneInch.contracts == .documented(.oneInch))
        #expect(oneInch.contracts.router.checksummed == "0x111111125421cA6dc452d289314280a0f8842A65")
        #expect(zeroEx.execute && zeroEx.contracts.router.checksummed == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        #expect(zeroEx.contracts.spender.checksummed == "0x0000000000001fF3684f28c67538d4D072C22734")

        // The keys come from the environment; a missing one stops the start naming the variable, not a key.
        let feeds = try chain.aggregatorFeeds(environment: ["ONEINCH_API_KEY": "k1", "ZEROEX_API_KEY": "k2"])
        #expect(feeds.map(\.source) == [.oneInch, .zeroEx] && feeds[0].weight == 0.5)
        #expect(feeds[0].execution == nil && feeds[1].execution == zeroEx.contracts)
        #expect(throws: AggregatorKeyMissing.self) { try chain.aggregatorFeeds(environment: ["ONEINCH_API_KEY": "k1"]) }
        do {
            _ = try chain.aggregatorFeeds(environment: ["ZEROEX_API_KEY": ""])
        } catch {
            #expect(error.description == "[chains.ethereum.aggregators.oneinch]: the API key is read from the environment "
                    + "variable ONEINCH_API_KEY, which is not set (or empty): export it before starting dexter")
        }
        // None configured: none polled.
        #expect(try DeskConfig.parse(chains.config(venue: EVMConfigTests.uniswap), file: "config.toml")
            .liveChains["ethereum"]?.aggregators.isEmpty == true)
    }

    /// Without api_key_env the key is the vault's, stored under the aggregator's name (`dexter keys add 1inch`: a
    /// key and no secret); a key in the environment is not looked for there.
    @Test func aKeyFromTheVault() throws {
        let desk = try DeskConfig.parse(config("""
            [chains.ethereum.aggregators.oneinch]
            weight = 2

            [chains.ethereum.aggregators.zeroex]
            api_key_env = "ZEROEX_API_KEY"
            """), file: "config.toml")
        let chain = try #require(desk.liveChains["ethereum"])
        #expect(chain.aggregators.first { $0.source == .oneInch }?.apiKeyVariable == nil)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dexter-aggkeys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let vault = try Vault.create(at: root.appendingPathComponent("alice"), user: "alice",
                                     passphrase: Array("pass phrase".utf8), kdf: Vault.KDF.fresh(n: 1 << 10))
        #expect(try DeskConfig.aggregatorVaultKeys(desk, vault: vault).isEmpty)
        do {
            _ = try chain.aggregatorFeeds(environment: ["ZEROEX_API_KEY": "k2"])
            Issue.record("a missing vault key was not refused")
        } catch {
            #expect(error.description == "[chains.ethereum.aggregators.oneinch]: no API key: store one in your vault "
                    + "(dexter keys add 1inch), or name the environment variable that holds it with api_key_env")
        }
        #expect(try KeysCommand.checkVenue("1inch", config: desk) == "1inch")
        _ = try APIKeys.add(vault, venue: "1inch", credential: APICredential(apiKey: "oneinch-key-0001", secret: "",
                                                                             passphrase: nil),
                            permissions: ["read"], now: 0)
        let keys = try DeskConfig.aggregatorVaultKeys(desk, vault: vault)
        #expect(keys == [.oneInch: "oneinch-key-0001"])
        let feeds = try chain.aggregatorFeeds(environment: ["ZEROEX_API_KEY": "k2"], vaultKeys: keys)
        #expect(feeds.map(\.source) == [.oneInch, .zeroEx] && feeds[0].weight == 2)
    }

    static func addressError(_ text: String) -> String {
        do { _ = try EthereumAddress(parsing: text); return "parsed" } catch { return "\(error)" }
    }

    @Test func mistakesAreNamedAtTheirLine() {
        func refused(_ table: String, at fragment: String, _ message: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
            let text = config(table)
            let line = (text.split(separator: "\n", omittingEmptySubsequences: false)
                .lastIndex { $0.contains(fragment) && !$0.hasPrefix("#") } ?? -1) + 1
            #expect(chains.base.error(text) == "config.toml:\(line): \(message)", sourceLocation: sourceLocation)
        }
        refused("[chains.ethereum.aggregators.paraswap]\napi_key_env = \"X\"", at: "[chains.ethereum.aggregators.paraswap]",
                "chains.ethereum.aggregators.paraswap: unknown key; expected one of oneinch, zeroex")
        refused("[chains.ethereum.aggregators.oneinch]\napi_key_env = \"sk-live-0123456789abcdef/xyz\"", at: "api_key_env",
                "chains.ethereum.aggregators.oneinch.api_key_env: expected the name of an environment variable (letters, "
                    + "digits, '_'), not the key itself (a value of 28 characters was given)")
        refused("[chains.ethereum.aggregators.zeroex]\napi_key_env = \"K\"\nweight = 0", at: "weight",
                "chains.ethereum.aggregators.zeroex.weight: expected a number in 0.01...100.0, found 0.0")
        refused("[chains.ethereum.aggregators.zeroex]\napi_key_env = \"K\"\nquote_size = 1", at: "quote_size",
                "chains.ethereum.aggregators.zeroex.quote_size: expected a decimal string like \"1\", found 1 (an integer)")
        refused("[chains.ethereum.aggregators.zeroex]\napi_key_env = \"K\"\nrefresh_ms = 5000\nstaleness_ms = 1000",
                at: "staleness_ms", "chains.ethereum.aggregators.zeroex.staleness_ms: 1000 ms is shorter than refresh_ms "
                    + "(5000 ms): every answer would go stale before the next one comes")
        refused("[chains.ethereum.aggregators.oneinch]\napi_key_env = \"K\"\nrouter = \"0x1234\"", at: "router",
                "chains.ethereum.aggregators.oneinch.router: \(AggregatorConfigTests.addressError("0x1234"))")
        refused("[chains.ethereum.aggregators.oneinch]\napi_key_env = \"K\"\nurl = \"ftp://x\"", at: "url",
                "chains.ethereum.aggregators.oneinch.url: expected an http(s):// URL, found \"ftp://x\"")
    }
}
