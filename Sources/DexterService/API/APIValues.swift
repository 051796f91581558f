import DexterCore
import DexterDetect
import DexterEngine
import DexterLedger
import DexterRisk

/// The desk's values as the API document shapes them: exact amounts as decimal strings, times as ISO 8601.
extension Components.Schemas.Opportunity {
    init(_ opportunity: Opportunity, now: Timestamp) {
        self.init(id: Int64(opportunity.id), symbol: opportunity.pairLabel, route: opportunity.route.description,
                  legs: opportunity.legs.map { .init($0, now: now) }, gross: opportunity.gross.description,
                  fees: opportunity.fees.description, gasCost: opportunity.gasCost.description,
                  funding: opportunity.funding.description, slippage: opportunity.slippage.description,
                  net: opportunity.net.description, netBps: opportunity.netBps.description,
                  netUSD: opportunity.netUSD.description, detectedAt: opportunity.detectedAt.iso8601,
                  expiresAt: opportunity.expiresAt.iso8601)
    }
}

extension Components.Schemas.Leg {
    init(_ leg: OpportunityLeg, now: Timestamp) {
        self.init(venue: leg.venue.name, side: leg.side == .buy ? .buy : .sell, symbol: leg.symbol.description,
                  quantity: leg.quantity.description, averagePrice: leg.averagePrice.description,
                  worstPrice: leg.worstPrice.description, notional: leg.notional.description, fee: leg.fee.description,
                  gas: leg.gas.description, gasToken: leg.gasToken?.code,
                  quoteAgeMs: max(0, now.duration(since: leg.receivedAt).nanosecondsClamped / 1_000_000))
    }
}

extension Components.Schemas.TradingState {
    init(_ state: TradingState) {
        switch state {
        case .active: self = .active
        case .reducing: self = .reducing
        case .halted: self = .halted
        }
    }
}

extension Components.Schemas.Member {
    init(_ user: DeskUser) {
        let role: RolePayload = switch user.role {
        case .trader: .trader
        case .analyst: .analyst
        case .riskManager: .riskManager
        case .admin: .admin
        }
        self.init(name: user.name, role: role)
    }
}

extension Components.Schemas.DeskEvent {
    init(_ said: DexterEngine.Notification) {
        let level: LevelPayload = switch said.level {
        case .info: .info
        case .success: .success
        case .warning: .warning
        case .error: .error
        }
        self.init(at: said.time.iso8601, kind: said.event.kind, level: level, text: said.text)
    }
}

extension Components.Schemas.Position {
    init(_ row: PositionRow) {
        self.init(asset: row.asset, quantity: row.quantity.description, usdValue: row.usdValue,
                  unrealisedUSD: row.unrealisedUSD, realisedTodayUSD: row.realisedTodayUSD.description,
                  accounts: row.accounts.map { .init(account: $0.account, quantity: $0.quantity.description) })
    }
}

extension Components.Schemas.PnL {
    init(_ pnl: PnLSummary) {
        self.init(realisedTodayUSD: pnl.realisedTodayUSD.description, fundingTodayUSD: pnl.fundingTodayUSD.description,
                  volumeTodayUSD: pnl.volumeTodayUSD.description, arbitragesToday: pnl.arbitragesToday,
                  tradesToday: pnl.tradesToday)
    }
}

extension Components.Schemas.Order {
    init(_ row: OrderRow) {
        self.init(clientOrderId: row.clientOrderId, opportunityId: Int64(row.opportunityId), venue: row.venue.name,
                  side: row.side == .buy ? .buy : .sell, symbol: row.symbol.description,
                  quantity: row.quantity.description, limitPrice: row.limitPrice.description,
                  filled: row.filled.description, averagePrice: row.averagePrice.description,
                  state: "\(row.state)", reason: row.reason, route: row.route,
                  submittedAt: row.submittedAt.iso8601, updatedAt: row.updatedAt.iso8601)
    }
}

extension Components.Schemas.Risk {
    init(_ snapshot: Snapshot) {
        self.init(tradingState: .init(snapshot.tradingState), haltReason: snapshot.haltReason,
                  limits: snapshot.limits.map { .init(name: $0.name, used: $0.used.description, limit: $0.limit.description,
                                                      unit: $0.unit) },
                  maxNotionalPerTradeUSD: snapshot.limitsSummary.maxNotionalPerTradeUSD.description,
                  riskSamples: snapshot.riskSamples, riskSamplesNeeded: Snapshot.riskSamplesNeeded,
                  valueAtRiskUSD: snapshot.risk?.var99.historical, expectedShortfallUSD: snapshot.risk?.es99.historical)
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: AuditEntry) {
        self.init(seq: entry.sequence, at: entry.at, user: entry.user, action: entry.action, detail: entry.detail,
                  prevHash: entry.previousHash, hash: entry.hash)
    }
}
