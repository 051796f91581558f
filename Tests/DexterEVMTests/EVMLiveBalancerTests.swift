import BigInt
import DexterCore
import DexterCrypto
@testable import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Testing

/// LIVE through a Balancer V2 Vault: orders become the Vault's `swap` (GIVEN_IN for a sell, GIVEN_OUT for a buy),
/// signed by dexter, against Tests/EVMContracts/BalancerWeightedStandIn.vy, whose swap runs BalancerWeightedMath.vy —
/// a Vyper port of Balancer V2's LogExpMath, FixedPoint and WeightedMath with the pool's scaling and fees. So dexter's
/// quote (DexterMarket's own Swift port) meets an independent implementation on chain, to the unit: BAL/USDC at 80/20
/// takes the exponent-4 shortcut of `powUp`, USDC/BAL the exponent 0.25 through LogExpMath's ln and exp. The wallet
/// is the node's dev account #1, given BAL and USDC by the deployer.
@Suite(.serialized) struct EVMLiveBalancerTests {
    static let balUSDC = Symbol(base: "BAL", quote: "USDC"), usdcBAL = Symbol(base: "USDC", quote: "BAL")
    static let bal = BigUInt(10).power(18), usd = BigUInt(10).power(6)

    struct Desk {
        let scene: BalancerScene
        let trader: EthereumPrivateKey
        let venue: EVMLiveVenue
        let inbox: VenueInbox
    }

    /// Two markets of the one pool: "bal" trades BAL against USDC, "bal-usdc" USDC against BAL.
    func desk() async throws -> Desk {
        let scene = try await BalancerScene.start()
        let trader = try EthereumPrivateKey(bytes: try Hex.decode(SwapSendScene.traderKey))
        for (token, amount) in [(0, 100_000 * Self.bal), (1, 300_000 * Self.usd)] {
            try await scene.node.send(from: scene.account, to: scene.tokens[token].address.checksummed,
                                      data: try ERC20Call.transfer(to: trader.address, amount: amount))
        }
        let chain = EVMChainSettings(chain: "local", chainId: UInt64(scene.node.chainId), gasToken: "ETH",
                                     rpcURLs: [scene.node.rpcURL], confirmations: 1, pollInterval: .milliseconds(50),
                                     tokens: ["BAL": scene.tokens[0].address, "USDC": scene.tokens[1].address])
        func watched(_ name: String, _ symbol: Symbol) -> EVMMarketFeed.WatchedPool {
            .init(venue: VenueSpec(id: VenueId(name), kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(30)),
                  dexName: "balancer", deployment: DexDeployment(protocolKind: .balancerWeighted, factory: scene.pool),
                  symbol: symbol, feePips: nil, gasUnits: 200_000, address: scene.pool)
        }
        let feed = try EVMMarketFeed(chain: chain, pools: [watched("bal", Self.balUSDC), watched("bal-usdc", Self.usdcBAL)])
        let journal = try EVMOrderJournal(path: NSTemporaryDirectory() + "dexter-balancer-\(UUID().uuidString).jsonl")
        let venue = try EVMLiveVenue(feed: feed, key: trader, journal: journal, patience: SwapExecutor.Patience(
            confirmations: 1, polls: 20, pause: { try? await Task.sleep(for: .milliseconds(20)) }))
        _ = try await venue.instruments()
        let inbox = VenueInbox()
        try await venue.connect(inbox)
        try await venue.subscribe([MarketKey(venue: "bal", symbol: Self.balUSDC), MarketKey(venue: "bal-usdc", symbol: Self.usdcBAL)],
                                  into: inbox)
        return Desk(scene: scene, trader: trader, venue: venue, inbox: inbox)
    }

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

    /// The pool as the feed holds it, once the feed has the chain's latest balances (the plan's state).
    func heldPool(_ desk: Desk, _ key: MarketKey) async throws -> WeightedPool {
        for _ in 0..<400 {
            let chain = try await desk.scene.reader.read(desk.scene.pool, at: desk.scene.client.blockNumber())
            if case .weighted(let held) = desk.venue.feed.market(key)?.liquidity,
               held.balancesScaled18 == zip(chain.balances, chain.decimals).map({ $0 * BigUInt(10).power(18 - $1) }) {
                return held
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw SceneError(description: "the feed never caught up with the pool")
    }

    /// The Vault's Swap in a receipt, decoded here from the event's ABI: (tokenIn, tokenOut, amountIn, amountOut).
    func vaultSwap(_ scene: BalancerScene, hash: String) async throws -> (tokenIn: EthereumAddress, tokenOut: EthereumAddress,
                                                                         amountIn: BigUInt, amountOut: BigUInt) {
        let receipt = try await scene.client.call("eth_getTransactionReceipt", [.string(hash)])
        #expect(try receipt.member("status").quantity() == 1)
        let topic = Keccak256.hash(Array("Swap(bytes32,address,address,uint256,uint256)".utf8))
        for log in try receipt.member("logs").elements()
        where try EthereumAddress(parsing: try log.member("address").string()) == scene.pool {
            let topics = try log.member("topics").elements().map { try $0.data() }
            guard topics.first == topic, topics.count == 4 else { continue }
            let amounts = try ABI.decode(try log.member("data").data(), as: [.uint(bits: 256), .uint(bits: 256)]).map(\.uintValue)
            return (EthereumAddress(bytes: Array(topics[2].suffix(20))), EthereumAddress(bytes: Array(topics[3].suffix(20))),
                    amounts[0], amounts[1])
        }
        throw SceneError(description: "no Vault Swap in \(hash)")
    }

    @Test func sellsAndBuysThroughTheVaultEqualDextersQuoteToTheUnit() async throws {
        let desk = try await desk()
        defer { desk.scene.node.stop() }
        let decimals: [Asset: Int] = ["BAL": 18, "USDC": 6]
        var before = try await desk.venue.balances(on: "bal")
        let cases: [(String, VenueId, Symbol, Side, String, String)] = [
            ("s1", "bal", Self.balUSDC, .sell, "1000", "2.9"), ("b1", "bal", Self.balUSDC, .buy, "500.25", "3.1"),
            ("s2", "bal-usdc", Self.usdcBAL, .sell, "3000.5", "0.3"), ("b2", "bal-usdc", Self.usdcBAL, .buy, "2000", "0.36"),
        ]
        for (id, venueId, symbol, side, quantity, limit) in cases {
            let key = MarketKey(venue: venueId, symbol: symbol)
            let pool = try await heldPool(desk, key)
            let baseDecimals = decimals[symbol.base]!, quoteDecimals = decimals[symbol.quote]!
            let units = BigUInt(try #require(FixedDecimal(quantity)).units(decimals: baseDecimals))
            // dexter's own quote, from the state the plan uses: what the quote side pays or gets, in its units.
            let quoted = side == .sell ? try pool.amountOut(i: pool.baseIndex, j: pool.quoteIndex, amountIn: units)
                                       : try pool.amountIn(i: pool.quoteIndex, j: pool.baseIndex, amountOut: units)
            let order = OrderRequest(clientOrderId: id, venue: venueId, symbol: symbol, side: side,
                                     quantity: FixedDecimal(quantity)!, limitPrice: FixedDecimal(limit)!, submittedAt: WallClock().now())
            desk.venue.submit(order)
            let told = try await updates(desk.inbox, until: id, quantity: order.quantity)
            guard case .accepted(let hash) = told.first?.kind else { Issue.record("\(id): \(told)"); continue }
            let fills = told.compactMap { if case .fill(let fill) = $0.kind { fill } else { nil } }
            guard fills.count == 1, let fill = fills.first else { Issue.record("\(id): one fill, got \(told)"); continue }
            let swap = try await vaultSwap(desk.scene, hash: hash)
            let (baseUnits, quoteUnits) = side == .sell ? (swap.amountIn, swap.amountOut) : (swap.amountOut, swap.amountIn)
            #expect(baseUnits == units, "\(id): exactly the quantity, in or out")
            #expect(quoteUnits == quoted, "\(id): the Vault's \(quoteUnits), dexter's quote \(quoted)")
            #expect(fill.quantity == order.quantity)
            #expect(fill.notional == FixedDecimal(units: Int128(quoteUnits), decimals: quoteDecimals), "\(id): \(fill)")
            #expect(side == .sell ? fill.price >= order.limitPrice : fill.price <= order.limitPrice)
            let after = try await desk.venue.balances(on: venueId)
            let sign = side == .buy ? FixedDecimal.one : .zero - .one
            let gas = told.reduce(FixedDecimal.zero) { $0 + $1.gas }
            #expect(gas.isPositive)
            #expect(after[symbol.base]! - before[symbol.base]! == sign * fill.quantity, "\(id) \(symbol.base)")
            #expect(after[symbol.quote]! - before[symbol.quote]! == .zero - sign * fill.notional, "\(id) \(symbol.quote)")
            #expect(after["ETH"]! - before["ETH"]! == .zero - gas, "\(id) ETH")
            before = after
        }
        guard case .found(let report) = try await desk.venue.query("b2", on: "bal-usdc") else { Issue.record("b2 unknown"); return }
        #expect(report.status == .filled && report.filledQuantity == FixedDecimal(2000))
        // A desk restarted before it heard the outcome asks the chain: the journal names the Vault and the pool's id,
        // and the Vault's log of that pool is the fill.
        var unsettled = try #require(desk.venue.journal.entry("b2"))
        #expect(unsettled.poolId != nil && unsettled.pool == desk.scene.pool.checksummed)
        unsettled.stage = .sent
        unsettled.report = nil
        let journal = try EVMOrderJournal(path: NSTemporaryDirectory() + "dexter-balancer-\(UUID().uuidString).jsonl")
        journal.record(unsettled)
        let restarted = try EVMLiveVenue(feed: desk.venue.feed, key: desk.trader, journal: journal)
        guard case .found(let asked) = try await restarted.query("b2", on: "bal-usdc") else { Issue.record("b2 unknown"); return }
        #expect(asked.status == .filled && asked.filledQuantity == report.filledQuantity && asked.notional == report.notional)
        #expect(asked.gas == report.gas, "the swap's gas (its approval was the order's too, journaled beside it)")
    }

    /// A limit the pool cannot meet: the Vault's swap reverts in the simulation with "BAL#507" (SWAP_LIMIT), the order
    /// is refused and nothing is sent.
    @Test func aLimitTheVaultCannotMeetIsRefusedWithItsCode() async throws {
        let desk = try await desk()
        defer { desk.scene.node.stop() }
        for (id, side) in [("warm-b", Side.buy), ("warm-s", .sell)] {
            let order = OrderRequest(clientOrderId: id, venue: "bal", symbol: Self.balUSDC, side: side, quantity: 1,
                                     limitPrice: side == .buy ? FixedDecimal("3.1")! : FixedDecimal("2.9")!,
                                     submittedAt: WallClock().now())
            desk.venue.submit(order)
            _ = try await updates(desk.inbox, until: id, quantity: 1)
        }
        let wallet = desk.trader.address.checksummed
        let nonce = try await desk.scene.client.call("eth_getTransactionCount", [.string(wallet), "pending"]).quantity()
        for (id, side, limit) in [("high", Side.sell, "3.5"), ("low", .buy, "2.5")] {
            let order = OrderRequest(clientOrderId: id, venue: "bal", symbol: Self.balUSDC, side: side, quantity: 1000,
                                     limitPrice: FixedDecimal(limit)!, submittedAt: WallClock().now())
            desk.venue.submit(order)
            let told = try await updates(desk.inbox, until: id, quantity: 1000)
            guard case .rejected(let failure) = told.last?.kind else { Issue.record("\(id): \(told)"); continue }
            #expect(failure.failureClass == .market)
            #expect(failure.venueMessage?.contains("BAL#507") == true, "\(failure)")
        }
        #expect(try await desk.scene.client.call("eth_getTransactionCount", [.string(wallet), "pending"]).quantity() == nonce)
    }
}
