import Foundation
import Testing
import TestServers

extension EndToEnd {
    /// `dexter venues check` for a Curve venue on a real local chain: the project's own StableSwap3Pool port
    /// (Tests/EVMContracts) deployed into a bare node, configured by address; the check reads the pool, serves the pair
    /// and holds dexter's quotes against the pool's `get_dy` both ways.
    @Suite(.serialized) struct CurveVenueCheckTests {
        let desk = CrossVenueDesk("curve-check")

        @Test func aCurvePoolConfiguredByAddressIsReadAndQuotesLikeItsGetDy() async throws {
            let node = try LocalEVMNode(bare: true)
            defer { node.stop() }
            let deployed = try node.deploy("deploy_curve.py")
            let pool = try #require(deployed["pool"] as? String)
            let coins = try #require(deployed["coins"] as? [[String: Any]])
            let address = { (symbol: String) in coins.first { $0["symbol"] as? String == symbol }?["address"] as? String ?? "" }
            let text = try ExampleConfig.withoutVenues() + """

                [chains.local]
                gas_token = "ETH"
                chain_id = \(node.chainId)
                rpc_urls = ["\(node.rpcURL)"]
                poll_ms = 200

                [chains.local.tokens]
                USDC = "\(address("USDC"))"
                USDT = "\(address("USDT"))"

                [venues.crv]
                kind = "dex"
                connector = "evm"
                chain = "local"
                staleness_ms = 600000
                protocol = "curve"
                factory = "\(pool)"

                [venues.crv.pools]
                "USDT/USDC" = { address = "\(pool)" }

                """
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            let path = desk.data + "/curve.toml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let check = try Binary.run(["venues", "check", "--config", path], environment: desk.environment)
            #expect(check.status == 0, "\(check.output)\(check.error)")
            #expect(check.output.contains("crv (curve on local, chain id \(node.chainId), at http://127.0.0.1:"), "\(check.output)")
            #expect(check.output.contains("USDT/USDC: pool \(pool), mid 1.00"), "\(check.output)")
            #expect(check.output.contains("quotes equal the pool's get_dy's to the unit, both ways"), "\(check.output)")
        }
    }
}
