import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// LIVE on dexter's Curve pool (Tests/EVMContracts/CurveStableSwap3.vy, the 3pool's integer math): orders of the desk
/// become the pool's own `exchange`, signed by dexter, and what the venue reports is the pool's TokenExchange log —
/// so a ledger booking the reports equals the wallet's balances on chain, gas included. The wallet is the node's dev
/// account #1 (the anvil mnemonic's public test key), given DAI and USDC by the deployer.
@Suite(.serialized) struct EVMLiveCurveTests {
    static let pair = Symbol(base: "DAI", quote: "USDC")
    static let venueId: VenueId = "crv"
    static let dai = BigUInt(10).power(18), usd = BigUInt(10).power(6)

    struct Desk {
        let scene: CurveScene
        let trader: EthereumPrivateKey
        let venue: EVMLiveVenue
        let inbox: VenueInbox
    }

    func desk() async throws -> Desk {
        let scene = try await CurveScene.start()
        let trader = try EthereumPrivateKey(bytes: try Hex.decode(SwapSendScene.traderKey))
        // The deployer holds the coins: 100,000 DAI and 100,000 USDC to the trader.
        for (coin, amount) in [(0, 100_000 * Self.dai), (1, 100_000 * Self.usd)] {
            try await scene.node.send(from: scene.account, to: scene.coins[coin].address.checksummed,
                                      data: try ERC20Call.transfer(to: trader.address, amount: amount))
        }
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 1, pollInterval: .milliseconds(50),
                                     tokens: ["DAI": scene.coins[0].address, "USDC": scene.coins[1].address])
        let spec = VenueSpec(id: Self.venueId, kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30))
        let feed = try EVMMarketFeed(chain: chain, pools: [
            .init(venue: spec, dexName: "curve", deployment: DexDeployment(protocolKind: .curve, factory: scene.pool),
                  symbol: Self.pair, feePips: nil, gasUnits: 180_000, address: scene.pool),
        ])
        let journal = try EVMOrderJournal(path: NSTemporaryDirectory() + "dexter-curve-\(UUID().uuidString).jsonl")
        let venue = try EVMLiveVenue(feed: feed, key: trader, journal: journal, patience: SwapExecutor.Patience(
            confirmations: 1, polls: 20, pause: { try? await Task.sleep(for: .milliseconds(20)) }))
        _ = try await venue.instruments()
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        // Followed block by block, as a desk's feed is (the plan reads the pool as the feed holds it).
        try await venue.subscribe([MarketKey(venue: Self.venueId, symbol: Self.pair)], into: inbox)
        return Desk(scene: scene, trader: trader, venue: venue, inbox: inbox)
    }

    /// Waits for the order's last word — a fill of at least its quantity (a Curve buy may get a few units more), or an
    /// end — collecting every update.
    func updates(_ inbox: VenueInbox, until clientOrderId: String, quantity: FixedDecimal) async throws -> [OrderUpdate] {
        var seen: [OrderUpdate] = []
        for _ in 0..<400 {
            seen += inbox.drain().orders
            let mine = seen.filter { $0.clientOrderId == clientOrderId }
            let filled = mine.reduce(FixedDecimal.zero) { if case .fill(let fill) = $1.kind { $0 + fill.quantity } else { $0 } }
            if filled >= quantity || mine.contains(where: \.endsTheOrder) { return mine }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw SceneError(description: "no end for \(clientOrderId): \(seen)")
    }

    /// Waits until the feed's pool has the chain's latest balances.
    func feedCaughtUp(_ desk: Desk) async throws {
        let key = MarketKey(venue: Self.venueId, symbol: Self.pair)
        for _ in 0..<400 {
            let chain = try await desk.scene.reader.read(desk.scene.pool)
            if case .stableSwap(let held) = desk.venue.feed.market(key)?.liquidity, held.balances == chain.balances { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw SceneError(description: "the feed never caught up with the pool")
    }

    static func order(_ id: String, side: Side, quantity: String, limit: String) -> OrderRequest {
        OrderRequest(clientOrderId: id, venue: venueId, symbol: pair, side: side, quantity: FixedDecimal(quantity)!,
                     limitPrice: FixedDecimal(limit)!, submittedAt: WallClock().now())
    }

    /// The pool's TokenExchange in a receipt: (sold id, tokens sold, bought id, tokens bought), decoded here from the
    /// event's ABI rather than by dexter's SwapFill.
    func tokenExchange(_ scene: CurveScene, hash: String) async throws -> (block: UInt64, sold: Int, dx: BigUInt, bought: Int, dy: BigUInt) {
        let receipt = try await scene.client.call("eth_getTransactionReceipt", [.string(hash)])
        #expect(try receipt.member("status").quantity() == 1)
        let topic = Keccak256.hash(Array("TokenExchange(address,int128,uint256,int128,uint256)".utf8))
        for log in try receipt.member("logs").elements()
        where try EthereumAddress(parsing: try log.member("address").string()) == scene.pool {
            guard try log.member("topics").elements().first?.data() == topic else { continue }
            let words = try ABI.decode(try log.member("data").data(), as: [.int(bits: 128), .uint(bits: 256), .int(bits: 128), .uint(bits: 256)])
            guard case .int(let sold) = words[0], case .uint(let dx) = words[1], case .int(let bought) = words[2],
                  case .uint(let dy) = words[3] else { break }
            return (try receipt.member("blockNumber").uint64(), Int(sold), dx, Int(bought), dy)
        }
        throw SceneError(description: "no TokenExchange of the pool in \(hash)")
    }

    @Test func aSellAndABuyLandAndBookExactlyWhatThePoolDid() async throws {
        let desk = try await desk()
        defer { desk.scene.node.stop() }
        var before = try await desk.venue.balances(on: Self.venueId)
        #expect(before["DAI"] == FixedDecimal(100_000) && before["USDC"] == FixedDecimal(100_000))
        for (id, side, quantity, limit) in [("s1", Side.sell, "1000", "0.99"), ("b1", .buy, "500.5", "1.01")] {
            // The desk plans on the pool as its feed holds it: let the feed see the last swap's block first, so that
            // "smallest input" below is measured against the state the plan used.
            try await feedCaughtUp(desk)
            let order = Self.order(id, side: side, quantity: quantity, limit: limit)
            desk.venue.submit(order)
            let told = try await updates(desk.inbox, until: id, quantity: order.quantity)
            guard case .accepted(let hash) = told.first?.kind else { Issue.record("\(id): \(told)"); continue }
            let fills = told.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
            guard fills.count == 1, let fill = fills.first else { Issue.record("\(id): one fill, got \(told)"); continue }
            // The report is the pool's log, to the unit: DAI is coin 0 (18 decimals), USDC coin 1 (6).
            let exchange = try await tokenExchange(desk.scene, hash: hash)
            let (daiUnits, usdcUnits) = side == .sell ? (exchange.dx, exchange.dy) : (exchange.dy, exchange.dx)
            #expect((exchange.sold, exchange.bought) == (side == .sell ? (0, 1) : (1, 0)))
            #expect(fill.quantity == FixedDecimal(units: Int128(daiUnits), decimals: 18), "\(id): \(fill) vs \(exchange)")
            #expect(fill.notional == FixedDecimal(units: Int128(usdcUnits), decimals: 6), "\(id): \(fill) vs \(exchange)")
            let state = try await desk.scene.reader.read(desk.scene.pool, at: exchange.block - 1)
            switch side {
            case .sell:
                #expect(fill.quantity == order.quantity, "a sell spends exactly its quantity")
                #expect(fill.price >= order.limitPrice)
            case .buy:
                // The smallest input whose exact output reaches the quantity: one USDC unit less would not.
                let wanted = try #require(FixedDecimal(quantity)).units(decimals: 18)
                #expect(fill.quantity >= order.quantity && fill.notional <= order.quantity * order.limitPrice)
                // One USDC unit buys ~10^12 DAI units: the smallest input pays a little more than asked, and the fill
                // says so (the desk books what came, and counts the order complete).
                #expect(fill.quantity > order.quantity && fill.quantity - order.quantity < FixedDecimal("0.000002")!,
                        "\(fill.quantity) for \(order.quantity)")
                #expect(try state.exchangeOut(i: 1, j: 0, dx: exchange.dx) == exchange.dy)
                #expect(try state.exchangeOut(i: 1, j: 0, dx: exchange.dx - 1) < BigUInt(wanted))
            }
            // The wallet moved by what a ledger books from the updates: DAI by the fill, USDC by its notional, ETH by
            // the gas (the approval's and the swap's).
            let after = try await desk.venue.balances(on: Self.venueId)
            let sign = side == .buy ? FixedDecimal.one : .zero - .one
            let gas = told.reduce(FixedDecimal.zero) { $0 + $1.gas }
            #expect(gas.isPositive && told.allSatisfy { $0.gasToken == nil || $0.gasToken == "ETH" })
            #expect(after["DAI"]! - before["DAI"]! == sign * fill.quantity, "\(id) DAI")
            #expect(after["USDC"]! - before["USDC"]! == .zero - sign * fill.notional, "\(id) USDC")
            #expect(after["ETH"]! - before["ETH"]! == .zero - gas, "\(id) ETH")
            before = after
        }
        // Asked again (a restarted desk), the journal and the chain give the same fill.
        guard case .found(let report) = try await desk.venue.query("b1", on: Self.venueId) else { Issue.record("b1 unknown"); return }
        #expect(report.status == .filled && report.filledQuantity >= FixedDecimal("500.5")!)
        // A desk restarted before it heard the outcome asks the chain: the pool's TokenExchange is the fill.
        var unsettled = try #require(desk.venue.journal.entry("b1"))
        unsettled.stage = .sent
        unsettled.report = nil
        let journal = try EVMOrderJournal(path: NSTemporaryDirectory() + "dexter-curve-\(UUID().uuidString).jsonl")
        journal.record(unsettled)
        let restarted = try EVMLiveVenue(feed: desk.venue.feed, key: desk.trader, journal: journal)
        guard case .found(let asked) = try await restarted.query("b1", on: Self.venueId) else { Issue.record("b1 unknown"); return }
        #expect(asked.status == .filled && asked.filledQuantity == report.filledQuantity && asked.notional == report.notional)
    }

    /// A minimum the pool cannot pay: the signed exchange reverts in simulation with the pool's own reason, the order
    /// is refused and nothing is sent (the nonce stays) — for a sell's min_dy, and for a buy whose limit cannot pay
    /// for its quantity (sent to the simulation at the most the limit allows).
    @Test func aMinimumThePoolCannotMeetIsRefusedWithItsReason() async throws {
        let desk = try await desk()
        defer { desk.scene.node.stop() }
        // The approvals first (USDC for a buy, DAI for a sell), so the nonce compared below is the swaps' alone.
        for (id, side) in [("warm-b", Side.buy), ("warm-s", .sell)] {
            desk.venue.submit(Self.order(id, side: side, quantity: "1", limit: side == .buy ? "1.01" : "0.99"))
            _ = try await updates(desk.inbox, until: id, quantity: FixedDecimal.one)
        }
        let nonce = try await desk.scene.client.call("eth_getTransactionCount", [.string(desk.trader.address.checksummed),
                                                                                 "pending"]).quantity()
        for (id, side, limit) in [("high", Side.sell, "1.2"), ("low", .buy, "0.8")] {
            desk.venue.submit(Self.order(id, side: side, quantity: "1000", limit: limit))
            let told = try await updates(desk.inbox, until: id, quantity: FixedDecimal(1000))
            guard case .rejected(let failure) = told.last?.kind else { Issue.record("\(id): \(told)"); continue }
            #expect(failure.failureClass == .market)
            #expect(failure.venueMessage?.contains("Exchange resulted in fewer coins than expected") == true, "\(failure)")
            guard case .found(let report) = try await desk.venue.query(id, on: Self.venueId) else { Issue.record("\(id) unknown"); continue }
            #expect(report.status == .rejected && report.filledQuantity.isZero)
        }
        let after = try await desk.scene.client.call("eth_getTransactionCount", [.string(desk.trader.address.checksummed),
                                                                                 "pending"]).quantity()
        #expect(after == nonce, "nothing was sent")
    }
}
