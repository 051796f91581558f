import DexterCore
import DexterLedger
import Foundation
import GRDB

/// Booked arbitrages per second on the real ledger (WAL, synchronous FULL): one per commit, as the engine books,
/// and batched; then the report on a ledger of one million fills.
enum LedgerBenchmark {
    static func run() throws {
        let folder = NSTemporaryDirectory() + "dexter-ledger-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let ledger = try Ledger(path: folder + "/book.sqlite")
        try ledger.writer.seedBalances([BalanceChange(account: "alpha", asset: "USDT", delta: FixedDecimal(1_000_000_000)),
                                        BalanceChange(account: "beta", asset: "ETH", delta: FixedDecimal(1_000_000))])
        let single = 1_000
        var start = monotonicNanoseconds()
        for index in 0..<single {
            let entry = booking(index)
            try ledger.writer.book(entry.booking, opportunity: entry.opportunity)
        }
        let singleRate = Double(single) / (Double(monotonicNanoseconds() - start) / 1e9)
        let batches = 100, perBatch = 100
        start = monotonicNanoseconds()
        for batch in 0..<batches {
            try ledger.writer.book(batch: (0..<perBatch).map { booking(single + batch * perBatch + $0) })
        }
        let batchRate = Double(batches * perBatch) / (Double(monotonicNanoseconds() - start) / 1e9)
        print("ledger: booked arbitrages (2 orders, 2 fills, 4 balance changes each), synchronous FULL, WAL:")
        print("  one per commit: \(Int(singleRate))/s (\(single) bookings); batched \(perBatch) per commit: \(Int(batchRate))/s "
              + "(\(batches * perBatch)); batching is \(String(format: "%.1f", batchRate / singleRate))× faster")
        let problems = try ledger.reader.reconciliationProblems()
        precondition(problems.isEmpty, "the benchmark ledger does not reconcile: \(problems.prefix(3))")

        // A million fills, written straight in SQL (the report is what is measured, not how they got there).
        let bigPath = folder + "/million.sqlite"
        _ = try Ledger(path: bigPath)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: bigPath, configuration: configuration)
        start = monotonicNanoseconds()
        try queue.write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
                INSERT INTO trades (id, order_id, arbitrage_id, user, exchange, pair, side, amount, price, fee, fee_asset, gas,
                                    gas_asset, mark_price, notional_usd, profit_usd, profit_usd_nanos, created_at, notional_usd_nanos)
                SELECT 't' || i, 'o' || i, 'a' || (i / 2), 'bench',
                       CASE i % 6 WHEN 0 THEN 'binance' WHEN 1 THEN 'okx' WHEN 2 THEN 'coinbase' WHEN 3 THEN 'kraken'
                                  WHEN 4 THEN 'uniswap-v2' ELSE 'raydium' END,
                       CASE i % 4 WHEN 0 THEN 'ETH/USDT' WHEN 1 THEN 'BTC/USDT' WHEN 2 THEN 'SOL/USDC' ELSE 'ETH/USDC' END,
                       CASE i % 2 WHEN 0 THEN 'buy' ELSE 'sell' END, '1.5', '3000', '4.5', 'USDT', '0', NULL, '3000',
                       '4500.12345678', '0.' || (i % 1000), (i % 1000) * 1000000,
                       strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (i / 3000) || ' hours'), 4500123456780
                FROM n
                """)
        }
        let big = try Ledger(path: bigPath)
        try big.writer.rebuildRollup()
        print("  wrote 1,000,000 fills (and their rollup) in \(String(format: "%.1f", Double(monotonicNanoseconds() - start) / 1e9)) s")
        for grouping in ReportGrouping.allCases {
            var times: [UInt64] = []
            var rows = 0
            for _ in 0..<5 {
                let t0 = monotonicNanoseconds()
                rows = try big.reader.report(by: grouping).count
                times.append(monotonicNanoseconds() - t0)
            }
            times.sort()
            print("  report by \(grouping.rawValue) on 1,000,000 fills: median \(String(format: "%.2f", Double(times[2]) / 1e6)) ms, "
                  + "best \(String(format: "%.2f", Double(times[0]) / 1e6)) ms (\(rows) rows; aim under 200 ms)")
        }
    }

    static func booking(_ index: Int) -> (booking: ArbitrageBooking, opportunity: OpportunityRecord) {
        let now = Timestamp(nanoseconds: 1_764_000_000_000_000_000 + Int64(index) * 1_000_000)
        let id = "bench-a\(index)"
        let opportunity = OpportunityRecord(
            id: "bench-o\(index)", pair: "ETH/USDT", buyVenue: "alpha", sellVenue: "beta", quantity: FixedDecimal(1),
            gross: FixedDecimal(10), fees: FixedDecimal(6), gas: .zero, slippage: .zero, net: FixedDecimal(4),
            netUSD: FixedDecimal(4), decision: .approved, reason: nil, user: "bench", detectedAt: now, decidedAt: now,
            detailJSON: "{}")
        let orders = [Side.buy, .sell].enumerated().map { leg, side in
            OrderRecord(id: "\(id)-\(leg + 1)", venue: leg == 0 ? "alpha" : "beta", pair: "ETH/USDT", side: side,
                        quantity: FixedDecimal(1), limitPrice: FixedDecimal(3000), status: "filled", reason: nil,
                        filled: FixedDecimal(1), createdAt: now, updatedAt: now)
        }
        let trades = orders.map { order in
            TradeRecord(id: order.id + "-f1", orderId: order.id, user: "bench", exchange: order.venue, pair: "ETH/USDT",
                        side: order.side, amount: FixedDecimal(1), price: FixedDecimal(3000), fee: FixedDecimal(3), feeAsset: "USDT",
                        gas: .zero, gasAsset: nil, markPrice: FixedDecimal(3000), notionalUSD: FixedDecimal(3000),
                        profitUSD: FixedDecimal(2), createdAt: now)
        }
        let changes = [BalanceChange(account: "alpha", asset: "ETH", delta: FixedDecimal(1)),
                       BalanceChange(account: "alpha", asset: "USDT", delta: FixedDecimal(-3003)),
                       BalanceChange(account: "beta", asset: "ETH", delta: FixedDecimal(-1)),
                       BalanceChange(account: "beta", asset: "USDT", delta: FixedDecimal(2997))]
        let booking = ArbitrageBooking(id: id, opportunityId: opportunity.id, user: "bench", pair: "ETH/USDT", status: .completed,
                                       expectedNetUSD: FixedDecimal(4), realisedNetUSD: FixedDecimal(4), createdAt: now,
                                       orders: orders, trades: trades, balanceChanges: changes)
        return (booking, opportunity)
    }
}
