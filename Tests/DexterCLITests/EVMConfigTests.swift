import DexterCore
import DexterCrypto
import DexterEVM
import Testing

@testable import dexter

/// A chain read live and the DEX venues of the "evm" connector: a known deployment's mainnet contracts by name, any
/// of them overridden, and every mistake named at its line.
@Suite struct EVMConfigTests {
    let base = ConfigTests()

    /// The embedded config with ethereum read live (`chain` lines added under [chains.ethereum]) and `venue` appended.
    func config(chain: String = "rpc_urls = [\"https://eth.example/SECRET-KEY\", \"http://127.0.0.1:8545\"]", venue: String) -> String {
        base.replacing("[chains.ethereum]\ngas_token = \"ETH\"", with: "[chains.ethereum]\ngas_token = \"ETH\"\n" + chain) + venue
    }

    static let uniswap = """

        [venues.uni]
        kind = "dex"
        connector = "evm"
        chain = "ethereum"
        staleness_ms = 30000
        dex = "uniswap-v3"

        [venues.uni.pools]
        "ETH/USDC" = { fee_pips = 500 }
        "ETH/USDT" = { fee_pips = 3000, gas_units = 150000 }
        """

    @Test func aKnownDeploymentBringsItsMainnetContractsAndMakesTheDeskPaper() throws {
        let desk = try DeskConfig.parse(config(venue: Self.uniswap), file: "config.toml")
        let chain = try #require(desk.liveChains["ethereum"])
        #expect(chain.chainId == 1 && chain.confirmations == 2 && chain.rpcURLs.count == 2 && chain.privateSubmission == nil)
        #expect(chain.tokens["ETH"]?.checksummed == "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
        let venue = try #require(desk.venues.first { $0.spec.id == "uni" })
        let evm = try #require(venue.evm)
        #expect(evm.deployment.factory.checksummed == "0x1F98431c8aD98523631AE4a59f267346ea31F984")
        #expect(evm.deployment.quoter?.checksummed == "0x61fFE014bA17989E743c5F6cB21bF9697530B21e")
        #expect(evm.pools[Symbol(base: "ETH", quote: "USDC")] == EVMPoolSettings(feePips: 500, gasUnits: 130_000))
        #expect(evm.pools[Symbol(base: "ETH", quote: "USDT")] == EVMPoolSettings(feePips: 3000, gasUnits: 150_000))
        #expect(desk.engineConfig(user: "t").mode == .paper)
        #expect(venue.watchedPools.map(\.symbol.description) == ["ETH/USDC", "ETH/USDT"])
    }

    static let curve = """

        [venues.crv]
        kind = "dex"
        connector = "evm"
        chain = "ethereum"
        staleness_ms = 30000
        dex = "curve"

        [venues.crv.pools]
        "USDC/USDT" = { address = "0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7" }
        """

    static let balancer = """

        [chains.ethereum.tokens]
        BAL = "0xba100000625a3754423978a60c9317c58a424e3D"

        [venues.bal]
        kind = "dex"
        connector = "evm"
        chain = "ethereum"
        staleness_ms = 30000
        dex = "balancer"

        [venues.bal.pools]
        "BAL/ETH" = { address = "0x5c6Ee304399DBdB9C8Ef030aB642B10820DB8F56", pool_id = "0x5c6ee304399dbdb9c8ef030ab642b10820db8f56000200000000000000000014" }
        """

    @Test func aBalancerVenueWatchesItsPoolsByAddressWithTheirIds() throws {
        let desk = try DeskConfig.parse(config(venue: Self.balancer), file: "config.toml")
        let venue = try #require(desk.venues.first { $0.spec.id == "bal" })
        let evm = try #require(venue.evm)
        #expect(evm.deployment.protocolKind == .balancerWeighted)
        #expect(evm.deployment.factory.checksummed == "0xBA12222222228d8Ba445958a75a0704d566BF2C8")
        let pool = try #require(venue.watchedPools.first)
        #expect(pool.address?.checksummed == "0x5c6Ee304399DBdB9C8Ef030aB642B10820DB8F56")
        #expect(pool.poolId.map(HexData.format) == "0x5c6ee304399dbdb9c8ef030ab642b10820db8f56000200000000000000000014")
    }

    @Test func aCurveVenueWatchesItsPoolsByAddress() throws {
        let desk = try DeskConfig.parse(config(venue: Self.curve), file: "config.toml")
        let venue = try #require(desk.venues.first { $0.spec.id == "crv" })
        let evm = try #require(venue.evm)
        #expect(evm.deployment.protocolKind == .curve)
        let pool = try #require(evm.pools[Symbol(base: "USDC", quote: "USDT")])
        #expect(pool.address?.checksummed == "0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7" && pool.feePips == nil)
        #expect(venue.watchedPools.map { $0.address?.checksummed } == ["0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7"])
    }

    @Test func anotherChainGivesItsIdAndAForkGivesItsContracts() throws {
        let text = base.replacing("[chains.bsc]\ngas_token = \"BNB\"", with: """
            [chains.bsc]
            gas_token = "BNB"

            [chains.local]
            gas_token = "ETH"
            chain_id = 31337
            rpc_urls = ["http://127.0.0.1:8545"]
            private_rpc_url = "https://relay.example/KEY"
            private_method = "eth_sendPrivateTransaction"
            confirmations = 0
            poll_ms = 200

            [chains.local.tokens]
            ETH = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
            USDC = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
            """) + """

            [venues.ours]
            kind = "dex"
            connector = "evm"
            chain = "local"
            staleness_ms = 30000
            protocol = "uniswap-v2"
            factory = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
            router = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"
            init_code_hash = "none"
            fee_bps = 30

            [venues.ours.pools]
            "ETH/USDC" = {}
            """
        let desk = try DeskConfig.parse(text, file: "config.toml")
        let chain = try #require(desk.liveChains["local"])
        #expect(chain.chainId == 31337 && chain.confirmations == 0 && chain.pollInterval == .milliseconds(200))
        #expect(chain.privateSubmission == .init(url: "https://relay.example/KEY", method: .sendPrivateTransaction))
        let evm = try #require(desk.venues.first { $0.spec.id == "ours" }?.evm)
        #expect(evm.dex == nil && evm.deployment.protocolKind == .uniswapV2 && evm.deployment.initCodeHash == nil)
        #expect(evm.deployment.feeBps == 30 && evm.pools[Symbol(base: "ETH", quote: "USDC")] == EVMPoolSettings(feePips: nil, gasUnits: 110_000))
        #expect(desk.liveChains["bsc"] == nil, "a chain without rpc_urls is not read live")
    }

    /// Each mistake is refused at its line, saying what is wrong and what would be right; an RPC URL's path (where
    /// providers put keys) is never repeated.
    @Test func mistakesAreNamedAtTheirLine() {
        func refused(_ text: String, at fragment: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
            // The last line holding it that is not a comment: the venue is appended, and config.toml.example's
            // comments and the embedded venues show these keys too.
            let line = (text.split(separator: "\n", omittingEmptySubsequences: false)
                .lastIndex { $0.contains(fragment) && !$0.hasPrefix("#") } ?? -1) + 1
            #expect(base.error(text) == "config.toml:\(line): \(message)", sourceLocation: sourceLocation)
        }
        let unread = DefaultConfig.text + Self.uniswap
        refused(unread, at: "chain = \"ethereum\"", "venues.uni.chain: ethereum is not read live: give [chains.ethereum] its rpc_urls")
        refused(config(venue: Self.uniswap.replacingOccurrences(of: "uniswap-v3", with: "pancakeswap-v3")), at: "dex = \"pancakeswap-v3\"",
                "venues.uni.dex: dexter knows no \"pancakeswap-v3\" on chain 1 (ethereum); known there: balancer, curve, sushiswap, uniswap-v2, uniswap-v3")
        refused(config(venue: Self.uniswap.replacingOccurrences(of: "{ fee_pips = 500 }", with: "{}")), at: "\"ETH/USDC\" = {}",
                "venues.uni.pools.ETH/USDC.fee_pips: missing: a uniswap-v3 pool is found by its fee tier, e.g. 500 (0.05 %)")
        refused(config(venue: Self.uniswap.replacingOccurrences(of: "\"ETH/USDC\"", with: "\"SOL/USDC\"")), at: "\"SOL/USDC\"",
                "venues.uni.pools.SOL/USDC: SOL has no token on ethereum: add it under [chains.ethereum.tokens]")
        refused(config(venue: Self.uniswap.replacingOccurrences(of: "dex = \"uniswap-v3\"",
                                                                with: "dex = \"uniswap-v3\"\nquoter = \"0x61ffE014bA17989E743c5F6cB21bF9697530B21e\"")),
                at: "quoter = ", "venues.uni.quoter: \"0x61ffE014bA17989E743c5F6cB21bF9697530B21e\" fails its EIP-55 checksum "
                    + "(expected 0x61fFE014bA17989E743c5F6cB21bF9697530B21e): a mistyped character?")
        refused(config(venue: Self.uniswap.replacingOccurrences(of: "uniswap-v3", with: "balancer")), at: "\"ETH/USDC\" = ",
                "venues.uni.pools.ETH/USDC.fee_pips: unknown key; expected one of address, gas_units, pool_id")
        refused(config(venue: Self.balancer.replacingOccurrences(of: "0x5c6ee304399dbdb9c8ef030ab642b10820db8f56000200000000000000000014",
                                                                 with: "0x5c6e")),
                at: "pool_id = ", "venues.bal.pools.BAL/ETH.pool_id: expected the pool's 32-byte id in its Vault as 0x-hex, found \"0x5c6e\"")
        refused(config(venue: Self.curve.replacingOccurrences(of: "{ address = \"0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7\" }",
                                                              with: "{ gas_units = 150000 }")),
                at: "\"USDC/USDT\" = ", "venues.crv.pools.USDC/USDT.address: missing: a curve pool is watched by its address "
                    + "(Curve has no pool-by-pair getter), e.g. \"0xbEbc44782C7dB0a1A60Cb6fe97d0b483032FF1C7\"")
        refused(config(chain: "rpc_urls = [\"wss://eth.example/SECRET-KEY\"]", venue: Self.uniswap), at: "rpc_urls = ",
                "chains.ethereum.rpc_urls: expected an http(s):// URL, found \"wss://eth.example\"")
        refused(config(chain: "rpc_urls = []", venue: Self.uniswap), at: "rpc_urls = ",
                "chains.ethereum.rpc_urls: list at least one JSON-RPC URL")
        refused(config(chain: "rpc_urls = [\"http://127.0.0.1:8545\"]\nprivate_method = \"eth_sendRawTransaction\"", venue: Self.uniswap),
                at: "private_method", "chains.ethereum.private_method: there is no private_rpc_url to send with it")
        refused(base.replacing("[chains.ethereum]\ngas_token = \"ETH\"", with: "[chains.ethereum]\ngas_token = \"ETH\"\nconfirmations = 3"),
                at: "confirmations = 3", "chains.ethereum.confirmations: confirmations belongs to a chain read live: give rpc_urls too")
    }
}
