import DexterCore
import DexterCrypto
import DexterEVM
import Testing

@testable import dexter

extension EVMConfigTests {
    /// ws_url subscribes to new heads, estimate_from estimates gas: both optional, each with its defaults.
    @Test func aChainMaySubscribeToHeadsAndEstimateGas() throws {
        let chain = try #require(try DeskConfig.parse(config(chain: """
            rpc_urls = ["http://127.0.0.1:8545"]
            ws_url = "wss://eth.example/ws/SECRET-KEY"
            estimate_from = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
            estimate_margin_percent = 15
            """, venue: Self.uniswap), file: "config.toml").liveChains["ethereum"])
        #expect(chain.headSubscription == HeadSubscriptionSettings(url: "wss://eth.example/ws/SECRET-KEY", silence: .seconds(60)))
        #expect(chain.gasEstimate == GasEstimateSettings(
            from: try EthereumAddress(parsing: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), everyBlocks: 50, marginPercent: 15))
        #expect(chain.gasEstimate?.withMargin(100_001) == 115_002)
        let plain = try #require(try DeskConfig.parse(config(venue: Self.uniswap), file: "config.toml").liveChains["ethereum"])
        #expect(plain.headSubscription == nil && plain.gasEstimate == nil)
    }

    /// ws_urls lists several WebSocket URLs, tried in turn; ws_url is the one-URL form.
    @Test func aChainMayListSeveralWebSocketURLs() throws {
        let chain = try #require(try DeskConfig.parse(config(chain: """
            rpc_urls = ["http://127.0.0.1:8545"]
            ws_urls = ["wss://eth.example/ws/SECRET-KEY", "wss://backup.example/ws"]
            ws_silence_ms = 30000
            """, venue: Self.uniswap), file: "config.toml").liveChains["ethereum"])
        #expect(chain.headSubscription == HeadSubscriptionSettings(
            urls: ["wss://eth.example/ws/SECRET-KEY", "wss://backup.example/ws"], silence: .seconds(30)))
    }

    @Test func pushAndEstimateMistakesAreNamedAtTheirLine() {
        func refused(_ chain: String, at fragment: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let text = config(chain: "rpc_urls = [\"http://127.0.0.1:8545\"]\n" + chain, venue: Self.uniswap)
            let line = (text.split(separator: "\n", omittingEmptySubsequences: false)
                .lastIndex { $0.contains(fragment) && !$0.hasPrefix("#") } ?? -1) + 1
            #expect(base.error(text) == "config.toml:\(line): \(message)", sourceLocation: sourceLocation)
        }
        refused("ws_url = \"https://eth.example/SECRET-KEY\"", at: "ws_url = ",
                "chains.ethereum.ws_url: expected a ws:// or wss:// URL, found \"https://eth.example\"")
        refused("ws_silence_ms = 5000", at: "ws_silence_ms", "chains.ethereum.ws_silence_ms: there is no ws_url to subscribe at")
        refused("ws_url = \"wss://a.example\"\nws_urls = [\"wss://b.example\"]", at: "ws_urls",
                "chains.ethereum.ws_urls: give ws_url (one) or ws_urls (a list), not both")
        refused("ws_urls = [\"wss://a.example/ws\", \"http://b.example/SECRET-KEY\"]", at: "ws_urls",
                "chains.ethereum.ws_urls: expected a ws:// or wss:// URL, found \"http://b.example\"")
        refused("ws_urls = []", at: "ws_urls", "chains.ethereum.ws_urls: list at least one ws:// or wss:// URL")
        refused("ws_urls = [\"wss://a.example/ws\", \"wss://a.example/ws\"]", at: "ws_urls",
                "chains.ethereum.ws_urls: a URL is listed twice")
        refused("estimate_from = \"0x70997970c51812dc3a010c7d01b50e0d17dc79c8\"", at: "estimate_from",
                "chains.ethereum.estimate_from: write the address EIP-55 checksummed (mixed case, as wallets show it), not all lower case")
        refused("estimate_every_blocks = 5", at: "estimate_every_blocks",
                "chains.ethereum.estimate_every_blocks: there is no estimate_from address to estimate gas from")
    }
}
