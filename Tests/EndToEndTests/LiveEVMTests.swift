import BigInt
import DexterCrypto
import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd {
    /// The desk in LIVE mode on a real local chain: a wallet made by `dexter wallet new` and funded on the chain signs
    /// the swaps. The trader unlocks the vault, sees the wallet and what it holds, types LIVE; someone buys ETH heavily
    /// on the V2 pair; the arbitrage (buy on V3, sell on V2) is approved with keys, both swaps land, and the ledger
    /// equals the wallet's balances on the chain to the wei, gas and approvals included.
    @Suite(.serialized) struct LiveEVMTests {
        let desk = CrossVenueDesk("live-evm")
        static let passphrase = "live evm passphrase"

        /// `dexter wallet new trader`: the address it made.
        func newWallet(_ config: String) throws -> String {
            let made = try Binary.run(["wallet", "new", "trader", "--config", config], environment: desk.environment,
                                      input: "\(Self.passphrase)\n\(Self.passphrase)\n")
            #expect(made.status == 0, "\(made.output)\(made.error)")
            let address = try #require(made.output.range(of: "0x[0-9a-fA-F]{40}", options: .regularExpression))
            return String(made.output[address])
        }

        static func uint(_ answer: Any) throws -> BigUInt {
            guard let text = answer as? String, let value = BigUInt(text.dropFirst(2), radix: 16) else {
                throw QuantityError(answer: "\(answer)")
            }
            return value
        }

        static func balanceOf(_ node: LocalEVMNode, token: String, owner: String) async throws -> BigUInt {
            let data = try ABI.call("balanceOf", [.address], [.address(try EthereumAddress(parsing: owner))])
            return try uint(try await node.call("eth_call", [["to": token, "data": "0x" + data.map { String(format: "%02x", $0) }.joined()],
                                                             "latest"]))
        }

        /// The wallet on the chain as the desk counts it: ETH is the native balance and WETH together.
        static func chainBalances(_ node: LocalEVMNode, _ deployments: EVMDeployments, wallet: String) async throws -> [String: Decimal] {
            func decimal(_ units: BigUInt, _ decimals: Int) -> Decimal {
                Decimal(string: units.description)! / pow(Decimal(10), decimals)
            }
            let native = try uint(try await node.call("eth_getBalance", [wallet, "latest"]))
            let weth = try await balanceOf(node, token: try deployments.token("WETH").address, owner: wallet)
            let usdc = try await balanceOf(node, token: try deployments.token("USDC").address, owner: wallet)
            return ["ETH": decimal(native + weth, 18), "USDC": decimal(usdc, 6)]
        }

        struct QuantityError: Error { let answer: String }

        /// The chain's config with the wallet `dexter wallet new` made, funded on the chain: 10 ETH for gas and to sell,
        /// 50,000 USDC to buy with. Returns the config's path and the wallet.
        func fundedDesk(_ node: LocalEVMNode, _ deployments: EVMDeployments, chainExtras: String = "") async throws
            -> (path: String, wallet: String) {
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            let path = desk.data + "/live-evm.toml"
            try (try PaperEVMTests.chainConfig(node, deployments, chainExtras: "wallet = \"trader\"\nconfirmations = 1\n" + chainExtras))
                .write(toFile: path, atomically: true, encoding: .utf8)
            let wallet = try newWallet(path)
            _ = try await node.send(from: deployments.deployer, to: wallet, data: [], value: "0x8ac7230489e80000")
            let transfer = try ABI.call("transfer", [.address, .uint(bits: 256)],
                                        [.address(try EthereumAddress(parsing: wallet)), .uint(BigUInt(50_000) * BigUInt(10).power(6))])
            _ = try await node.send(from: deployments.deployer, to: try deployments.token("USDC").address, data: transfer)
            return (path, wallet)
        }

        /// `dexter --live` unlocked and confirmed, up to the LIVE screen; the prompt's screen.
        @discardableResult
        func startLive(_ tmux: Tmux, config path: String) throws -> String {
            try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 140, height: 40, environment: desk.environment)
            try tmux.waitFor("the passphrase prompt") { $0.contains("Vault passphrase") }
            try tmux.keys(Self.passphrase, "Enter")
            let asked = try tmux.waitFor("the wallet and the LIVE prompt") { $0.contains("Type LIVE") }
            try tmux.keys("LIVE", "Enter")
            try tmux.waitFor("the LIVE screen on the three pools") { $0.contains("LIVE market started: 3 venues, 3 markets") }
            return asked
        }

        @Test func anArbitrageBetweenTwoPoolsIsSwappedForRealAndTheLedgerEqualsTheChain() async throws {
            let node = try LocalEVMNode()
            defer { node.stop() }
            let deployments = try #require(node.deployments)
            let (path, wallet) = try await fundedDesk(node, deployments)
            let tmux = Tmux(name: "dexter-live-evm")
            defer { tmux.kill() }
            let asked = try startLive(tmux, config: path)
            #expect(asked.contains("local  wallet \(wallet)") && asked.contains("sends by public mempool"), "\(asked)")
            #expect(asked.contains("holds ETH 10, USDC 50000"), "\(asked)")
            try await PaperEVMTests.buyETHOnV2(node, deployments, usdc: BigUInt(300_000) * BigUInt(10).power(6))
            let ledger = desk.data + "/dexter/live.sqlite"
            func arbitrages() -> Int {
                (try? DatabaseQueue(path: ledger).read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages WHERE status = 'completed'") ?? 0
                }) ?? 0
            }
            var booked = false
            for _ in 1...8 where !booked {
                guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
                try tmux.keys("y")
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, !booked {
                    booked = arbitrages() > 0
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(booked, "no arbitrage between the pools was swapped in 8 attempts")
            let fills = try desk.fills(ledger)
            #expect(fills.contains { $0.exchange == "v2" && $0.side == "sell" }, "\(fills)")
            #expect(fills.contains { $0.exchange.hasPrefix("uni-v3") && $0.side == "buy" }, "\(fills)")
            try tmux.waitFor("the booking on screen") { $0.contains("realised $") }
            // Each swap's transaction and the route it took, on the Orders panel.
            try tmux.waitFor("the swaps' transactions on the Orders panel") {
                $0.components(separatedBy: "[tx 0x").count == 3 && $0.contains(" public] ")
            }
            // The wallet's balances are under the wallet that signs on the chain, not a paper account.
            let screen = try tmux.screen()
            #expect(screen.contains("trader 0x") && !screen.contains("paper paper"), "\(screen)")
            // Nothing in flight: the ledger's wallet is the chain's, to the last wei and unit.
            let onChain = try await Self.chainBalances(node, deployments, wallet: wallet)
            let inLedger = try LiveBinanceTests.ledgerBalances(ledger, account: "wallet@local")
            #expect(inLedger == onChain, "ledger \(inLedger), chain \(onChain)")
            let mismatches = try await DatabaseQueue(path: ledger).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE action = 'balance mismatch'") ?? 0
            }
            #expect(mismatches == 0, "the desk found its wallet differing from its ledger")
            try tmux.keys("q")
            _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    
        /// Killed with SIGKILL a moment after the trader approves — mid-swap, somewhere between signing, sending and
        /// booking — and started again: the restart asks the chain, through the swap journal, what each order became,
        /// and books it; nothing is sent twice, and the ledger ends equal to the wallet on the chain.
        @Test func killedMidSwapTheRestartBooksWhatTheChainDid() async throws {
            let node = try LocalEVMNode()
            defer { node.stop() }
            let deployments = try #require(node.deployments)
            let (path, wallet) = try await fundedDesk(node, deployments)
            let ledger = desk.data + "/dexter/live.sqlite"
            let first = Tmux(name: "dexter-live-evm-kill")
            defer { first.kill() }
            try startLive(first, config: path)
            try await PaperEVMTests.buyETHOnV2(node, deployments, usdc: BigUInt(300_000) * BigUInt(10).power(6))
            var approved = false
            for _ in 1...8 where !approved {
                guard let screen = try first.approveSelected(), screen.contains("Approve?") else { continue }
                try first.keys("y")
                approved = true
            }
            #expect(approved, "no arbitrage could be approved")
            // Somewhere in the swaps: right away, or a little later.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
            let pid = try Binary.shell("pgrep -P \(try first.panePID())").trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try Binary.shell("kill -KILL \(pid)")
            try first.waitFor("dexter to die") { $0.contains("EXIT=137") }
            let nonceAtKill = try Self.uint(try await node.call("eth_getTransactionCount", [wallet, "latest"]))

            let second = Tmux(name: "dexter-live-evm-restart")
            defer { second.kill() }
            try startLive(second, config: path)
            // The restart settles what the kill left (if anything was in flight), then the desk trades on: any leg risk
            // the kill left is unwound. The invariant is waited for, never assumed.
            var inLedger: [String: Decimal] = [:], onChain: [String: Decimal] = [:]
            for _ in 0..<150 {
                onChain = try await Self.chainBalances(node, deployments, wallet: wallet)
                inLedger = try LiveBinanceTests.ledgerBalances(ledger, account: "wallet@local")
                if inLedger == onChain { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(inLedger == onChain, "ledger \(inLedger), chain \(onChain)")
            let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: desk.environment)
            #expect(check.status == 0 && check.output == "ok\n", "\(check.output)\(check.error)")
            // What the kill left was booked before the desk compared its wallet with the chain: no difference said.
            let mismatches = try await DatabaseQueue(path: ledger).read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE action = 'balance mismatch'") ?? 0
            }
            #expect(mismatches == 0, "a mismatch was audited at the restart")
            // Each order is one transaction at most: the swaps signed before the kill and after it never share a nonce
            // twice, and the chain has every one the journal names.
            let journal = try String(contentsOfFile: ledger + ".local-swaps.jsonl", encoding: .utf8)
            let hashes = Set(journal.split(separator: "\n").compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return object["hash"] as? String
            })
            for hash in hashes {
                let receipt = try await node.call("eth_getTransactionReceipt", [hash])
                #expect(receipt is [String: Any], "the journal's \(hash) is not on the chain")
            }
            #expect(try Self.uint(try await node.call("eth_getTransactionCount", [wallet, "latest"])) >= nonceAtKill)
            try second.keys("q")
            _ = try second.waitFor("dexter to exit") { $0.contains("EXIT=") }
        }
    
        /// LIVE on a chain without a wallet that can sign there stops before anything starts, saying what to do: no
        /// vault; no `wallet` under the chain; a wallet the vault does not hold; a watch-only address.
        @Test func liveRefusesAChainWithoutASigningWallet() async throws {
            let node = try LocalEVMNode()
            defer { node.stop() }
            let deployments = try #require(node.deployments)
            try FileManager.default.createDirectory(atPath: desk.data, withIntermediateDirectories: true)
            func config(_ extras: String) throws -> String {
                let path = desk.data + "/refused-\(UUID().uuidString).toml"
                try (try PaperEVMTests.chainConfig(node, deployments, chainExtras: extras)).write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            // The screen wants a terminal before anything else: each attempt runs in tmux, the vault unlocked when asked.
            func live(_ path: String) throws -> String {
                let tmux = Tmux(name: "dexter-live-evm-refused")
                defer { tmux.kill() }
                try tmux.start("'\(Binary.dexter)' --config '\(path)' --live", width: 250, height: 20, environment: desk.environment)
                let asked = try tmux.waitFor("the passphrase prompt or the refusal") { $0.contains("Vault passphrase") || $0.contains("EXIT=") }
                if !asked.contains("EXIT=") { try tmux.keys(Self.passphrase, "Enter") }
                let ended = try tmux.waitFor("dexter to refuse") { $0.contains("EXIT=") }
                #expect(!ended.contains("EXIT=0") && !ended.contains("Type LIVE"), "\(ended)")
                return ended
            }
            let named = try config("wallet = \"trader\"")
            #expect(try live(named).contains("you have no vault: dexter wallet new NAME"))
            let watched = try Binary.run(["wallet", "import", "watched", "--watch", deployments.deployer, "--config", named],
                                         environment: desk.environment, input: "\(Self.passphrase)\n\(Self.passphrase)\n")
            #expect(watched.status == 0, "\(watched.output)\(watched.error)")
            #expect(try live(named).contains("wallet = \"trader\" is not in your vault"))
            #expect(try live(try config("")).contains("[chains.local] names none: add wallet = \"NAME\""))
            #expect(try live(try config("wallet = \"watched\"")).contains("wallet \"watched\" is evm-watch, not an EVM account with its key"))
        }
    }
}
