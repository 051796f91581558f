import DexterCrypto
import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// `dexter venues check` on a chain with a WebSocket (the project's front of the local node) and an address to
    /// estimate gas from: the subscription answers, and each pool says where its gas units come from — the V2 pair's
    /// from eth_estimateGas (the deployer holds both tokens and approved our V2 router when it added liquidity), the
    /// V3 pool's as configured, with the revert that kept them (SwapRouter has no allowance from it).
    @Suite(.serialized) struct PaperEVMCheckTests {
        let desk = CrossVenueDesk("paper-evm-check")

        @Test func venuesCheckShowsTheHeadSubscriptionAndWhereGasUnitsComeFrom() async throws {
            let node = try LocalEVMNode()
            defer { node.stop() }
            let front = try LocalEVMHeads(nodeURL: node.rpcURL)
            defer { front.stop() }
            let deployments = try #require(node.deployments)
            let deployer = try EthereumAddress(parsing: deployments.deployer).checksummed
            let text = try ExampleConfig.withoutVenues() + """

                [chains.local]
                gas_token = "ETH"
                chain_id = \(node.chainId)
                rpc_urls = ["\(node.rpcURL)"]
                ws_url = "\(front.wsURL)/v3/SECRET-KEY"
                estimate_from = "\(deployer)"

                [chains.local.tokens]
                ETH = "\(try deployments.token("WETH").address)"
                USDC = "\(try deployments.token("USDC").address)"

                [venues.uni-v3]
                kind = "dex"
                connector = "evm"
                chain = "local"
                staleness_ms = 600000
                protocol = "uniswap-v3"
                factory = "\(try deployments.contract("UniswapV3Factory"))"
                router = "\(try deployments.contract("SwapRouter"))"
                quoter = "\(try deployments.contract("QuoterV2"))"

                [venues.uni-v3.pools]
                "ETH/USDC" = { fee_pips = 500 }

                [venues.v2]
                kind = "dex"
                connector = "evm"
                chain = "local"
                staleness_ms = 600000
                protocol = "uniswap-v2"
                factory = "\(try deployments.contract("UniswapV2Factory"))"
                router = "\(try deployments.contract("UniswapV2Router"))"
                init_code_hash = "none"
                fee_bps = 30

                [venues.v2.pools]
                "ETH/USDC" = {}

                [wallets.local]
                ETH = "20"
                USDC = "100000"

                """
            let path = desk.data + "/evm.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)

            let check = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            let output = check.output + check.error
            #expect(check.status == 0, "\(output)")
            #expect(check.output.components(separatedBy: "new heads pushed by \(front.wsURL)").count == 3, "\(output)")
            #expect(output.contains("130000 gas a swap (configured: eth_estimateGas of the swap from \(deployer)"), "\(output)")
            #expect(output.contains("STF"), "\(output)")
            #expect(output.range(of: #"ETH/USDC: pool 0x[0-9a-fA-F]{40}, mid [0-9.]+, \d+ gas a swap \(eth_estimateGas at block \d+ \(\d+ / \d+ each way, \+10 %\)\)"#,
                                 options: .regularExpression) != nil, "\(output)")
            #expect(!output.contains("SECRET-KEY"))
        }
    }
}
