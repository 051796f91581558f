import BigInt
import DexterCrypto
import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// The desk in PAPER mode on a real local chain: Uniswap V3's 0.05 % and 0.3 % ETH/USDC pools (mainnet bytecode)
    /// and our V2 pair of the same tokens, read through their factories. A trader checks the venues, sees the desk go live, then
    /// someone buys ETH heavily on the V2 pair: the move reaches the screen from the chain's logs as an arbitrage
    /// (buy on V3, sell on V2), which the trader approves with keys and finds filled on paper against both pools.
    @Suite(.serialized) struct PaperEVMTests {
        let desk = CrossVenueDesk("paper-evm")

        func config(_ node: LocalEVMNode, _ deployments: EVMDeployments) throws -> String {
            let text = try Self.chainConfig(node, deployments, chainExtras: "") + """

                [wallets.local]
                ETH = "20"
                USDC = "100000"

                """
            let path = desk.data + "/evm.toml"
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// The local chain and its three venues (V3 at 0.05 % and 0.3 %, our V2), `chainExtras` added to
        /// `[chains.local]`.
        static func chainConfig(_ node: LocalEVMNode, _ deployments: EVMDeployments, chainExtras: String) throws -> String {
            try ExampleConfig.withoutVenues() + """

                [chains.local]
                gas_token = "ETH"
                chain_id = \(node.chainId)
                rpc_urls = ["\(node.rpcURL)"]
                poll_ms = 200
                \(chainExtras)

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

                [venues.uni-v3-30]
                kind = "dex"
                connector = "evm"
                chain = "local"
                staleness_ms = 600000
                protocol = "uniswap-v3"
                factory = "\(try deployments.contract("UniswapV3Factory"))"
                router = "\(try deployments.contract("SwapRouter"))"
                quoter = "\(try deployments.contract("QuoterV2"))"

                [venues.uni-v3-30.pools]
                "ETH/USDC" = { fee_pips = 3000 }

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

                """
        }

        /// Someone else's swap on our V2 router: `usdc` (6 decimals) for WETH, from the deployer who holds both.
        static func buyETHOnV2(_ node: LocalEVMNode, _ deployments: EVMDeployments, usdc: BigUInt) async throws {
            let router = try deployments.contract("UniswapV2Router")
            let usdcToken = try EthereumAddress(parsing: try deployments.token("USDC").address)
            let weth = try EthereumAddress(parsing: try deployments.token("WETH").address)
            let approve = try ABI.call("approve", [.address, .uint(bits: 256)],
                                       [.address(try EthereumAddress(parsing: router)), .uint(usdc)])
            _ = try await node.send(from: deployments.deployer, to: usdcToken.checksummed, data: approve)
            let swap = try ABI.call("swapExactTokensForTokens",
                                    [.uint(bits: 256), .uint(bits: 256), .array(.address, count: nil), .address, .uint(bits: 256)],
                                    [.uint(usdc), .uint(0), .array([.address(usdcToken), .address(weth)]),
                                     .address(try EthereumAddress(parsing: deployments.deployer)), .uint(BigUInt(1) << 40)])
            _ = try await node.send(from: deployments.deployer, to: router, data: swap)
        }

        func arbitrages(_ ledger: String) -> Int {
            (try? DatabaseQueue(path: ledger).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0 }) ?? 0
        }

        @Test func aPoolMovedOnTheChainIsAnArbitrageApprovedAndFilledOnPaper() async throws {
            let node = try LocalEVMNode()
            defer { node.stop() }
            let deployments = try #require(node.deployments)
            let path = try config(node, deployments)

            let check = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            #expect(check.output.contains("uni-v3 (uniswap-v3 on local, chain id 31337, at http://127.0.0.1:"))
            #expect(check.output.contains("ETH/USDC 0.05%: pool \(try deployments.pool("WETH/USDC 0.05%").address)"), "\(check.output)")
            #expect(check.output.contains("ETH/USDC 0.3%: pool \(try deployments.pool("WETH/USDC 0.3%").address)"), "\(check.output)")
            #expect(check.output.contains("v2 (uniswap-v2 on local"))
            #expect(check.output.components(separatedBy: "quotes equal QuoterV2's to the unit, both ways").count == 3, "both V3 tiers")
            #expect(check.output.contains("quotes equal the router's getAmountsOut's to the unit, both ways"))

            let tmux = Tmux(name: "dexter-paper-evm")
            defer { tmux.kill() }
            try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 120, height: 40, environment: desk.environment)
            try tmux.waitFor("the PAPER screen on both pools, and no arbitrage while they agree") {
                $0.contains("PAPER market started: 3 venues, 3 markets") && $0.contains("watching 3 venues; no opportunity clears")
            }
            // 300,000 USDC into a 3,000,000 USDC / 1,000 WETH pair: ETH there rises about a fifth over V3's.
            try await Self.buyETHOnV2(node, deployments, usdc: BigUInt(300_000) * BigUInt(10).power(6))
            let ledger = desk.data + "/dexter/paper.sqlite"
            var booked = false
            for _ in 1...8 where !booked {
                guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
                try tmux.keys("y")
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline, !booked {
                    booked = arbitrages(ledger) > 0
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(booked, "no arbitrage between the pools could be approved in 8 attempts")
            // The V2 pair is the dear one: the ETH sold there was bought on one of the V3 tiers.
            let fills = try desk.fills(ledger)
            #expect(fills.contains { $0.exchange == "v2" && $0.side == "sell" }, "\(fills)")
            #expect(fills.contains { $0.exchange.hasPrefix("uni-v3") && $0.side == "buy" }, "\(fills)")
            let bought = fills.filter { $0.side == "buy" }.map(\.amount).reduce(0, +)
            let sold = fills.filter { $0.side == "sell" }.map(\.amount).reduce(0, +)
            #expect(bought == sold && sold > 0 && sold <= 20, "bought \(bought), sold \(sold)")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    }
}
