import ArgumentParser
import DexterCore
import DexterLedger
import Foundation

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Read the trade ledger.",
        subcommands: [Trades.self, Report.self, Positions.self, Funding.self, Export.self, Backup.self, Check.self])

    static func open(_ path: String?) throws -> DexterLedger.Ledger {
        let path = try path ?? Paths.defaultLedger(mode: .sim)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no ledger at \(path); start dexter to create one, or pass --ledger")
        }
        return try DexterLedger.Ledger(path: path)
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the ledger: SQLite's integrity check, balances against their journal, orders under every booking.",
            discussion: """
                Prints ok and exits 0, or prints each problem and exits 1. With --desk, also compares every booking, \
                order event and audit entry of this box with the shared desk's copy ([desk] postgres_url), row by row.
                """)

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Flag(name: .long, help: "Also check this box's rows at the shared desk against its ledger.")
        var desk = false

        @Option(name: .long, help: "Config file (for [desk]).")
        var config: String?

        func run() async throws {
            let ledger = try LedgerCommand.open(self.ledger)
            if desk { try await SharedDeskCheck.ledger(ledger, config: config) }
            let integrity = try ledger.reader.integrityCheck()
            var problems = integrity == "ok" ? [] : ["SQLite integrity check: \(integrity)"]
            problems += try ledger.reader.reconciliationProblems()
            guard problems.isEmpty else {
                for problem in problems { print(problem) }
                throw ExitCode(1)
            }
            let inFlight = try ledger.reader.inFlightOrders()
            if !inFlight.isEmpty {
                FileHandle.standardError.write(Data("note: \(inFlight.count) order(s) in flight at the last stop; dexter settles them with their venues when it next starts\n".utf8))
            }
            print("ok")
        }
    }

    struct Trades: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List booked trades, newest first.")

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Option(name: .long, help: "Only this user's trades.")
        var user: String?

        @Option(name: .long, help: "How many trades to list.")
        var limit: Int = 50

        @Flag(name: .long, help: "One JSON object per line, exact amounts as strings.")
        var json = false

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() throws {
            let path = try ledger ?? Paths.defaultLedger(mode: .sim)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no ledger at \(path); start dexter to create one, or pass --ledger")
            }
            let trades = try DexterLedger.Ledger(path: path).reader.trades(user: user, limit: limit)
            if json {
                for trade in trades {
                    let object: [String: String] = [
                        "id": trade.id, "user": trade.user, "exchange": trade.exchange, "pair": trade.pair,
                        "side": trade.side.rawValue, "amount": trade.amount.description, "price": trade.price.description,
                        "fee": trade.fee.description, "fee_asset": trade.feeAsset, "gas": trade.gas.description,
                        "profit_usd": trade.profitUSD.description, "created_at": trade.createdAt.iso8601,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                }
                return
            }
            guard !trades.isEmpty else { print("no trades booked in \(path)"); return }
            print(row(["time (UTC)", "user", "exchange", "pair", "side", "amount", "price", "fee", "profit USD"]))
            for trade in trades {
                print(row([trade.createdAt.iso8601, trade.user, trade.exchange, trade.pair, trade.side.rawValue,
                           trade.amount.description, trade.price.formatted(digits: 6), trade.fee.formatted(digits: 6),
                           trade.profitUSD.formatted(digits: 4)]))
            }
        }

        func row(_ cells: [String]) -> String {
            let widths = [24, 10, 12, 10, 4, 16, 16, 14, 12]
            return zip(cells, widths).map { cell, width in
                cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
            }.joined(separator: " ")
        }
    }
}
