import DexterCore

/// What a desk member may do. Checked by the engine on every command, not only by the screen.
public enum Role: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case trader
    case analyst
    case riskManager = "risk-manager"
    case admin

    public var description: String {
        switch self {
        case .trader: return "Trader"
        case .analyst: return "Analyst"
        case .riskManager: return "RiskManager"
        case .admin: return "Admin"
        }
    }

    /// The roles that may take `action`, as listed in a refusal.
    public static func holders(of action: DeskAction) -> [Role] { allCases.filter { $0.grants(action) } }

    /// The role's own grants (an admin who may trade also approves: see `DeskUser.may`).
    public func grants(_ action: DeskAction) -> Bool {
        switch (self, action) {
        case (_, .view): return true
        // Stopping is always safe, so every role that acts may pull the kill switch; only a risk manager resumes.
        case (.trader, .approve), (.trader, .reject), (.trader, .cancelOrders), (.trader, .exportReports),
             (.trader, .halt): return true
        case (.analyst, .exportReports): return true
        case (.riskManager, .halt), (.riskManager, .resume), (.riskManager, .setLimits), (.riskManager, .setTradingState),
             (.riskManager, .cancelOrders), (.riskManager, .exportReports): return true
        case (.admin, .manageUsers), (.admin, .manageKeys), (.admin, .manageVenues), (.admin, .exportReports),
             (.admin, .halt): return true
        default: return false
        }
    }
}

/// Every command that changes the desk, and viewing it.
public enum DeskAction: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case view, approve, reject, cancelOrders = "cancel orders", halt = "kill switch", resume
    case setLimits = "set limits", setTradingState = "set trading state", manageUsers = "manage users"
    case manageKeys = "manage keys", manageVenues = "manage venues", exportReports = "export reports"

    public var description: String { rawValue }
}

/// A desk plan: how many venues and how much daily volume a user on it may use.
public struct Plan: Sendable, Hashable {
    public let name: String
    /// nil: no limit.
    public let maxVenues: Int?
    public let dailyVolumeUSD: FixedDecimal?

    public init(name: String, maxVenues: Int?, dailyVolumeUSD: FixedDecimal?) {
        self.name = name
        self.maxVenues = maxVenues
        self.dailyVolumeUSD = dailyVolumeUSD
    }

    /// The product's tiers; config may redefine them.
    public static let standard: [String: Plan] = [
        "free": Plan(name: "free", maxVenues: 5, dailyVolumeUSD: FixedDecimal(10_000)),
        "pro": Plan(name: "pro", maxVenues: nil, dailyVolumeUSD: FixedDecimal(100_000)),
        "enterprise": Plan(name: "enterprise", maxVenues: nil, dailyVolumeUSD: nil),
    ]
}

/// A member of the desk: role, plan and what they may trade.
public struct DeskUser: Sendable, Hashable {
    public var name: String
    public var role: Role
    /// An admin set up by the first start, who may also trade (a one-person desk).
    public var mayTrade: Bool
    public var plan: String
    /// nil: any. Otherwise only these.
    public var venues: Set<VenueId>?
    public var chains: Set<ChainId>?
    public var pairs: Set<Symbol>?
    /// The user's own caps, on top of the desk's limits and the plan's.
    public var dailyVolumeUSD: FixedDecimal?
    public var maxPositionUSD: FixedDecimal?

    public init(name: String, role: Role, mayTrade: Bool = false, plan: String = "enterprise",
                venues: Set<VenueId>? = nil, chains: Set<ChainId>? = nil, pairs: Set<Symbol>? = nil,
                dailyVolumeUSD: FixedDecimal? = nil, maxPositionUSD: FixedDecimal? = nil) {
        self.name = name
        self.role = role
        self.mayTrade = mayTrade
        self.plan = plan
        self.venues = venues
        self.chains = chains
        self.pairs = pairs
        self.dailyVolumeUSD = dailyVolumeUSD
        self.maxPositionUSD = maxPositionUSD
    }

    /// A member who may trade approves, rejects and cancels; the first start's admin who may trade is the whole
    /// desk, so they also stand in for the risk manager (resume, limits, trading state).
    public func may(_ action: DeskAction) -> Bool {
        if role.grants(action) { return true }
        guard mayTrade else { return false }
        switch action {
        case .approve, .reject, .cancelOrders: return true
        case .resume, .setLimits, .setTradingState: return role == .admin
        default: return false
        }
    }

    /// nil when allowed; else the refusal naming the roles that may.
    public func refusal(_ action: DeskAction) -> PermissionDenied? {
        may(action) ? nil : PermissionDenied(user: name, role: role, action: action)
    }
}

/// A command refused for the user's role.
public struct PermissionDenied: Error, Sendable, Hashable, CustomStringConvertible {
    public let user: String
    public let role: Role
    public let action: DeskAction

    public var description: String {
        let needed = Role.holders(of: action).map(\.description)
        let list = needed.count <= 1 ? (needed.first ?? "no role")
            : needed.dropLast().joined(separator: ", ") + " or " + needed[needed.count - 1]
        return "\(action) needs the \(list) role (\(user) is \(role))"
    }
}
