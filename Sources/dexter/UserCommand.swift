import ArgumentParser
import DexterCore
import DexterCrypto
import DexterEngine
import DexterLedger
import DexterRisk
import Foundation

/// Desk members: who may do what, kept in the ledger with every change audited.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the desk's members: add, list, change a role or access, remove.",
        discussion: """
            Roles: trader (approve and execute), analyst (view only), risk-manager (limits, trading state, kill \
            switch, resume; cannot trade), admin (members, roles, venues, keys). The first start makes the OS user \
            an admin who may trade; from the second member on, each has a vault passphrase. Only an admin changes \
            members (--as names who is acting; default: config's user, then the OS user).
            """,
        subcommands: [Add.self, List.self, Role.self, Access.self, Remove.self, Token.self])

    /// The ledger the desk's members live in, and the acting admin, checked.
    struct Acting: ParsableArguments {
        @Option(name: .long, help: "Ledger file (default: the desk's, $XDG_DATA_HOME/dexter/<mode>.sqlite).")
        var ledger: String?

        @Flag(name: .long, help: "The LIVE desk's members (live.sqlite) rather than the configured mode's (sim or paper).")
        var live = false

        @Option(name: .customLong("as"), help: "Who is making the change (an admin).")
        var actor: String?

        @Option(name: .long, help: "Config file.")
        var config: String?

        func open() throws -> (DexterLedger.Ledger, DeskConfig, String) {
            let config: DeskConfig
            do { config = try DeskConfig.load(explicit: self.config, environment: ProcessInfo.processInfo.environment).config } catch {
                throw ValidationError("\(error)")
            }
            let name = actor ?? config.user ?? Paths.osUser
            // The members of the desk this config runs: sim, or paper when it names live venues (--live: LIVE's).
            let mode: DeskMode = live ? .live : config.engineConfig(user: name).mode
            let path = try ledger ?? config.ledgerPath ?? Paths.defaultLedger(mode: mode)
            try VaultAccess.checkUserName(name)
            return (try DexterLedger.Ledger(path: path), config, name)
        }

        /// The acting member, who must be allowed to manage members (the first one is made, as on a first start).
        func admin() throws -> (DexterLedger.Ledger, DeskUser, [String: Plan]) {
            let (ledger, config, name) = try open()
            let actor = try DeskMembers.resolve(name, in: ledger)
            if let denied = actor.refusal(.manageUsers) { throw ValidationError("refused: \(denied)") }
            return (ledger, actor, config.plans)
        }
    }

    struct AccessOptions: ParsableArguments {
        @Option(name: .long, help: "Plan: free (5 venues, $10k a day), pro (all venues, $100k), enterprise (no limit).")
        var plan: String?
        @Option(name: .long, help: "Venues the member may trade on, comma-separated (default: any).")
        var venues: String?
        @Option(name: .long, help: "Chains the member may trade on, comma-separated (default: any).")
        var chains: String?
        @Option(name: .long, help: "Pairs the member may trade, comma-separated BASE/QUOTE (default: the desk's).")
        var pairs: String?
        @Option(name: .long, help: "The member's own daily volume cap, USD.")
        var dailyVolume: String?
        @Option(name: .long, help: "The member's own cap on any one position, USD.")
        var maxPosition: String?

        func apply(to user: inout DeskUser, plans: [String: Plan]) throws {
            if let plan {
                guard plans[plan] != nil else {
                    throw ValidationError("--plan must be one of \(plans.keys.sorted().joined(separator: ", ")), not \"\(plan)\"")
                }
                user.plan = plan
            }
            func list(_ text: String?) -> [String]? {
                text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            }
            if let venues = list(venues) { user.venues = venues.isEmpty ? nil : Set(venues.map { VenueId($0) }) }
            if let chains = list(chains) { user.chains = chains.isEmpty ? nil : Set(chains.map { ChainId($0) }) }
            if let pairs = list(pairs) {
                user.pairs = pairs.isEmpty ? nil : Set(try pairs.map { pair in
                    do { return try Symbol(parsing: pair) } catch { throw ValidationError("--pairs: \(error)") }
                })
            }
            func usd(_ text: String?, _ flag: String) throws -> FixedDecimal?? {
                guard let text else { return .none }
                if text.isEmpty { return .some(nil) }
                guard let value = FixedDecimal(text), value.isPositive else { throw ValidationError("\(flag) must be a positive USD amount") }
                return .some(value)
            }
            if let cap = try usd(dailyVolume, "--daily-volume") { user.dailyVolumeUSD = cap }
            if let cap = try usd(maxPosition, "--max-position") { user.maxPositionUSD = cap }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member with a role; asks for their vault passphrase.")

        @Argument(help: "The member's name.")
        var name: String
        @Option(name: .long, help: "trader, analyst, risk-manager or admin.")
        var role: String
        @OptionGroup var acting: Acting
        @OptionGroup var access: AccessOptions

        func run() throws {
            try VaultAccess.checkUserName(name)
            guard let role = DexterRisk.Role(rawValue: role) else {
                throw ValidationError("--role must be trader, analyst, risk-manager or admin, not \"\(self.role)\"")
            }
            let (ledger, actor, plans) = try acting.admin()
            guard try !ledger.reader.users().contains(where: { $0.name == name }) else {
                throw ValidationError("\(name) is already a member; change them with dexter user role / access")
            }
            var user = DeskUser(name: name, role: role, plan: "enterprise")
            try access.apply(to: &user, plans: plans)
            // From the second member on, everyone unlocks with a passphrase: the acting admin too.
            if !Vault.exists(at: Paths.vault(user: actor.name)) { _ = try VaultAccess.open(user: actor.name, create: true) }
            if !Vault.exists(at: Paths.vault(user: name)) { _ = try VaultAccess.open(user: name, create: true) }
            try DeskMembers.save(user, in: ledger, by: actor.name, action: "user added", detail: DeskMembers.describe(user))
            print("Added \(name) as \(role): \(DeskMembers.describe(user)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the desk's members, roles, plans and access.")
        @OptionGroup var acting: Acting

        func run() throws {
            let (ledger, _, name) = try acting.open()
            _ = try DeskMembers.resolve(name, in: ledger)
            print("NAME          ROLE          PLAN        ACCESS")
            for record in try ledger.reader.users() {
                let user = try DeskMembers.user(record)
                print(user.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                      + (user.role.rawValue + (user.mayTrade ? "+trade" : "")).padding(toLength: 14, withPad: " ", startingAt: 0)
                      + user.plan.padding(toLength: 12, withPad: " ", startingAt: 0) + DeskMembers.describeAccess(user))
            }
        }
    }

    struct Role: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a member's role.")
        @Argument(help: "The member.") var name: String
        @Argument(help: "trader, analyst, risk-manager or admin.") var role: String
        @OptionGroup var acting: Acting

        func run() throws {
            guard let role = DexterRisk.Role(rawValue: role) else {
                throw ValidationError("the role must be trader, analyst, risk-manager or admin, not \"\(self.role)\"")
            }
            let (ledger, actor, _) = try acting.admin()
            guard let record = try ledger.reader.users().first(where: { $0.name == name }) else {
                throw ValidationError("\(name) is not a member")
            }
            var user = try DeskMembers.user(record)
            let old = user.role
            if old == .admin, role != .admin, try DeskMembers.admins(in: ledger) == 1 {
                throw ValidationError("\(name) is the only admin; make another admin first")
            }
            user.role = role
            if role != .admin { user.mayTrade = false }
            try DeskMembers.save(user, in: ledger, by: actor.name, action: "role changed", detail: "\(name): \(old) → \(role)")
            print("\(name) is now \(role) (was \(old)).")
        }
    }

    struct Access: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a member's plan, venues, chains, pairs or caps.")
        @Argument(help: "The member.") var name: String
        @OptionGroup var acting: Acting
        @OptionGroup var access: AccessOptions

        func run() throws {
            let (ledger, actor, plans) = try acting.admin()
            guard let record = try ledger.reader.users().first(where: { $0.name == name }) else {
                throw ValidationError("\(name) is not a member")
            }
            var user = try DeskMembers.user(record)
            try access.apply(to: &user, plans: plans)
            try DeskMembers.save(user, in: ledger, by: actor.name, action: "access changed",
                                 detail: "\(name): \(DeskMembers.describe(user))")
            print("\(name): \(DeskMembers.describe(user)).")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member (their vault stays until deleted by hand).")
        @Argument(help: "The member.") var name: String
        @OptionGroup var acting: Acting

        func run() throws {
            let (ledger, actor, _) = try acting.admin()
            guard let record = try ledger.reader.users().first(where: { $0.name == name }) else {
                throw ValidationError("\(name) is not a member")
            }
            if record.role == DexterRisk.Role.admin.rawValue, try DeskMembers.admins(in: ledger) == 1 {
                throw ValidationError("\(name) is the only admin; make another admin first")
            }
            try ledger.writer.removeUser(name, by: actor.name, at: WallClock().now(), hash: Engine.auditHash)
            print("Removed \(name).")
        }
    }
}

/// Members as stored, and who is at the keyboard.
enum DeskMembers {
    /// The member `name`; on an empty desk, `name` becomes its first member: an admin who may trade.
    static func resolve(_ name: String, in ledger: DexterLedger.Ledger) throws -> DeskUser {
        let records = try ledger.reader.users()
        if records.isEmpty {
            let first = DeskUser(name: name, role: .admin, mayTrade: true, plan: "enterprise")
            try save(first, in: ledger, by: name, action: "user added", detail: "\(name): first start, admin who may trade")
            return first
        }
        guard let record = records.first(where: { $0.name == name }) else {
            throw ValidationError("\(name) is not a member of this desk; an admin adds members with: dexter user add \(name) --role trader")
        }
        return try user(record)
    }

    /// Who starts the desk: a member (the first start makes the OS user one); on a desk of several members, only one
    /// with a vault, since each unlocks with their passphrase.
    static func admit(_ name: String, in ledger: DexterLedger.Ledger) throws -> DeskUser {
        let user = try resolve(name, in: ledger)
        if try ledger.reader.users().count > 1, !Vault.exists(at: Paths.vault(user: name)) {
            throw ValidationError("\(name) has no vault: on a desk of several members each unlocks with a passphrase "
                                  + "(dexter keys add or dexter wallet new creates it)")
        }
        return user
    }

    static func admins(in ledger: DexterLedger.Ledger) throws -> Int {
        try ledger.reader.users().filter { $0.role == DexterRisk.Role.admin.rawValue }.count
    }

    static func save(_ user: DeskUser, in ledger: DexterLedger.Ledger, by actor: String, action: String, detail: String) throws {
        try ledger.writer.saveUser(record(user), by: actor, action: action, detail: detail, at: WallClock().now(),
                                   hash: Engine.auditHash)
    }

    static func record(_ user: DeskUser) -> UserRecord {
        UserRecord(name: user.name, role: user.role.rawValue, mayTrade: user.mayTrade, plan: user.plan,
                   venues: (user.venues?.map(\.name).sorted() ?? []).joined(separator: ","),
                   chains: (user.chains?.map(\.name).sorted() ?? []).joined(separator: ","),
                   pairs: (user.pairs?.map(\.description).sorted() ?? []).joined(separator: ","),
                   dailyVolumeUSD: user.dailyVolumeUSD?.description ?? "", maxPositionUSD: user.maxPositionUSD?.description ?? "")
    }

    static func user(_ record: UserRecord) throws -> DeskUser {
        guard let role = DexterRisk.Role(rawValue: record.role) else {
            throw ValidationError("member \(record.name) has an unknown role \"\(record.role)\" in the ledger")
        }
        func list(_ text: String) -> [String]? { text.isEmpty ? nil : text.split(separator: ",").map(String.init) }
        return DeskUser(name: record.name, role: role, mayTrade: record.mayTrade, plan: record.plan,
                        venues: list(record.venues).map { Set($0.map { VenueId($0) }) },
                        chains: list(record.chains).map { Set($0.map { ChainId($0) }) },
                        pairs: try list(record.pairs).map { Set(try $0.map { try Symbol(parsing: $0) }) },
                        dailyVolumeUSD: FixedDecimal(record.dailyVolumeUSD), maxPositionUSD: FixedDecimal(record.maxPositionUSD))
    }

    static func describeAccess(_ user: DeskUser) -> String {
        var parts: [String] = []
        parts.append("venues " + (user.venues.map { $0.map(\.name).sorted().joined(separator: ",") } ?? "any"))
        if let chains = user.chains { parts.append("chains " + chains.map(\.name).sorted().joined(separator: ",")) }
        if let pairs = user.pairs { parts.append("pairs " + pairs.map(\.description).sorted().joined(separator: ",")) }
        if let cap = user.dailyVolumeUSD { parts.append("$\(cap.formatted(digits: 0))/day") }
        if let cap = user.maxPositionUSD { parts.append("max position $\(cap.formatted(digits: 0))") }
        return parts.joined(separator: "; ")
    }

    static func describe(_ user: DeskUser) -> String {
        "\(user.name) \(user.role) on \(user.plan); \(describeAccess(user))"
    }
}
