import DexterCore
import DexterLedger
import Foundation
import GRDB
import Testing

/// Each test gets its own SQLite file, as the ledger is used for real.
@Suite struct LedgerTests {
    let path: String
    let ledger: Ledger

    init() throws {
        path = NSTemporaryDirectory() + "dexter-ledger-\(UUID().uuidString).sqlite"
        ledger = try Ledger(path: path)
    }

    func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }
    let time = Timestamp(nanoseconds: 1_764_092_645_123_000_000)

    func opportunityRecord(_ id: String) -> OpportunityRecord {
        OpportunityRecord(id: id, pair: "ETH/USDT", buyVenue: "binance", sellVenue: "okx", quantity: d("1.5"),
                          gross: d("12"), fees: d("9.01"), gas: .zero, slippage: d("0.5"), net: d("2.49"),
                          netUSD: d("2.489"), decision: .approved, reason: nil, user: "alice", detectedAt: time,
                          decidedAt: time, detailJSON: "{}")
    }

    func booking(_ id: String, profit: String = "1.25", at created: Timestamp? = nil) -> ArbitrageBooking {
        let at = created ?? time
        let trades = [
            TradeRecord(id: "\(id)-1-f1", orderId: "\(id)-1", user: "alice", exchange: "binance", pair: "ETH/USDT",
                        side: .buy, amount: d("1.5"), price: d("3000.123456789012345678"), fee: d("4.5001851851"),
                        feeAsset: "USDT", gas: .zero, gasAsset: nil, markPrice: d("3001"), notionalUSD: d("4500.18"),
                        profitUSD: d("0.5"), createdAt: at),
            TradeRecord(id: "\(id)-2-f1", orderId: "\(id)-2", user: "alice", exchange: "okx", pair: "ETH/USDT",
                        side: .sell, amount: d("1.5"), price: d("3004"), fee: d("4.506"), feeAsset: "USDT",
                        gas: .zero, gasAsset: nil, markPrice: d("3001"), notionalUSD: d("4506"),
                        profitUSD: d(profit) - d("0.5"), createdAt: at),
        ]
        let orders = trades.map {
            OrderRecord(id: $0.orderId, venue: $0.exchange, pair: $0.pair, side: $0.side, quantity: $0.amount,
                        limitPrice: $0.price, status: "filled", reason: nil, filled: $0.amount, createdAt: at, updatedAt: at)
        }
        return ArbitrageBooking(
            id: id, opportunityId: "\(id)-o", user: "alice", pair: "ETH/USDT", status: .completed,
            expectedNetUSD: d("2.489"), realisedNetUSD: d(profit), createdAt: at, orders: orders, trades: trades,
            balanceChanges: [BalanceChange(account: "binance", asset: "ETH", delta: d("1.5")),
                             BalanceChange(account: "binance", asset: "USDT", delta: d("-4504.685370370370370370")),
                             BalanceChange(account: "okx", asset: "ETH", delta: d("-1.5"))])
    }

    @Test func booksAndReadsBackExactly() throws {
        #expect(try ledger.writer.seedBalances([BalanceChange(account: "binance", asset: "USDT", delta: d("10000")),
                                                BalanceChange(account: "okx", asset: "ETH", delta: d("3"))]))
        var record = opportunityRecord("o1")
        record.id = "a1-o"
        try ledger.writer.book(booking("a1"), opportunity: record)
        let trades = try ledger.reader.trades()
        #expect(trades.count == 2)
        let buy = try #require(trades.first { $0.side == .buy })
        #expect(buy.price == d("3000.123456789012345678"))
        #expect(buy.fee == d("4.5001851851"))
        #expect(buy.createdAt == time)
        let balances = try ledger.reader.balances()
        #expect(balances.first { $0.account == "binance" && $0.asset == "USDT" }?.delta == d("5495.31462962962962963"))
        #expect(balances.first { $0.account == "okx" && $0.asset == "ETH" }?.delta == d("1.5"))
        #expect(balances.first { $0.account == "binance" && $0.asset == "ETH" }?.delta == d("1.5"))
        // Seeding again does nothing: the ledger's balances are the truth once they exist.
        #expect(try ledger.writer.seedBalances([BalanceChange(account: "binance", asset: "USDT", delta: d("1"))]) == false)
    }

    @Test func storesAmountsAsExactTextAndProfitAsSortableInteger() throws {
        var record = opportunityRecord("o")
        record.id = "a1-o"
        try ledger.writer.book(booking("a1", profit: "1.25"), opportunity: record)
        let queue = try DatabaseQueue(path: path)
        try queue.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT typeof(amount) AS t, amount, typeof(profit_usd_nanos) AS p, profit_usd_nanos FROM trades WHERE side = 'buy'"))
            #expect(row["t"] as String == "text")
            #expect(row["amount"] as String == "1.5")
            #expect(row["p"] as String == "integer")
            #expect(row["profit_usd_nanos"] as Int64 == 500_000_000)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'trades' AND sql IS NOT NULL")
            #expect(Set(indexes) == ["trades_by_user_time", "trades_by_exchange_pair", "trades_by_user_profit", "trades_by_time"])
        }
    }

    @Test func summarisesTheUTCDay() throws {
        for (index, profit) in ["1.25", "-0.40", "2.10"].enumerated() {
            var record = opportunityRecord("o\(index)")
            record.id = "a\(index)-o"
            try ledger.writer.book(booking("a\(index)", profit: profit), opportunity: record)
        }
        let yesterday = Timestamp(nanoseconds: time.nanoseconds - 86_400_000_000_000)
        var old = opportunityRecord("old")
        old.id = "old-o"
        try ledger.writer.book(booking("old", profit: "100", at: yesterday), opportunity: old)
        let summary = try ledger.reader.summary(ofDayContaining: time, user: "alice")
        #expect(summary.arbitrageCount == 3)
        #expect(summary.tradeCount == 6)
        #expect(summary.realisedNetUSD == d("2.95"))
        #expect(summary.volumeUSD == d("27018.54"))
        #expect(try ledger.reader.summary(ofDayContaining: time, user: "bob").arbitrageCount == 0)
    }

    @Test func aFailedBookingLeavesNothingHalfWritten() throws {
        var record = opportunityRecord("o")
        record.id = "dup-o"
        try ledger.writer.book(booking("dup"), opportunity: record)
        // The same arbitrage id again violates the primary key after the opportunity row was written: all or nothing.
        var second = opportunityRecord("o2")
        second.id = "dup-o2"
        #expect(throws: (any Error).self) { try ledger.writer.book(booking("dup"), opportunity: second) }
        let queue = try DatabaseQueue(path: path)
        let counts = try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM opportunities"), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trades"))
        }
        #expect(counts.0 == 1)
        #expect(counts.1 == 2)
        #expect(try ledger.reader.integrityCheck() == "ok")
    }

    @Test func reopensAnExistingLedger() throws {
        var record = opportunityRecord("o")
        record.id = "a1-o"
        try ledger.writer.book(booking("a1"), opportunity: record)
        let reopened = try Ledger(path: path)
        #expect(try reopened.reader.trades().count == 2)
    }

    @Test func reconciliationFindsABalanceThatDriftedFromItsJournal() throws {
        let ledger = try Ledger(path: path)
        try ledger.writer.seedBalances([BalanceChange(account: "binance", asset: "USDT", delta: FixedDecimal(1000))])
        #expect(try ledger.reader.reconciliationProblems() == [])
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE balances SET amount = '1000.5' WHERE account = 'binance' AND asset = 'USDT'")
        }
        let problems = try ledger.reader.reconciliationProblems()
        #expect(problems == ["balance binance USDT is 1000.5 but its journal sums to 1000"])
    }

    /// Two bookings that sold one balance twice leave it negative, journal and all: the check says so.
    @Test func reconciliationFindsANegativeBalance() throws {
        try ledger.writer.seedBalances([BalanceChange(account: "binance", asset: "SOL", delta: FixedDecimal(200))])
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE balance_changes SET delta = '-93.91' WHERE account = 'binance' AND asset = 'SOL'")
            try db.execute(sql: "UPDATE balances SET amount = '-93.91' WHERE account = 'binance' AND asset = 'SOL'")
        }
        #expect(try ledger.reader.reconciliationProblems()
                == ["balance binance SOL is negative (-93.91): more was spent than the account held"])
    }

    /// A funding payment moves its account's collateral once, however often it is booked, counts in the day's P&L,
    /// and a journal that lost or changed its change is found.
    @Test func fundingIsBookedOnceAndItsCollateralChangeIsProved() throws {
        try ledger.writer.seedBalances([BalanceChange(account: "binance-usdm", asset: "USDT", delta: FixedDecimal(1000)),
                                        BalanceChange(account: "bybit", asset: "USDT", delta: FixedDecimal(100))])
        let paid = FundingRecord(venue: "binance-usdm", id: "8812", account: "binance-usdm", symbol: "BTC/USDT:USDT",
                                 amount: d("-2.70000001"), asset: "USDT", amountUSD: d("-2.700000009"), rate: d("0.0001"),
                                 positionSize: d("0.9"), markPrice: d("30000.0001"), user: "alice", at: time)
        #expect(try ledger.writer.book(paid))
        #expect(try !ledger.writer.book(paid), "the same venue and id is booked once")
        var other = paid
        other.venue = "bybit"
        other.account = "bybit"
        #expect(try ledger.writer.book(other), "another venue's id is another payment")
        #expect(try ledger.reader.balances().first { $0.account == "binance-usdm" }?.delta == d("997.29999999"))
        #expect(try ledger.reader.funding(venue: "binance-usdm").map(\.amount) == [d("-2.70000001")])
        let day = try ledger.reader.summary(ofDayContaining: time)
        #expect(day.fundingUSD == d("-5.400000018") && day.realisedNetUSD == d("-5.400000018"))
        #expect(try ledger.reader.reconciliationProblems() == [])
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE balance_changes SET delta = '-2.7' WHERE source = 'funding:binance-usdm:8812'")
            try db.execute(sql: "UPDATE balances SET amount = '997.3' WHERE account = 'binance-usdm'")
        }
        #expect(try ledger.reader.reconciliationProblems()
                == ["funding binance-usdm 8812 of -2.70000001 moved collateral by -2.7 in 1 change(s)"])
    }

    /// FIFO: opening lot 1 ETH at $90; buys of 1 at $100 and 1 at $110 (cash in USD, fees included); a sell of 2.5
    /// for $300 consumes the opening lot, the $100 lot and half the $110 lot: 300 − (90 + 100 + 55) = 55.
    @Test func sellsRealiseAgainstTheOldestLotsFirst() throws {
        let ledger = try Ledger(path: path)
        try ledger.writer.seedLots([("binance", "ETH", d("1"), d("90"))], at: time)
        #expect(try ledger.writer.seedLots([("binance", "ETH", d("5"), d("1"))], at: time) == false, "opening lots are seeded once")
        func fill(_ id: String, _ side: Side, _ amount: String, cashUSD: String) -> TradeRecord {
            var trade = TradeRecord(id: "\(id)-f1", orderId: id, user: "alice", exchange: "binance", pair: "ETH/USDT", side: side,
                                    amount: d(amount), price: d(cashUSD) / d(amount), fee: .zero, feeAsset: "USDT", gas: .zero,
                                    gasAsset: nil, markPrice: d("100"), notionalUSD: d(cashUSD), profitUSD: .zero, createdAt: time)
            trade.account = "binance"
            trade.cashUSD = d(cashUSD)
            return trade
        }
        func book(_ id: String, _ trades: [TradeRecord]) throws {
            let orders = trades.map {
                OrderRecord(id: $0.orderId, venue: $0.exchange, pair: $0.pair, side: $0.side, quantity: $0.amount, limitPrice: $0.price,
                            status: "filled", reason: nil, filled: $0.amount, createdAt: time, updatedAt: time)
            }
            try ledger.writer.book(ArbitrageBooking(id: id, opportunityId: "\(id)-o", user: "alice", pair: "ETH/USDT", status: .completed,
                                                    expectedNetUSD: .zero, realisedNetUSD: .zero, createdAt: time, orders: orders,
                                                    trades: trades, balanceChanges: []),
                                   opportunity: opportunityRecord("\(id)-o"))
        }
        try book("b1", [fill("b1-1", .buy, "1", cashUSD: "100")])
        try book("b2", [fill("b2-1", .buy, "1", cashUSD: "110")])
        try book("s1", [fill("s1-1", .sell, "2.5", cashUSD: "300")])
        #expect(try ledger.reader.fifoRealised().map(\.realisedUSD) == [d("55")])
        let open = try ledger.reader.openLots()
        #expect(open.count == 1 && open[0].quantity == d("0.5") && open[0].averageCostUSD == d("110"))
        // A sell beyond every lot realises only what lots covered.
        try book("s2", [fill("s2-1", .sell, "1", cashUSD: "130")])
        #expect(try ledger.reader.fifoRealised().map(\.realisedUSD) == [d("55") + (d("65") - d("55"))])
        #expect(try ledger.reader.openLots().isEmpty)
    }
}
