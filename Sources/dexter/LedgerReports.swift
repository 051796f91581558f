import ArgumentParser
import DexterCore
import DexterLedger
import Foundation

/// A UTC calendar day given as YYYY-MM-DD.
struct Day: ExpressibleByArgument {
    let start: Timestamp

    init?(argument: String) {
        let parts = argument.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, argument.count == 10, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        start = Timestamp(utcYear: parts[0], month: parts[1], day: parts[2])
    }

    var end: Timestamp { start.adding(.seconds(86_400)) }
}

/// Which ledger, and which of its fills: a UTC day range and a user.
struct FillRange: ParsableArguments {
    @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
    var ledger: String?

    @Option(name: .long, help: "First day, YYYY-MM-DD (UTC).")
    var from: Day?

    @Option(name: .long, help: "Last day, YYYY-MM-DD (UTC), included.")
    var to: Day?

    @Option(name: .long, help: "Only this user's fills.")
    var user: String?
}

extension LedgerCommand {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fills, volume and realised P&L by day, venue or pair, summed exactly; with the booked total beside the fills' total.")

        @Option(name: .long, help: "Group by: day, venue or pair.")
        var by: String = "day"

        @OptionGroup var range: FillRange

        func run() throws {
            guard let grouping = ReportGrouping(rawValue: by) else { throw ValidationError("--by is day, venue or pair, not \"\(by)\"") }
            let ledger = try LedgerCommand.open(range.ledger)
            let rows = try ledger.reader.report(by: grouping, from: range.from?.start, to: range.to?.end, user: range.user)
            func line(_ cells: [String]) -> String {
                zip(cells, [14, 8, 16, 16]).enumerated().map { index, pair in
                    index == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: max(0, pair.1 - pair.0.count)) + pair.0
                }.joined(separator: " ")
            }
            print(line([grouping.rawValue, "fills", "volume USD", "realised USD"]))
            for row in rows {
                print(line([row.key, "\(row.trades)", row.volumeUSD.formatted(digits: 2, grouping: true),
                            row.realisedUSD.formatted(digits: 4, grouping: true)]))
            }
            let fills = rows.reduce(FixedDecimal.zero) { $0 + $1.realisedUSD }
            print(line(["total", "\(rows.reduce(0) { $0 + $1.trades })", rows.reduce(FixedDecimal.zero) { $0 + $1.volumeUSD }
                .formatted(digits: 2, grouping: true), fills.formatted(digits: 4, grouping: true)]))
            if range.from == nil && range.to == nil && range.user == nil {
                let totals = try ledger.reader.profitTotals()
                print("booked P&L \(totals.bookedUSD) USD; fills sum to \(totals.fillsUSD) USD"
                      + (totals.bookedUSD == totals.fillsUSD ? " (equal)" : " — MISMATCH: run dexter ledger check"))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export fills in a date range as CSV or JSON lines, exact amounts.")

        @Option(name: .long, help: "csv or json (one object per line).")
        var format: String = "csv"

        @OptionGroup var range: FillRange

        @Option(name: .long, help: "Write to this file instead of stdout.")
        var out: String?

        static let columns = ["id", "order_id", "user", "exchange", "pair", "side", "amount", "price", "fee",
                              "fee_asset", "gas", "gas_asset", "mark_price", "notional_usd", "profit_usd", "created_at"]

        func run() throws {
            guard format == "csv" || format == "json" else { throw ValidationError("--format is csv or json, not \"\(format)\"") }
            let trades = try LedgerCommand.open(range.ledger).reader.trades(from: range.from?.start, to: range.to?.end, user: range.user)
            var text = format == "csv" ? Self.columns.joined(separator: ",") + "\n" : ""
            for trade in trades {
                let values = [trade.id, trade.orderId, trade.user, trade.exchange, trade.pair, trade.side.rawValue,
                              trade.amount.description, trade.price.description, trade.fee.description, trade.feeAsset,
                              trade.gas.description, trade.gasAsset ?? "", trade.markPrice.description, trade.notionalUSD.description,
                              trade.profitUSD.description, trade.createdAt.iso8601]
                if format == "csv" {
                    text += values.map(Self.csv).joined(separator: ",") + "\n"
                } else {
                    let object = Dictionary(uniqueKeysWithValues: zip(Self.columns, values))
                    text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
                }
            }
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("exported \(trades.count) fills to \(out)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }

        /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
        static func csv(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    struct Positions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open FIFO lots by account and asset (quantity, average cost), FIFO-realised P&L by venue and asset, and open perpetual positions.")

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        func run() throws {
            let reader = try LedgerCommand.open(ledger).reader
            print("account            asset       quantity    avg cost USD")
            for lot in try reader.openLots() {
                print(lot.account.padding(toLength: 19, withPad: " ", startingAt: 0) + lot.asset.padding(toLength: 6, withPad: " ", startingAt: 0)
                      + lot.quantity.formatted(digits: 6, grouping: true).leftPadded(15) + lot.averageCostUSD.formatted(digits: 4, grouping: true).leftPadded(16))
            }
            print("")
            print("venue              asset   FIFO realised USD")
            for row in try reader.fifoRealised() {
                print(row.venue.padding(toLength: 19, withPad: " ", startingAt: 0) + row.asset.padding(toLength: 6, withPad: " ", startingAt: 0)
                      + row.realisedUSD.formatted(digits: 4, grouping: true).leftPadded(20))
            }
            let positions = try reader.positions()
            guard !positions.isEmpty else { return }
            print("")
            print("account".padding(toLength: 19, withPad: " ", startingAt: 0) + "perpetual".padding(toLength: 15, withPad: " ", startingAt: 0)
                  + "size (+long)".leftPadded(16) + "entry price".leftPadded(16))
            for position in positions {
                print(position.account.padding(toLength: 19, withPad: " ", startingAt: 0)
                      + position.symbol.padding(toLength: 15, withPad: " ", startingAt: 0)
                      + position.size.formatted(digits: 6, grouping: true).leftPadded(16)
                      + position.entryPrice.formatted(digits: 4, grouping: true).leftPadded(16))
            }
        }
    }

    struct Funding: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Funding paid (-) and received (+) on perpetual positions, newest first, with the totals per venue and symbol.")

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Option(name: .long, help: "Only this venue's.")
        var venue: String?

        func run() throws {
            let rows = try LedgerCommand.open(ledger).reader.funding(venue: venue, limit: .max)
            guard !rows.isEmpty else { return print("no funding booked") }
            print("time (UTC)".padding(toLength: 21, withPad: " ", startingAt: 0) + "venue".padding(toLength: 14, withPad: " ", startingAt: 0)
                  + "perpetual".padding(toLength: 15, withPad: " ", startingAt: 0) + "position".leftPadded(12) + "rate %".leftPadded(10)
                  + "amount".leftPadded(16) + "  asset" + "USD".leftPadded(12))
            var totals: [String: (FixedDecimal, String, FixedDecimal)] = [:]
            for row in rows {
                print(String(row.at.iso8601.prefix(19)).padding(toLength: 21, withPad: " ", startingAt: 0)
                      + row.venue.padding(toLength: 14, withPad: " ", startingAt: 0) + row.symbol.padding(toLength: 15, withPad: " ", startingAt: 0)
                      + (row.positionSize.map { $0.formatted(digits: 4) } ?? "—").leftPadded(12)
                      + (row.rate.map { ($0 * FixedDecimal(100)).formatted(digits: 4) } ?? "—").leftPadded(10)
                      + row.amount.description.leftPadded(16) + "  " + row.asset.padding(toLength: 5, withPad: " ", startingAt: 0)
                      + row.amountUSD.formatted(digits: 4).leftPadded(12))
                let key = "\(row.venue) \(row.symbol)"
                let total = totals[key] ?? (.zero, row.asset, .zero)
                totals[key] = (total.0 + row.amount, row.asset, total.2 + row.amountUSD)
            }
            print("")
            for (key, total) in totals.sorted(by: { $0.key < $1.key }) {
                print("total " + key.padding(toLength: 44, withPad: " ", startingAt: 0) + total.0.description.leftPadded(22)
                      + "  " + total.1.padding(toLength: 5, withPad: " ", startingAt: 0) + total.2.formatted(digits: 4).leftPadded(12))
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the ledger to a file through SQLite's online backup (safe while dexter runs), then check the copy.")

        @Argument(help: "The backup file to create.")
        var destination: String

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        func run() throws {
            guard !FileManager.default.fileExists(atPath: destination) else {
                throw ValidationError("\(destination) exists; give a new file name")
            }
            let source = try LedgerCommand.open(ledger)
            try source.backup(to: destination)
            let copy = try DexterLedger.Ledger(path: destination)
            let integrity = try copy.reader.integrityCheck()
            guard integrity == "ok", try copy.reader.reconciliationProblems().isEmpty else {
                throw ValidationError("the backup at \(destination) does not check out: \(integrity)")
            }
            let totals = try copy.reader.profitTotals()
            print("backed up \(source.path) to \(destination): integrity ok, booked P&L \(totals.bookedUSD) USD")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
