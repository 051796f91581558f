import ArgumentParser
import DexterDesk
import DexterEngine
import DexterLedger
import Foundation
import Logging

/// `ledger check --desk` and `audit verify --desk`: what the shared desk holds, proved against the ledgers.
enum SharedDeskCheck {
    static func desk(_ configPath: String?) throws -> SharedDeskConfig {
        let config = try DeskConfig.load(explicit: configPath, environment: ProcessInfo.processInfo.environment).config
        guard config.sharedDesk.database != nil else {
            throw ValidationError("--desk needs [desk] postgres_url in the config (this box is a desk of its own)")
        }
        return config.sharedDesk
    }

    /// This box's ledger against its rows at the desk; prints what differs and exits 1, or the desk's boxes.
    static func ledger(_ ledger: DexterLedger.Ledger, config: String?) async throws {
        let shared = try desk(config)
        guard let database = shared.database else { return }
        let report: DeskLedgerReport
        do {
            report = try await DeskCheck.ledger(box: shared.box, reader: ledger.reader, database: database,
                                                logger: Logger(label: "dexter.desk"))
        } catch {
            throw ValidationError("the shared desk at \(database) could not be read: \(describe(error))")
        }
        guard report.problems.isEmpty else {
            for problem in report.problems { print(problem) }
            throw ExitCode(1)
        }
        let rows = report.streams.map { "\($0.booked) \($0.kind)" }.joined(separator: ", ")
        print("desk: box \(report.box) matches its ledger (\(rows))")
        for box in report.boxes {
            print("desk: box \(box.box) shipped through entry \(box.shipped), \(box.rows) rows at the desk")
        }
    }

    static func audit(config: String?) async throws {
        let shared = try desk(config)
        guard let database = shared.database else { return }
        let report: DeskAuditReport
        do {
            report = try await DeskCheck.audit(database: database, hash: Engine.auditHash, logger: Logger(label: "dexter.desk"))
        } catch {
            throw ValidationError("the shared desk at \(database) could not be read: \(describe(error))")
        }
        var broken = 0
        for chain in report.chains {
            if chain.problems.isEmpty {
                print("box \(chain.box): audit trail intact: \(chain.entries) entries, head \(chain.head)")
            } else {
                broken += 1
                for problem in chain.problems { print("box \(chain.box): \(problem)") }
                print("box \(chain.box): audit trail BROKEN: \(chain.problems.count) problem(s) in \(chain.entries) entries")
            }
        }
        if broken > 0 { throw ExitCode(1) }
        print("desk: \(report.chains.count) box(es), every audit trail intact")
    }
}
