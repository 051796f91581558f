import BigInt
import DexterCrypto
import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd.LiveEVMTests {
    /// The Orders panel's keys on swaps a congested builder leaves waiting (the private relay holds each swap and queues
    /// what follows it, as a mempool queues a nonce gap): the trader selects the waiting swap and speeds it up (F, y) —
    /// it is mined and fills —, then selects the next one and cancels it (X, y) — a 0-value transfer takes its nonce and
    /// the order ends canceled. What the desk does about the uneven legs goes through, and the ledger ends equal to the
    /// chain to the wei, every replacement's gas included.
    @Test func theOrdersPanelSpeedsUpOneWaitingSwapAndCancelsAnother() async throws {
        let node = try LocalEVMNode()
        defer { node.stop() }
        let deployments = try #require(node.deployments)
        let routers: Set<String> = [try deployments.contract("SwapRouter"), try deployments.contract("UniswapV2Router")]
        let relay = try PrivateRelay(chainId: UInt64(node.chainId), .holdSwaps(nodeURL: node.rpcURL, contracts: routers))
        let (path, wallet) = try await fundedDesk(node, deployments, chainExtras: "private_rpc_url = \"\(relay.url)\"")
        let tmux = Tmux(name: "dexter-live-evm-keys")
        defer { tmux.kill() }
        let asked = try startLive(tmux, config: path)
        #expect(asked.contains("sends by private relay"), "\(asked)")
        try await EndToEnd.PaperEVMTests.buyETHOnV2(node, deployments, usdc: BigUInt(300_000) * BigUInt(10).power(6))
        var approved = false
        for _ in 1...8 where !approved {
            guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
            try tmux.keys("y")
            approved = true
        }
        #expect(approved, "no arbitrage could be approved")

        // The first swap waits; the Orders panel (focused, zoomed) shows its transaction and the private route.
        let first = try await waitingSwap(relay, tmux)
        try tmux.keys("6", "z")
        try select(first, tmux)
        try tmux.keys("F")
        try tmux.waitFor("the speed-up's question") { $0.contains("Speed up") && $0.contains("same nonce") }
        try tmux.keys("y")
        try tmux.waitFor("the sped-up swap filled") { screen in
            screen.split(separator: "\n").contains { $0.contains("sped up") && $0.contains("filled") }
        }

        // The other leg's swap waits in its turn: canceled from the panel. What the desk sends after is let through.
        let second = try await waitingSwap(relay, tmux, after: first)
        relay.holding = false
        try select(second, tmux)
        try tmux.keys("X")
        try tmux.waitFor("the cancel's question") { $0.contains("Cancel order") && $0.contains("0-value transfer") }
        try tmux.keys("y")
        try tmux.waitFor("the canceled swap") { screen in
            screen.split(separator: "\n").contains { $0.contains("cancel 0x") && $0.contains("canceled") }
        }
        try tmux.keys("Escape")

        // Nothing live, and the ledger is the chain's wallet to the wei (gas of the speed-up and the cancel included).
        let ledger = desk.data + "/dexter/live.sqlite"
        var inLedger: [String: Decimal] = [:], onChain: [String: Decimal] = [:]
        for _ in 0..<300 {
            onChain = try await Self.chainBalances(node, deployments, wallet: wallet)
            inLedger = try EndToEnd.LiveBinanceTests.ledgerBalances(ledger, account: "wallet@local")
            if inLedger == onChain, try tmux.screen().contains("Orders (0 live)") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(inLedger == onChain, "ledger \(inLedger), chain \(onChain)")
        let check = try Binary.run(["ledger", "check", "--ledger", ledger], environment: desk.environment)
        #expect(check.status == 0 && check.output == "ok\n", "\(check.output)\(check.error)")
        let audited = try await DatabaseQueue(path: ledger).read { db in
            try [String](fetching: db, sql: "SELECT action FROM audit WHERE action LIKE 'order %'")
        }
        #expect(audited.contains("order sped up") && audited.contains("order cancel"), "\(audited)")
        // The speed-up replaced the held swap on chain: the held bytes were never mined.
        let held = try await node.call("eth_getTransactionReceipt", [first])
        #expect(held is NSNull, "the held swap \(first) was mined too")
        try tmux.keys("q")
        _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
    }

    /// The swap the relay holds now (other than `after`), once the Orders panel shows its transaction.
    func waitingSwap(_ relay: PrivateRelay, _ tmux: Tmux, after previous: String? = nil) async throws -> String {
        for _ in 0..<300 {
            if let hash = relay.heldNow, hash != previous, try tmux.screen().contains(Self.short(hash)) { return hash }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw WaitError(what: "a swap held by the relay shown on the Orders panel (held: \(relay.held))")
    }

    /// Moves the Orders panel's selection (▶) to the row of the transaction `hash`.
    func select(_ hash: String, _ tmux: Tmux) throws {
        let short = Self.short(hash)
        for key in Array(repeating: "k", count: 10) + Array(repeating: "j", count: 20) {
            let screen = try tmux.screen()
            if screen.split(separator: "\n").contains(where: { $0.contains("▶") && $0.contains(short) }) { return }
            try tmux.keys(key)
            Thread.sleep(forTimeInterval: 0.15)
        }
        throw WaitError(what: "the selection on \(short)")
    }

    /// A transaction hash as the Orders panel shortens it: "0xb0fa…6f55".
    static func short(_ hash: String) -> String { "\(hash.prefix(6))…\(hash.suffix(4))" }

    struct WaitError: Error, CustomStringConvertible {
        let what: String
        var description: String { "waited in vain for \(what)" }
    }
}

extension Array where Element == String {
    init(fetching db: Database, sql: String) throws { self = try String.fetchAll(db, sql: sql) }
}
