import DexterCore
import GRDB

/// Reads what is booked. Safe from any thread; never blocks the writer (WAL).
public struct LedgerReader: Sendable {
    let pool: DatabasePool

    /// Booked trades, newest first.
    public func trades(user: String? = nil, limit: Int = 100) throws -> [TradeRecord] {
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM trades WHERE (?1 IS NULL OR user = ?1) ORDER BY created_at DESC, id DESC LIMIT ?2
                """, arguments: [user, limit])
            return try rows.map(Self.trade)
        }
    }

    /// Booked executions, newest first: what each was, how it ended and what it realised.
    public func bookings(limit: Int = 100) throws -> [BookingSummary] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, kind, pair, status, realised_net_usd, explanation FROM arbitrages ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                BookingSummary(id: row["id"], kind: ArbitrageBooking.Kind(rawValue: row["kind"]) ?? .arbitrage, pair: row["pair"],
                               status: row["status"], realisedNetUSD: try FixedDecimal(parsing: row["realised_net_usd"]),
                               explanation: row["explanation"])
            }
        }
    }

    /// Booked funding payments, newest first (all of them, or those of one venue).
    public func funding(venue: String? = nil, limit: Int = 1_000) throws -> [FundingRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM funding WHERE (?1 IS NULL OR venue = ?1) ORDER BY at DESC, venue, id LIMIT ?2
                """, arguments: [venue, limit]).map { row in
                func optional(_ column: String) throws -> FixedDecimal? {
                    try (row[column] as String?).map { try FixedDecimal(parsing: $0) }
                }
                return FundingRecord(venue: row["venue"], id: row["id"], account: row["account"], symbol: row["symbol"],
                                     amount: try FixedDecimal(parsing: row["amount"]), asset: row["asset"],
                                     amountUSD: try FixedDecimal(parsing: row["amount_usd"]), rate: try optional("rate"),
                                     positionSize: try optional("position_size"), markPrice: try optional("mark_price"),
                                     user: row["user"], at: try Self.timestamp(row["at"]))
            }
        }
    }

    /// Open perpetual positions, by account and symbol.
    public func positions() throws -> [PositionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT account, symbol, size, entry_price FROM positions ORDER BY account, symbol").map { row in
                PositionRecord(account: row["account"], symbol: row["symbol"], size: try FixedDecimal(parsing: row["size"]),
                               entryPrice: try FixedDecimal(parsing: row["entry_price"]))
            }
        }
    }

    public func balances() throws -> [BalanceChange] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT account, asset, amount FROM balances ORDER BY account, asset").map { row in
                BalanceChange(account: row["account"], asset: row["asset"], delta: try FixedDecimal(parsing: row["amount"]))
            }
        }
    }

    /// Totals over trades booked on the UTC day of `day`, summed exactly.
    public func summary(ofDayContaining day: Timestamp, user: String? = nil) throws -> DaySummary {
        let start = day.startOfUTCDay
        let end = start.adding(.seconds(86_400))
        return try pool.read { db in
            var summary = DaySummary()
            let trades = try Row.fetchAll(db, sql: """
                SELECT notional_usd, profit_usd, pair, exchange FROM trades
                WHERE created_at >= ? AND created_at < ? AND (?3 IS NULL OR user = ?3)
                """, arguments: [start.iso8601, end.iso8601, user])
            summary.tradeCount = trades.count
            for row in trades {
                summary.volumeUSD += try FixedDecimal(parsing: row["notional_usd"])
                let base = (row["pair"] as String).split(separator: "/").first.map(String.init) ?? ""
                summary.realisedByAsset[base, default: [:]][row["exchange"], default: .zero] += try FixedDecimal(parsing: row["profit_usd"])
            }
            let arbitrages = try Row.fetchAll(db, sql: """
                SELECT realised_net_usd, kind FROM arbitrages WHERE created_at >= ? AND created_at < ? AND (?3 IS NULL OR user = ?3)
                """, arguments: [start.iso8601, end.iso8601, user])
            // A stop-loss closes a position; it is not an arbitrage, though its fills count like any other.
            summary.arbitrageCount = arbitrages.filter { ($0["kind"] as String) != ArbitrageBooking.Kind.stopLoss.rawValue }.count
            for row in arbitrages { summary.realisedNetUSD += try FixedDecimal(parsing: row["realised_net_usd"]) }
            summary.fundingUSD = FixedDecimal(nanos: try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(amount_usd_nanos), 0) FROM funding WHERE at >= ? AND at < ? AND (?3 IS NULL OR user = ?3)
                """, arguments: [start.iso8601, end.iso8601, user]) ?? 0)
            summary.realisedNetUSD += summary.fundingUSD
            return summary
        }
    }

    /// Fills grouped by day, venue or pair, summed exactly (integer nanodollars) from the rollup the bookings keep.
    /// `from` and `to` are day boundaries (UTC); `to` is excluded.
    public func report(by grouping: ReportGrouping, from: Timestamp? = nil, to: Timestamp? = nil, user: String? = nil) throws -> [ReportRow] {
        let key = switch grouping {
        case .day: "day"
        case .venue: "exchange"
        case .pair: "pair"
        }
        return try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(key) AS key, SUM(fills) AS fills, SUM(volume_usd_nanos) AS volume, SUM(profit_usd_nanos) AS profit
                FROM fill_rollup
                WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day < ?2) AND (?3 IS NULL OR user = ?3)
                GROUP BY 1 ORDER BY 1
                """, arguments: [from.map { String($0.iso8601.prefix(10)) }, to.map { String($0.iso8601.prefix(10)) }, user]).map { row in
                ReportRow(key: row["key"], trades: row["fills"], volumeUSD: FixedDecimal(nanos: row["volume"]),
                          realisedUSD: FixedDecimal(nanos: row["profit"]))
            }
        }
    }

    /// The booked arbitrages' realised P&L, and the sum of their fills' profits: equal, to the last nanodollar.
    public func profitTotals() throws -> (bookedUSD: FixedDecimal, fillsUSD: FixedDecimal) {
        try pool.read { db in
            var booked = FixedDecimal.zero
            for text in try String.fetchAll(db, sql: "SELECT realised_net_usd FROM arbitrages") { booked += try FixedDecimal(parsing: text) }
            let fills = FixedDecimal(nanos: try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(profit_usd_nanos), 0) FROM trades") ?? 0)
            return (booked, fills)
        }
    }

    /// Fills in a time range, oldest first, for export.
    public func trades(from: Timestamp?, to: Timestamp?, user: String? = nil) throws -> [TradeRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM trades
                WHERE (?1 IS NULL OR created_at >= ?1) AND (?2 IS NULL OR created_at < ?2) AND (?3 IS NULL OR user = ?3)
                ORDER BY created_at, id
                """, arguments: [from?.iso8601, to?.iso8601, user]).map(Self.trade)
        }
    }

    /// Open FIFO lots by account and asset: quantity and average cost per unit in USD.
    public func openLots() throws -> [(account: String, asset: String, quantity: FixedDecimal, averageCostUSD: FixedDecimal)] {
        try pool.read { db in
            var totals: [String: (FixedDecimal, FixedDecimal)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, asset, quantity, unit_cost_usd FROM lots") {
                let key = "\(row["account"] as String)\u{0}\(row["asset"] as String)"
                let quantity = try FixedDecimal(parsing: row["quantity"])
                let cost = quantity * (try FixedDecimal(parsing: row["unit_cost_usd"]))
                let current = totals[key] ?? (.zero, .zero)
                totals[key] = (current.0 + quantity, current.1 + cost)
            }
            return totals.sorted { $0.key < $1.key }.map { key, value in
                let parts = key.split(separator: "\u{0}").map(String.init)
                return (parts[0], parts[1], value.0, value.0.isPositive ? value.1 / value.0 : .zero)
            }
        }
    }

    /// FIFO-realised profit of sells, by venue (exchange) and base asset.
    public func fifoRealised() throws -> [(venue: String, asset: String, realisedUSD: FixedDecimal)] {
        try pool.read { db in
            var totals: [String: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT exchange, pair, fifo_realised_usd FROM trades WHERE side = 'sell'") {
                let asset = (row["pair"] as String).split(separator: "/").first.map(String.init) ?? ""
                totals["\(row["exchange"] as String)\u{0}\(asset)", default: .zero] += try FixedDecimal(parsing: row["fifo_realised_usd"])
            }
            return totals.sorted { $0.key < $1.key }.map { key, value in
                let parts = key.split(separator: "\u{0}").map(String.init)
                return (parts[0], parts[1], value)
            }
        }
    }

    /// Each order's transitions, in order.
    public func orderEvents(orderId: String? = nil) throws -> [OrderEventRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM order_events WHERE (?1 IS NULL OR order_id = ?1) ORDER BY at, order_id, seq
                """, arguments: [orderId]).map { row in
                OrderEventRecord(orderId: row["order_id"], arbitrageId: row["arbitrage_id"], venue: row["venue"], pair: row["pair"],
                                 side: Side(rawValue: row["side"]) ?? .buy, quantity: try FixedDecimal(parsing: row["quantity"]),
                                 limitPrice: try FixedDecimal(parsing: row["limit_price"]), event: row["event"],
                                 fromState: row["from_state"], toState: row["to_state"], filled: try FixedDecimal(parsing: row["filled"]),
                                 reason: row["reason"], at: try Self.timestamp(row["at"]), opportunityId: row["opportunity_id"])
            }
        }
    }

    /// Orders whose last transition left them live and that no booking covers: in flight when dexter stopped.
    /// Each with its last event.
    public func inFlightOrders() throws -> [OrderEventRecord] {
        let live = ["submitted", "accepted", "partially_filled", "pending_cancel", "initialized"]
        return try orderEvents().reduce(into: [String: OrderEventRecord]()) { $0[$1.orderId] = $1 }.values
            .filter { live.contains($0.toState) }
            .filter { event in (try? pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM orders WHERE id = ?)",
                                                                          arguments: [event.orderId]) }) != true }
            .sorted { ($0.arbitrageId, $0.orderId) < ($1.arbitrageId, $1.orderId) }
    }

    /// Whether any record carries an id of the session `runId` (`<runId>-…`). A session opened at a time another
    /// already opened at (a recording replayed twice) must not reuse its ids: its client order ids are spent.
    public func hasRecords(ofRun runId: String) throws -> Bool {
        let prefix = runId + "-"
        return try pool.read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM opportunities WHERE substr(id, 1, ?2) = ?1)
                    OR EXISTS (SELECT 1 FROM arbitrages WHERE substr(id, 1, ?2) = ?1)
                    OR EXISTS (SELECT 1 FROM order_events WHERE substr(order_id, 1, ?2) = ?1)
                """, arguments: [prefix, prefix.count]) ?? false
        }
    }

    /// Decisions on opportunities (record id, decision, reason), oldest first.
    public func decisions() throws -> [(id: String, decision: String, reason: String?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, decision, reason FROM opportunities ORDER BY decided_at, id").map {
                ($0["id"], $0["decision"], $0["reason"])
            }
        }
    }

    /// The approved opportunity's pair and expected net, by its record id.
    public func opportunity(id: String) throws -> (pair: String, netUSD: FixedDecimal)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT pair, net_usd FROM opportunities WHERE id = ?", arguments: [id]) else {
                return nil
            }
            return (row["pair"], try FixedDecimal(parsing: row["net_usd"]))
        }
    }

    /// Where the books disagree with themselves: every balance must equal its opening amount plus every booked change,
    /// and every booked arbitrage must have its orders. Empty when the ledger reconciles.
    public func reconciliationProblems() throws -> [String] {
        try pool.read { db in
            var problems: [String] = []
            var journal: [String: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, asset, delta FROM balance_changes") {
                journal["\(row["account"] as String) \(row["asset"] as String)", default: .zero] += try FixedDecimal(parsing: row["delta"])
            }
            var balances: [String: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, asset, amount FROM balances") {
                balances["\(row["account"] as String) \(row["asset"] as String)"] = try FixedDecimal(parsing: row["amount"])
            }
            for key in Set(journal.keys).union(balances.keys).sorted() where (journal[key] ?? .zero) != (balances[key] ?? .zero) {
                problems.append("balance \(key) is \(balances[key] ?? .zero) but its journal sums to \(journal[key] ?? .zero)")
            }
            // No account can spend what it does not hold: a negative balance is a trade booked twice against one balance.
            for (key, amount) in balances.sorted(by: { $0.key < $1.key }) where amount.isNegative {
                problems.append("balance \(key) is negative (\(amount)): more was spent than the account held")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT a.id FROM arbitrages a WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.arbitrage_id = a.id)
                """) {
                problems.append("arbitrage \(row["id"] as String) has no orders")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT t.id FROM trades t WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = t.order_id)
                """) {
                problems.append("trade \(row["id"] as String) has no order")
            }
            // The report rollup agrees with the fills.
            let rollup = try Row.fetchOne(db, sql: "SELECT COALESCE(SUM(fills),0) AS n, COALESCE(SUM(profit_usd_nanos),0) AS p FROM fill_rollup")
            let direct = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(profit_usd_nanos),0) AS p FROM trades")
            if rollup?["n"] as Int64? != direct?["n"] as Int64? || rollup?["p"] as Int64? != direct?["p"] as Int64? {
                problems.append("the report rollup disagrees with the fills")
            }
            // Each arbitrage's realised P&L is the sum of its fills.
            var fills: [String: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT arbitrage_id, SUM(profit_usd_nanos) AS profit FROM trades GROUP BY 1") {
                fills[row["arbitrage_id"]] = row["profit"]
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, realised_net_usd FROM arbitrages") {
                let booked = try FixedDecimal(parsing: row["realised_net_usd"])
                let summed = FixedDecimal(nanos: fills[row["id"]] ?? 0)
                if booked != summed { problems.append("arbitrage \(row["id"] as String) books \(booked) but its fills sum to \(summed)") }
            }
            // Each perpetual position is what its fills add up to.
            var traded: [String: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT exchange, pair, side, amount FROM trades WHERE pair LIKE '%:%'") {
                let amount = try FixedDecimal(parsing: row["amount"])
                traded["\(row["exchange"] as String) \(row["pair"] as String)", default: .zero] += (row["side"] as String) == "buy" ? amount : .zero - amount
            }
            var held: [String: FixedDecimal] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT account, symbol, size FROM positions") {
                held["\(row["account"] as String) \(row["symbol"] as String)"] = try FixedDecimal(parsing: row["size"])
            }
            for key in Set(traded.keys).union(held.keys).sorted() where (traded[key] ?? .zero) != (held[key] ?? .zero) {
                problems.append("position \(key) is \(held[key] ?? .zero) but its fills add up to \(traded[key] ?? .zero)")
            }
            // Each funding payment moved its collateral once, by its amount.
            for row in try Row.fetchAll(db, sql: """
                SELECT f.venue, f.id, f.amount, (SELECT COUNT(*) FROM balance_changes b WHERE b.source = 'funding:' || f.venue || ':' || f.id) AS n,
                       (SELECT b.delta FROM balance_changes b WHERE b.source = 'funding:' || f.venue || ':' || f.id) AS delta
                FROM funding f
                """) {
                let amount = try FixedDecimal(parsing: row["amount"])
                let count: Int = row["n"]
                let moved = try (row["delta"] as String?).map { try FixedDecimal(parsing: $0) } ?? .zero
                if count != (amount.isZero ? 0 : 1) || moved != amount {
                    problems.append("funding \(row["venue"] as String) \(row["id"] as String) of \(amount) moved collateral by \(moved) in \(count) change(s)")
                }
            }
            return problems
        }
    }

    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    static func trade(_ row: Row) throws -> TradeRecord {
        var record = TradeRecord(
            id: row["id"], orderId: row["order_id"], user: row["user"], exchange: row["exchange"], pair: row["pair"],
            side: Side(rawValue: row["side"]) ?? .buy, amount: try FixedDecimal(parsing: row["amount"]),
            price: try FixedDecimal(parsing: row["price"]), fee: try FixedDecimal(parsing: row["fee"]),
            feeAsset: row["fee_asset"], gas: try FixedDecimal(parsing: row["gas"]), gasAsset: row["gas_asset"],
            markPrice: try FixedDecimal(parsing: row["mark_price"]),
            notionalUSD: try FixedDecimal(parsing: row["notional_usd"]),
            profitUSD: try FixedDecimal(parsing: row["profit_usd"]),
            createdAt: try Self.timestamp(row["created_at"]))
        record.fifoRealisedUSD = try FixedDecimal(parsing: row["fifo_realised_usd"])
        return record
    }

    /// Parses the ledger's own ISO 8601 times back ("2026-11-25T17:44:05.123Z").
    static func timestamp(_ text: String) throws -> Timestamp {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count == 24, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              let millis = number(20..<23) else {
            throw LedgerError(path: "", reason: "malformed time \"\(text)\"")
        }
        // days from civil (Howard Hinnant)
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return Timestamp(nanoseconds: seconds * 1_000_000_000 + millis * 1_000_000)
    }
}
