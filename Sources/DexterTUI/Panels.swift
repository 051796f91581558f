import DexterCore
import DexterDetect
import DexterEngine
import DexterRisk

/// Panels are pure functions from a snapshot (and the view state) to cells. Only `CursesScreen` talks to curses.
public enum Panels {
    /// The whole frame at `width` × `height`.
    public static func frame(_ snapshot: Snapshot, view: inout ViewState, keymap: KeyMap, width: Int, height: Int) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        guard width >= Layout.minimumWidth, height >= Layout.minimumHeight else {
            canvas.put("dexter needs at least \(Layout.minimumWidth)×\(Layout.minimumHeight)", x: 0, y: 0, role: .warning)
            canvas.put("now \(width)×\(height); q quits", x: 0, y: 1)
            return canvas
        }
        let layout = Layout(width: width, height: height)
        view.reconcile(with: snapshot.opportunities)
        status(snapshot, into: &canvas, layout.status)
        opportunities(snapshot, view: &view, into: &canvas, layout.opportunities)
        pnl(snapshot, into: &canvas, layout.pnl)
        risk(snapshot, into: &canvas, layout.risk)
        wallets(snapshot, into: &canvas, layout.balances)
        message(snapshot, into: &canvas, layout.message)
        footer(keymap, into: &canvas, layout.footer)
        if let confirmation = snapshot.confirmation {
            Overlays.confirmation(confirmation, now: snapshot.clock, into: &canvas)
        } else if view.overlay == .detail, let id = view.selectedId,
                  let opportunity = snapshot.opportunities.first(where: { $0.id == id }) {
            Overlays.detail(opportunity, now: snapshot.clock, into: &canvas)
        } else if view.overlay == .help {
            Overlays.help(keymap, into: &canvas)
        }
        return canvas
    }

    static func status(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        canvas.fill(rect, role: .status)
        var x = rect.x
        x += canvas.put(" dexter ", x: x, y: rect.y, role: .status)
        x += canvas.put(" \(snapshot.mode) ", x: x, y: rect.y, role: .selected)
        x += canvas.put("  user \(snapshot.user)", x: x, y: rect.y, role: .status)
        let feedRole: ColorRole = snapshot.feed.isHealthy ? .status : .warning
        let feedText = snapshot.feed.isHealthy
            ? "  feed ok \(Int(snapshot.feed.updatesPerSecond)) upd/s \(snapshot.feed.venues) venues"
            : "  feed STALE: \(snapshot.feed.staleVenues.joined(separator: ","))"
        x += canvas.put(feedText, x: x, y: rect.y, role: feedRole)
        let state = "  \(snapshot.tradingState.uppercased())"
        x += canvas.put(state, x: x, y: rect.y, role: snapshot.tradingState == "active" ? .status : .halted)
        for alert in snapshot.alerts.prefix(1) {
            let text = snapshot.alerts.count > 1 ? "  ⚠ \(alert) (+\(snapshot.alerts.count - 1))" : "  ⚠ \(alert)"
            x += canvas.put(text, x: x, y: rect.y, role: .warning, limit: max(0, rect.maxX - 14 - x))
        }
        let clock = "\(snapshot.clock.utcClock) UTC "
        if rect.maxX - clock.count > x { canvas.put(clock, x: rect.maxX - clock.count, y: rect.y, role: .status) }
    }

    static let columns: [(title: String, width: Int, right: Bool)] = [
        ("#", 4, true), ("Pair", 9, false), ("Buy", 11, false), ("Sell", 11, false), ("Size", 10, true),
        ("Net $", 10, true), ("bps", 6, true), ("Age", 6, true),
    ]

    static func opportunities(_ snapshot: Snapshot, view: inout ViewState, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: "Opportunities (\(snapshot.opportunities.count)) by net profit", focused: true)
        let inner = rect.inset
        guard inner.height >= 2 else { return }
        var x = inner.x
        for column in columns {
            x += canvas.put(fit(column.title, column.width, right: column.right) + " ", x: x, y: inner.y, role: .header,
                            limit: inner.maxX - x)
        }
        let rows = inner.height - 1
        view.scroll(toShow: rows)
        if snapshot.opportunities.isEmpty {
            canvas.put("watching \(snapshot.feed.venues) venues; no opportunity clears all costs right now",
                       x: inner.x + 1, y: inner.y + 2, role: .dim, limit: inner.width - 1)
            return
        }
        for row in 0..<rows {
            let index = view.scrollOffset + row
            guard index < snapshot.opportunities.count else { break }
            let opportunity = snapshot.opportunities[index]
            let y = inner.y + 1 + row
            let stale = opportunity.isExpired(at: snapshot.clock)
            let age = opportunity.legs.map { $0.quoteAge(at: snapshot.clock) }.max() ?? .zero
            let cells = [
                "\(opportunity.id)", opportunity.symbol.description, opportunity.buy.venue.name,
                opportunity.sell.venue.name, Format.quantity(opportunity.quantity),
                Format.usd(opportunity.netUSD), opportunity.netBps.formatted(digits: 1), Format.age(age),
            ]
            var x = inner.x
            for (column, text) in zip(columns, cells) {
                let role: ColorRole = stale ? .stale : (column.title == "Net $" ? .profit : .normal)
                x += canvas.put(fit(text, column.width, right: column.right) + " ", x: x, y: y, role: role,
                                limit: inner.maxX - x)
            }
            if opportunity.id == view.selectedId {
                canvas.put("▶", x: inner.x, y: y, role: .selected)
                canvas.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
            }
        }
        if snapshot.opportunities.count > rows {
            let more = "\(view.scrollOffset + 1)-\(min(snapshot.opportunities.count, view.scrollOffset + rows)) of \(snapshot.opportunities.count)"
            canvas.put(" \(more) ", x: rect.maxX - more.count - 4, y: rect.maxY - 1, role: .dim)
        }
    }

    static func pnl(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: "P&L today")
        let inner = rect.inset
        let pnl = snapshot.pnl
        let role: ColorRole = pnl.realisedTodayUSD.isNegative ? .loss : .profit
        canvas.put("realised " + Format.usd(pnl.realisedTodayUSD, signed: true), x: inner.x + 1, y: inner.y, role: role,
                   limit: inner.width - 1)
        canvas.put("arbs \(pnl.arbitragesToday)  fills \(pnl.tradesToday)", x: inner.x + 1, y: inner.y + 1, limit: inner.width - 1)
        canvas.put("volume $\(Format.compact(pnl.volumeTodayUSD.doubleValue))", x: inner.x + 1, y: inner.y + 2,
                   limit: inner.width - 1)
        if inner.height > 3 {
            canvas.put(sparkline(pnl.history, width: inner.width - 2), x: inner.x + 1, y: inner.y + 3, role: role)
        }
    }

    static func sparkline(_ values: [Double], width: Int) -> String {
        let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let recent = Array(values.suffix(max(0, width)))
        guard let low = recent.min(), let high = recent.max(), recent.count > 1 else { return "" }
        let span = high - low
        return String(recent.map { span > 0 ? bars[Int((($0 - low) / span) * 7)] : bars[0] })
    }

    static func risk(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: "Risk")
        let inner = rect.inset
        canvas.put("per trade ≤ \(Format.usd(snapshot.limitsSummary.maxNotionalPerTradeUSD))",
                   x: inner.x + 1, y: inner.y, limit: inner.width - 1)
        for (row, usage) in snapshot.limits.prefix(inner.height - 1).enumerated() {
            let y = inner.y + 1 + row
            let fraction = max(0, min(1, usage.fraction))
            let label = fit(usage.name.replacingOccurrences(of: "position ", with: "pos "), 10)
            let barWidth = max(3, inner.width - 17)
            let filled = Int((fraction * Double(barWidth)).rounded())
            let role: ColorRole = fraction >= 0.9 ? .loss : fraction >= 0.7 ? .warning : .profit
            var x = inner.x + 1
            x += canvas.put(label + " ", x: x, y: y, limit: inner.maxX - x)
            x += canvas.put(String(repeating: "█", count: filled), x: x, y: y, role: role, limit: inner.maxX - x)
            x += canvas.put(String(repeating: "░", count: barWidth - filled), x: x, y: y, role: .dim, limit: inner.maxX - x)
            canvas.put(fit("\(Int((fraction * 100).rounded()))%", 5, right: true), x: x, y: y, limit: inner.maxX - x)
        }
    }

    /// Each wallet (name, short address or API key note), then a line per chain: its USD value and largest holdings.
    static func wallets(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        let total = snapshot.wallets.reduce(0) { $0 + $1.usdValue }
        canvas.box(rect, title: "Wallets $\(Format.compact(total))")
        let inner = rect.inset
        var y = inner.y
        for holding in snapshot.wallets {
            guard y < inner.maxY else { break }
            let wallet = holding.wallet
            var x = inner.x + 1
            x += canvas.put(wallet.name, x: x, y: y, role: .accent, limit: inner.maxX - x)
            let tag: String = switch wallet.kind {
            case .cex: wallet.keyNote ?? (holding.isPaper ? "paper" : "no API key")
            case .evmWatch: "\(wallet.shortAddress) watch"
            case .evm, .solana: holding.isPaper ? "paper" : wallet.shortAddress
            }
            canvas.put(" " + tag, x: x, y: y, role: wallet.keyOverdue ? .warning : .dim, limit: inner.maxX - x)
            y += 1
            for chain in holding.chains {
                guard y < inner.maxY else { break }
                let place = wallet.kind == .cex ? "spot" : chain.chain
                var x = inner.x + 2
                x += canvas.put(fit(place, 9), x: x, y: y, role: .normal, limit: inner.maxX - x)
                guard chain.source != nil else {
                    canvas.put("no balance feed", x: x, y: y, role: .dim, limit: inner.maxX - x)
                    y += 1
                    continue
                }
                x += canvas.put(fit("$" + Format.compact(chain.usdValue), 7, right: true), x: x, y: y, limit: inner.maxX - x)
                // Whole holdings only: a number cut short would read as a different number.
                for row in chain.assets {
                    let amount = row.amount.magnitude.doubleValue >= 10_000 ? Format.compact(row.amount.doubleValue) : Format.quantity(row.amount)
                    let text = " \(row.asset) \(amount)"
                    guard x + text.count <= inner.maxX else { break }
                    x += canvas.put(text, x: x, y: y, role: row.amount.isNegative ? .loss : .dim)
                }
                y += 1
            }
        }
    }

    static func message(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        guard let latest = snapshot.notifications.first else { return }
        let role: ColorRole = switch latest.level {
        case .info: .dim
        case .warning: .warning
        case .error: .loss
        case .success: .success
        }
        canvas.put(" \(latest.time.utcClock) \(latest.text)", x: rect.x, y: rect.y, role: role, limit: rect.width)
    }

    static func footer(_ keymap: KeyMap, into canvas: inout Canvas, _ rect: Rect) {
        var x = rect.x + 1
        for binding in keymap.bindings where binding.inFooter {
            let key = binding.keys.map(KeyMap.label).joined(separator: "/")
            guard x + key.count + binding.description.count + 3 < rect.maxX else { break }
            x += canvas.put(key, x: x, y: rect.y, role: .accent)
            x += canvas.put(" \(binding.description)  ", x: x, y: rect.y, role: .dim)
        }
    }
}
