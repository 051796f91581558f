import BigInt
import Foundation
import GRDB
import Testing
import TestServers

extension EndToEnd.PaperEVMTests {
    /// A router on the deny list: a swap through it would pay it, so no trade on its DEX is approved — the approval is
    /// refused naming the router, audited — while the pools themselves are not listed.
    @Test func aDeniedRouterBlocksItsDexsTrades() async throws {
        let node = try LocalEVMNode()
        defer { node.stop() }
        let deployments = try #require(node.deployments)
        let path = try config(node, deployments)
        let router = try deployments.contract("UniswapV2Router")
        try "name,address\nlisted router,\(router)\n".write(toFile: desk.data + "/deny.csv", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "# deny_list = \"/etc/dexter/deny-list.csv\"", with: "deny_list = \"\(desk.data)/deny.csv\"")
        #expect(text.contains("deny_list = \"\(desk.data)/deny.csv\""))
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let tmux = Tmux(name: "dexter-paper-evm-deny")
        defer { tmux.kill() }
        try tmux.start("'\(Binary.dexter)' --mode paper --config '\(path)'", width: 160, height: 40, environment: desk.environment)
        try tmux.waitFor("the PAPER screen") { $0.contains("PAPER market started: 3 venues, 3 markets") }
        try await Self.buyETHOnV2(node, deployments, usdc: BigUInt(300_000) * BigUInt(10).power(6))
        var approved = false
        for _ in 1...8 where !approved {
            guard let screen = try tmux.approveSelected(), screen.contains("Approve?") else { continue }
            try tmux.keys("y")
            approved = true
        }
        #expect(approved, "no opportunity could be approved")
        let screen = try tmux.waitFor("the screening's refusal") { $0.contains("blocked by screening") }
        let refused = screen.split(separator: "\n").last { $0.contains("blocked by screening") }.map(String.init) ?? ""
        #expect(refused.contains("(v2 router) is on the deny list") && refused.lowercased().contains(router.lowercased()), "\(screen)")
        let ledger = desk.data + "/dexter/paper.sqlite"
        let (arbitrages, audited) = try await DatabaseQueue(path: ledger).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arbitrages") ?? 0,
             try String.fetchAll(db, sql: "SELECT detail FROM audit WHERE action = 'screening blocked'"))
        }
        #expect(arbitrages == 0, "nothing traded through a denied router")
        #expect(audited.contains { $0.contains("v2 router") }, "\(audited)")
        try tmux.keys("q")
        _ = try tmux.waitFor("dexter to exit") { $0.contains("EXIT=") }
    }
}
