import ArgumentParser
import DexterCore
import DexterEngine
import DexterLedger
import Foundation

/// The audit trail: verify its hash chain, export a range.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify or export the hash-chained audit trail.",
        discussion: """
            Every state-changing action (login, approve, reject, auto-approve, kill switch, resume, keys and wallets \
            added, rotated or exported) is appended to the ledger's audit table, each entry carrying the SHA-256 of \
            its fields and of the entry before it. Triggers refuse updates and deletes; verify finds any change made \
            around them. Keep the head hash verify prints somewhere else: a rewrite of the whole chain from an \
            entry onward is caught only against it.
            """,
        subcommands: [Verify.self, Export.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every entry's hash and link; exits 0 when intact, 1 naming each problem.",
            discussion: "With --desk, walks every box's chain as the shared desk ([desk] postgres_url) holds it instead.")

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Flag(name: .long, help: "Verify each box's chain at the shared desk.")
        var desk = false

        @Option(name: .long, help: "Config file (for [desk]).")
        var config: String?

        func run() async throws {
            if desk { return try await SharedDeskCheck.audit(config: config) }
            let result = try LedgerCommand.open(ledger).reader.verifyAudit(hash: Engine.auditHash)
            guard result.problems.isEmpty else {
                for problem in result.problems { print(problem) }
                print("audit trail BROKEN: \(result.problems.count) problem(s) in \(result.entries) entries")
                throw ExitCode(1)
            }
            print("audit trail intact: \(result.entries) entries, head \(result.head)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a range of the audit trail as CSV or JSON lines.")

        @Option(name: .long, help: "Ledger file (default: $XDG_DATA_HOME/dexter/sim.sqlite).")
        var ledger: String?

        @Option(name: .long, help: "First entry: a sequence number, or a day YYYY-MM-DD.")
        var from: String?

        @Option(name: .long, help: "Last entry: a sequence number, or a day YYYY-MM-DD (included).")
        var to: String?

        @Option(name: .long, help: "csv or json.")
        var format: String = "csv"

        @Option(name: .long, help: "Write here instead of stdout.")
        var out: String?

        func validate() throws {
            guard ["csv", "json"].contains(format) else { throw ValidationError("--format must be csv or json") }
            for bound in [from, to].compactMap({ $0 }) where Int64(bound) == nil && Day(argument: bound) == nil {
                throw ValidationError("\"\(bound)\" is neither a sequence number nor a day YYYY-MM-DD")
            }
        }

        func run() throws {
            let reader = try LedgerCommand.open(ledger).reader
            let entries = try reader.auditEntries(
                fromSequence: from.flatMap { Int64($0) }, toSequence: to.flatMap { Int64($0) },
                from: from.flatMap { Day(argument: $0)?.start }, to: to.flatMap { Day(argument: $0)?.end })
            var text = format == "csv" ? "seq,at,user,action,detail,prev_hash,hash\n" : ""
            for entry in entries {
                if format == "csv" {
                    text += [String(entry.sequence), entry.at, entry.user, entry.action, entry.detail, entry.previousHash,
                             entry.hash].map(LedgerCommand.Export.csv).joined(separator: ",") + "\n"
                } else {
                    let object: [String: Any] = ["seq": entry.sequence, "at": entry.at, "user": entry.user,
                                                 "action": entry.action, "detail": entry.detail,
                                                 "prev_hash": entry.previousHash, "hash": entry.hash]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    text += String(decoding: data, as: UTF8.self) + "\n"
                }
            }
            if let out {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("\(entries.count) entries written to \(out)\n".utf8))
            } else {
                print(text, terminator: "")
            }
        }
    }

    /// Appends an entry for a command run outside the desk (keys, wallets), to the configured ledger.
    static func append(action: String, detail: String, user: String, ledgerPath: String?) {
        do {
            let path = try ledgerPath ?? Paths.defaultLedger(mode: .sim)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try DexterLedger.Ledger(path: path).writer.appendAudit(user: user, action: action, detail: detail,
                                                                   at: WallClock().now(), hash: Engine.auditHash)
        } catch {
            FileHandle.standardError.write(Data("warning: the audit trail could not record \(action): \(error)\n".utf8))
        }
    }
}
