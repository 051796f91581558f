import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Synchronization
import Testing

/// LIVE on the local chain: orders of the desk become swaps signed by dexter, and what the venue reports is what the
/// chain did — to the wei, gas included — so a ledger booking these reports equals the wallet's balances. The wallet
/// is the node's dev account #1 (the anvil mnemonic's public test key), funded with USDC by the deployer.
@Suite(.serialized) struct EVMLiveVenueTests {
    static let pair = Symbol(base: "ETH", quote: "USDC")

    struct Desk {
        let scene: SwapSendScene
        let feed: EVMMarketFeed
        let venue: EVMLiveVenue
        let inbox: VenueInbox
        let journalPath: String
    }

    func desk(_ scene: SwapSendScene, journalPath: String = NSTemporaryDirectory() + "dexter-evm-\(UUID().uuidString).jsonl",
              rpcURLs: [String]? = nil,
              patience: SwapExecutor.Patience = SwapExecutor.Patience(confirmations: 1, polls: 20,
                                                                      pause: { try? await Task.sleep(for: .milliseconds(20)) }))
        async throws -> Desk {
        let deployments = scene.deployments
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: rpcURLs ?? [scene.node.rpcURL], confirmations: 1, pollInterval: .milliseconds(50),
                                     tokens: ["ETH": scene.weth, "USDC": scene.usdc])
        func venue(_ name: String) -> VenueSpec {
            VenueSpec(id: VenueId(name), kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        }
        let v3 = DexDeployment(protocolKind: .uniswapV3, factory: try EthereumAddress(parsing: deployments.contract("UniswapV3Factory")),
                               router: scene.swapRouter, quoter: scene.quoter,
                               initCodeHash: UniswapV3Deployment.uniswapPoolInitCodeHash)
        let v2 = DexDeployment(protocolKind: .uniswapV2, factory: try EthereumAddress(parsing: deployments.contract("UniswapV2Factory")),
                               router: scene.v2Router, feeBps: 30)
        let feed = try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue("uni-v3"), dexName: "uniswap-v3", deployment: v3, symbol: Self.pair, feePips: 500, gasUnits: 130_000),
            .init(venue: venue("v2"), dexName: "v2", deployment: v2, symbol: Self.pair, feePips: nil, gasUnits: 110_000),
        ])
        let live = try EVMLiveVenue(feed: feed, key: scene.trader, journal: try EVMOrderJournal(path: journalPath),
                                    patience: patience)
        _ = try await live.instruments()
        let inbox = VenueInbox()
        try await live.connect(inbox)
        return Desk(scene: scene, feed: feed, venue: live, inbox: inbox, journalPath: journalPath)
    }

    /// Waits for the order's last word (a fill of all of it, or an end), collecting every update.
    func updates(_ inbox: VenueInbox, until clientOrderId: String, quantity: FixedDecimal) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<400 {
            seen += inbox.drain().orders
            let mine = seen.filter { $0.clientOrderId == clientOrderId }
            let filled = mine.reduce(FixedDecimal.zero) { if case .fill(let fill) = $1.kind { $0 + fill.quantity } else { $0 } }
            if filled == quantity || mine.contains(where: \.endsTheOrder) { return mine }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw SceneError(description: "no end for \(clientOrderId): \(seen)")
    }

    static func order(_ id: String, venue: VenueId, side: Side, quantity: String, limit: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venue, symbol: pair, side: side, quantity: FixedDecimal(quantity)!,
                     limitPrice: FixedDecimal(limit)!, submittedAt: WallClock().now())
    }

    /// What the wallet's balances moved by, as a ledger books the reports: base and quote by the fill, the gas token
    /// by the gas (the fee is inside a swap's amounts).
    static func booked(_ updates: [OrderUpdate], side: Side) -> [Asset: FixedDecimal] {
        var moved: [Asset: FixedDecimal] = [:]
        for update in updates {
            if case .fill(let fill) = update.kind {
                let sign = side == .buy ? FixedDecimal.one : .zero - .one
                moved["ETH", default: .zero] += sign * fill.quantity
                moved["USDC", default: .zero] -= sign * (fill.notional + (side == .buy ? fill.fee : .zero - fill.fee))
            }
            if let token = update.gasToken { moved[token, default: .zero] -= update.gas }
        }
        return moved
    }

    @Test func sellsAndBuysOnBothPoolsBookWhatTheChainDid() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        let desk = try await desk(scene)
        let venue = desk.venue
        // The wallet holds native ETH (gas, and what a sell of ETH wraps) and USDC; ETH counts native and WETH.
        var before = try await venue.balances(on: "uni-v3")
        #expect(before["USDC"] == FixedDecimal(2_000_000))
        let cases: [(String, VenueId, Side, String, String)] = [
            ("o1", "uni-v3", .sell, "0.5", "2900"), ("o2", "uni-v3", .buy, "0.25", "3100"),
            ("o3", "v2", .sell, "0.3", "2900"), ("o4", "v2", .buy, "0.2", "3100"),
        ]
        for (id, market, side, quantity, limit) in cases {
            let nonceBefore = try await scene.nonce()
            let order = Self.order(id, venue: market, side: side, quantity: quantity, limit: limit)
            venue.submit(order)
            let told = try await updates(desk.inbox, until: id, quantity: order.quantity)
            guard case .accepted(let hash) = told.first?.kind else { Issue.record("\(id): \(told)"); continue }
            let fills = told.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
            #expect(fills.count == 1 && fills.first?.quantity == order.quantity, "\(id): exactly the quantity, \(fills)")
            // The swap is the transaction the venue named, mined; its Swap log is the fill.
            let receipt = try await scene.client.call("eth_getTransactionReceipt", [.string(hash)])
            #expect(try receipt.member("status").quantity() == 1)
            let price = try #require(fills.first).price
            #expect(side == .sell ? price >= FixedDecimal(limit)! : price <= FixedDecimal(limit)!, "\(id) at \(price)")
            let after = try await venue.balances(on: market)
            let moved = Self.booked(told, side: side)
            for asset in ["ETH", "USDC"] as [Asset] {
                #expect(after[asset]! - before[asset]! == moved[asset] ?? .zero, "\(id) \(asset): chain moved by \(after[asset]! - before[asset]!), booked \(moved[asset] ?? .zero)")
            }
            #expect(try await scene.nonce() > nonceBefore)
            before = after
        }
        // A restarted desk asks about an order it had out: the journal finds its transaction, the chain its fill.
        let restarted = try EVMLiveVenue(feed: desk.feed, key: scene.trader, journal: try EVMOrderJournal(path: desk.journalPath))
        guard case .found(let report) = try await restarted.query("o2", on: "uni-v3") else { Issue.record("o2 unknown"); return }
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal("0.25")!)
        #expect(try await restarted.query("never-sent", on: "uni-v3") == .unknown)
    }

    /// A limit the pool cannot meet: the signed swap reverts in simulation at the latest block, so nothing is sent
    /// (the nonce stays) and the order is refused with the router's reason. (A buy: a sell of ETH would first wrap
    /// what it lacks, a transaction of its own.)
    @Test func aSwapThatWouldRevertIsRefusedBeforeSending() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        let desk = try await desk(scene)
        // One approval first, so the nonce compared below is the swap's alone.
        desk.venue.submit(Self.order("warm", venue: "uni-v3", side: .buy, quantity: "0.01", limit: "3100"))
        _ = try await updates(desk.inbox, until: "warm", quantity: FixedDecimal("0.01")!)
        let nonce = try await scene.nonce("pending")
        desk.venue.submit(Self.order("low", venue: "uni-v3", side: .buy, quantity: "0.5", limit: "2000"))
        let told = try await updates(desk.inbox, until: "low", quantity: FixedDecimal("0.5")!)
        guard case .rejected(let failure) = told.last?.kind else { Issue.record("\(told)"); return }
        #expect(failure.failureClass == .market)
        #expect(failure.venueMessage?.contains("Too much requested") == true, "\(failure)")
        #expect(try await scene.nonce("pending") == nonce, "nothing was sent")
        guard case .found(let report) = try await desk.venue.query("low", on: "uni-v3") else { Issue.record("low unknown"); return }
        #expect(report.status == .rejected && report.filledQuantity.isZero)
    }

    /// A swap waiting to be mined, canceled by the desk: a 0-value transfer at its nonce is mined instead, and the order
    /// ends canceled with the cancel's gas; nothing traded. (An automining node keeps no mempool: the swap is made to
    /// wait by reverting the chain to before it, as a reorg would.)
    @Test func aSwapWaitingToBeMinedIsCanceledOnChain() async throws {
        let scene = try await SwapSendScene.start()
        defer { scene.node.stop() }
        // Three confirmations, and nobody mines between polls: a mined swap waits until the test mines. A swap the
        // node lost is sent again after two polls that miss it: 300 ms apart, time for the cancel to go first.
        let desk = try await desk(scene, patience: SwapExecutor.Patience(confirmations: 3, polls: 200,
                                                                         pause: { try? await Task.sleep(for: .milliseconds(300)) }))
        desk.venue.submit(Self.order("warm", venue: "uni-v3", side: .buy, quantity: "0.01", limit: "3100"))
        for _ in 0..<100 where desk.venue.journal.entry("warm")?.stage != .sent { try await Task.sleep(for: .milliseconds(20)) }
        try await scene.node.mine()
        try await scene.node.mine()
        _ = try await updates(desk.inbox, until: "warm", quantity: FixedDecimal("0.01")!)
        let before = try await desk.venue.balances(on: "uni-v3")
        let snapshot = try await scene.node.snapshot()
        desk.venue.submit(Self.order("c1", venue: "uni-v3", side: .buy, quantity: "0.5", limit: "3100"))
        for _ in 0..<100 where desk.venue.journal.entry("c1")?.stage != .sent { try await Task.sleep(for: .milliseconds(20)) }
        #expect(desk.venue.journal.entry("c1")?.stage == .sent)
        try await scene.node.revert(to: snapshot)
        desk.venue.cancel("c1", on: "uni-v3")
        // The cancel is journaled before it leaves: wait for the node's answer (the venue then says "cancel … sent"),
        // so that the two blocks mined next are its confirmations.
        var early: [OrderUpdate] = []
        for _ in 0..<400 where !early.contains(where: { if case .routeChanged = $0.kind { true } else { false } }) {
            early += desk.inbox.drain().orders.filter { $0.clientOrderId == "c1" }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await scene.node.mine()
        try await scene.node.mine()
        let told = early + (try await updates(desk.inbox, until: "c1", quantity: FixedDecimal("0.5")!))
        guard case .canceled = told.last?.kind else { Issue.record("\(told)"); return }
        #expect(!told.contains { if case .fill = $0.kind { true } else { false } })
        let gas = told.reduce(FixedDecimal.zero) { $0 + $1.gas }
        #expect(gas.isPositive, "the cancel's gas is the order's")
        let after = try await desk.venue.balances(on: "uni-v3")
        #expect(after["USDC"] == before["USDC"], "nothing traded")
        #expect(after["ETH"]! == before["ETH"]! - gas, "the wallet paid exactly the cancel's gas")
        guard case .found(let report) = try await desk.venue.query("c1", on: "uni-v3") else { Issue.record("c1 unknown"); return }
        #expect(report.status == .canceled)
        // Nothing pending any more: a second cancel is refused.
        desk.venue.cancel("c1", on: "uni-v3")
        try await Task.sleep(for: .milliseconds(100))
        #expect(desk.inbox.drain().orders.contains { if case .cancelRejected = $0.kind { true } else { false } })
    }
}
