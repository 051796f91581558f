import DexterCore
import DexterDetect
import DexterEngine
import DexterMarket
import DexterRisk

/// Canned snapshots: panels are pure functions of them, so frames are compared to goldens cell for cell.
enum SnapshotFixtures {
    static let now = Timestamp(nanoseconds: 1_764_092_645_000_000_000)

    static func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

    /// The engine's word for a completed arbitrage: "#2 ETH/USDT binance→okx completed: realised $3.10 vs est. $3.25
    /// (booked m4x1-a2)".
    static var booked: DeskEvent {
        let symbol = Symbol(base: "ETH", quote: "USDT")
        let name = DeskEvent.ExecutionName(purpose: .arbitrage, opportunityId: 2,
                                           route: Route(symbol: symbol, buyVenue: "binance", sellVenue: "okx"), symbol: symbol,
                                           venues: ["binance", "okx"])
        return .booked(DeskEvent.Booking(id: "m4x1-a2", execution: name, status: .completed, realisedUSD: d("3.10"),
                                         estimatedNetUSD: d("3.25")))
    }

    /// `sellPair` makes a basis trade: the sell leg in another instrument of the same underlying.
    static func opportunity(id: UInt64, pair: String = "ETH/USDT", sellPair: String? = nil, buy: String = "binance",
                            sell: String = "okx", quantity: String = "1.5", buyPrice: String = "3000",
                            sellPrice: String = "3010", ageMillis: Int64 = 120) -> Opportunity {
        let symbol = try! Symbol(parsing: pair)
        let q = d(quantity)
        let buyNotional = q * d(buyPrice)
        let sellNotional = q * d(sellPrice)
        let received = Timestamp(nanoseconds: now.nanoseconds - ageMillis * 1_000_000)
        let buyLeg = OpportunityLeg(
            venue: VenueId(buy), side: .buy, symbol: symbol,
            quote: LegQuote(side: .buy, quantity: q, notional: buyNotional, fee: buyNotional * d("0.001"),
                            topPrice: d(buyPrice), worstPrice: d(buyPrice)),
            gas: .zero, gasToken: nil, venueTime: received, receivedAt: received)
        let sellLeg = OpportunityLeg(
            venue: VenueId(sell), side: .sell, symbol: try! Symbol(parsing: sellPair ?? pair),
            quote: LegQuote(side: .sell, quantity: q, notional: sellNotional, fee: sellNotional * d("0.001"),
                            topPrice: d(sellPrice), worstPrice: d(sellPrice)),
            gas: .zero, gasToken: nil, venueTime: received, receivedAt: received)
        let fees = buyLeg.fee + sellLeg.fee
        let net = sellNotional - buyNotional - fees
        return Opportunity(id: id, buy: buyLeg, sell: sellLeg, gross: sellNotional - buyNotional, fees: fees,
                           gasCost: .zero, net: net, netUSD: net, detectedAt: received,
                           expiresAt: received.adding(.seconds(3)))
    }

    static let wallets = [
        WalletLabel(name: "hot", kind: .evm, address: "0x71C7656EC7ab88b098defB751B7401B5f6d8976F", chains: ["ethereum", "bsc"]),
        WalletLabel(name: "binance", kind: .cex, address: "binance", chains: ["binance"], keyNote: "key …Q7xa 12d"),
        WalletLabel(name: "vault", kind: .evmWatch, address: "0xde0B295669a9FD93d5F28D9Ec85E40f4cb697BAe", chains: ["ethereum"]),
    ]

    static func snapshot(opportunities: [Opportunity]? = nil, confirmation: Confirmation? = nil) -> Snapshot {
        let list = opportunities ?? [
            opportunity(id: 7, quantity: "2", buyPrice: "3000", sellPrice: "3012.5"),
            opportunity(id: 3, pair: "SOL/USDC", buy: "raydium", sell: "binance", quantity: "40.123", buyPrice: "239.1",
                        sellPrice: "239.9", ageMillis: 850),
            opportunity(id: 12, pair: "BTC/USDT", buy: "kraken", sell: "binance", quantity: "0.01234", buyPrice: "97000",
                        sellPrice: "97300", ageMillis: 4000),
        ]
        var snapshot = Snapshot(
            mode: .sim, user: "alice", clock: now, opportunities: list,
            feed: FeedHealth(updatesPerSecond: 512.4, venues: 10, staleVenues: []),
            pnl: PnLSummary(realisedTodayUSD: d("123.45"), arbitragesToday: 4, tradesToday: 8,
                            volumeTodayUSD: d("48210.5"), history: [0, 10, 5, 40, 123.45]),
            limits: [LimitUsage(name: "daily volume", used: d("48210.5"), limit: d("1000000"), unit: "USD"),
                     LimitUsage(name: "position ETH", used: d("45"), limit: d("50"), unit: "ETH"),
                     LimitUsage(name: "position BTC", used: d("3"), limit: d("4"), unit: "BTC")],
            limitsSummary: RiskLimitsSummary(maxNotionalPerTradeUSD: d("25000"), allowedPairs: 8),
            tradingState: .active,
            balances: [BalanceRow(account: "binance", chain: nil, asset: "ETH", amount: d("15.25"), usdValue: 51850),
                       BalanceRow(account: "binance", chain: nil, asset: "USDT", amount: d("60000"), usdValue: 60000),
                       BalanceRow(account: "wallet@ethereum", chain: "ethereum", asset: "ETH", amount: d("20"), usdValue: 68000)],
            notifications: [Notification(time: now, event: booked)],
            confirmation: confirmation, executing: [])
        snapshot.wallets = WalletAttribution.group(snapshot.balances, wallets: wallets, source: "simulated")
        snapshot.unwindCosts = [7: d("7.35")]
        var eth = PositionRow(asset: "ETH", quantity: d("35.25"), usdValue: 119_850, unrealisedUSD: -412.5,
                              accounts: [("wallet@ethereum", d("20")), ("binance", d("15.25"))])
        eth.realisedTodayUSD = d("123.45")
        eth.realisedByVenue = [("binance", d("100.00")), ("okx", d("23.45"))]
        snapshot.positions = [
            eth,
            PositionRow(asset: "USDT", quantity: d("60000"), usdValue: 60_000, unrealisedUSD: 0, accounts: [("binance", d("60000"))]),
        ]
        let earlier = Timestamp(nanoseconds: now.nanoseconds - 2_000_000_000)
        snapshot.orders = [
            OrderRow(clientOrderId: "r-a3-1", opportunityId: 7, venue: "binance", side: .buy, symbol: Symbol(base: "ETH", quote: "USDT"), quantity: d("2"),
                     limitPrice: d("3000"), filled: .zero, averagePrice: .zero, state: .submitted, reason: nil,
                     submittedAt: now, updatedAt: now),
            OrderRow(clientOrderId: "r-a2-2", opportunityId: 2, venue: "okx", side: .sell, symbol: Symbol(base: "ETH", quote: "USDT"), quantity: d("1.5"),
                     limitPrice: d("3010"), filled: d("1.5"), averagePrice: d("3010.2"), state: .filled, reason: nil,
                     submittedAt: earlier, updatedAt: earlier),
            OrderRow(clientOrderId: "r-a1-1", opportunityId: 1, venue: "kraken", side: .buy, symbol: Symbol(base: "BTC", quote: "USDT"), quantity: d("0.01"),
                     limitPrice: d("97000"), filled: .zero, averagePrice: .zero, state: .rejected, reason: "no liquidity at the limit",
                     submittedAt: earlier, updatedAt: earlier),
        ]
        return snapshot
    }
}
