import ArgumentParser
import DexterCore
import DexterLedger
import Foundation

/// Reports for people outside the desk.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports for a regulator or an accountant.",
        subcommands: [Transactions.self])

    struct Transactions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one UTC day's transactions as CSV: every fill, exact amounts, USD value, fees and FIFO P&L.",
            discussion: """
                One row per fill, oldest first. Amounts are the booked decimals (never rounded); usd_value is the fill's \
                notional at the mark; realised_fifo_usd is what a sell realised against the lots it consumed. A summary \
                (count, volume, fees, realised) goes to stderr.
                """)

        @Option(name: .long, help: "The UTC day, YYYY-MM-DD.")
        var day: Day

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Option(name: .long, help: "Only this user's transactions.")
        var user: String?

        @Option(name: .long, help: "Write here instead of stdout.")
        var out: String?

        static let columns = ["time_utc", "transaction_id", "order_id", "user", "venue", "account", "venue_type", "instrument",
                              "side", "quantity", "price", "gross_amount", "quote_asset", "fee", "fee_asset", "gas", "gas_asset",
                              "usd_value", "realised_fifo_usd"]

        func run() throws {
            let trades = try LedgerCommand.open(ledger).reader.trades(from: day.start, to: day.end, user: user)
                .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            var text = Self.columns.joined(separator: ",") + "\n"
            var volume = FixedDecimal.zero, realised = FixedDecimal.zero
            var fees: [String: FixedDecimal] = [:]
            for trade in trades {
                let quote = trade.pair.split(separator: "/").last.map { String($0.split(separator: ":")[0]) } ?? ""
                let onChain = trade.gasAsset != nil || (trade.account ?? "").hasPrefix("wallet@")
                let values = [trade.createdAt.iso8601, trade.id, trade.orderId, trade.user, trade.exchange,
                              trade.account ?? trade.exchange, onChain ? "dex" : "exchange", trade.pair, trade.side.rawValue,
                              trade.amount.description, trade.price.description, (trade.amount * trade.price).description, quote,
                              trade.fee.description, trade.feeAsset, trade.gas.description, trade.gasAsset ?? "",
                              trade.notionalUSD.description, trade.fifoRealisedUSD.description]
                text += values.map(LedgerCommand.Export.csv).joined(separator: ",") + "\n"
                volume += trade.notionalUSD
                realised += trade.fifoRealisedUSD
                fees[trade.feeAsset, default: .zero] += trade.fee
            }
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            let feeText = fees.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            FileHandle.standardError.write(Data(("\(day.start.utcDay): \(trades.count) transactions, volume $\(volume.formatted(digits: 2)), "
                + "fees \(feeText.isEmpty ? "none" : feeText), FIFO realised $\(realised.formatted(digits: 2))"
                + (out.map { " → \($0)" } ?? "") + "\n").utf8))
        }
    }
}
