import Foundation
import DexterCore
import DexterEngine

extension Panels {
    /// Today's realised P&L and its sparkline, then each asset: quantity, value, and the mark-to-market move since
    /// the session opened, with the accounts that hold it.
    static func positions(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: title(.positions), focused: focused)
        let inner = rect.inset
        let pnl = snapshot.pnl
        let role: ColorRole = pnl.realisedTodayUSD.isNegative ? .loss : .profit
        let realised = "realised " + Format.usd(pnl.realisedTodayUSD, signed: true) + " "
        let unrealised = snapshot.positions.compactMap(\.unrealisedUSD).reduce(0, +)
        var lines: [(String, ColorRole)] = [
            (realised + sparkline(pnl.history, width: max(0, inner.width - realised.count - 1)), role),
            ("unreal. " + signedUSD(unrealised) + "  vol $\(Format.compact(pnl.volumeTodayUSD.doubleValue))", unrealised < 0 ? .loss : .normal),
            ("arbs \(pnl.arbitragesToday)  fills \(pnl.tradesToday)"
                + (pnl.fundingTodayUSD.isZero ? "" : "  funding " + signedUSD(pnl.fundingTodayUSD.doubleValue)), .dim),
        ]
        lines.append(("asset   value realised  unreal.  quantity", .header))
        for position in snapshot.positions where !position.quantity.isZero || !position.realisedTodayUSD.isZero {
            let value = position.usdValue.map { "$" + Format.compact($0) } ?? "—"
            let move = position.unrealisedUSD.map(signedUSD) ?? ""
            let realised = position.realisedTodayUSD.isZero ? "—" : signedUSD(position.realisedTodayUSD.doubleValue)
            lines.append((fit(position.asset, 5) + fit(value, 8, right: true) + fit(realised, 9, right: true) + fit(move, 9, right: true)
                          + "  " + Format.quantity(position.quantity), (position.unrealisedUSD ?? 0) < 0 ? .loss : .normal))
            if let note = position.priceNote {
                lines.append(("  " + (position.priceWarning ? "⚠ " : "") + note, position.priceWarning ? .warning : .dim))
            }
            for account in position.accounts {
                let venue = account.account.replacingOccurrences(of: "wallet@", with: "@")
                let venueRealised = position.realisedByVenue.first { $0.venue == account.account }?.usd
                lines.append(("  " + fit(venue, 11) + fit(venueRealised.map { signedUSD($0.doubleValue) } ?? "", 9, right: true)
                              + fit(Format.quantity(account.quantity), 14, right: true), .dim))
            }
            // Venues with realised profit but no holding left (a DEX leg settles in a chain wallet).
            for (venue, usd) in position.realisedByVenue where !position.accounts.contains(where: { $0.account == venue }) {
                lines.append(("  " + fit(venue, 11) + fit(signedUSD(usd.doubleValue), 9, right: true), .dim))
            }
        }
        // Perpetuals: each margin account's equity and margin ratio, then its positions at the marks.
        for margin in snapshot.margins {
            let near = margin.ratio >= (margin.reduceAt ?? 1) * 0.8
            lines.append(("perp " + fit(margin.account, 13) + " eq $" + Format.compact(margin.equity.doubleValue) + "  margin "
                          + (margin.ratio.isFinite ? Format.percent(margin.ratio) : "∞"), margin.ratio >= 1 ? .loss : near ? .warning : .normal))
            for position in margin.positions {
                let base = position.symbol.split(separator: "/").first.map(String.init) ?? position.symbol
                lines.append(("  " + fit(base + "-PERP", 9) + fit(Format.quantity(position.size), 10, right: true) + " @"
                              + Format.price(position.entryPrice) + " " + signedUSD(position.unrealised.doubleValue),
                              position.unrealised.isNegative ? .loss : .dim))
            }
        }
        scrolling(lines, panel: .positions, view: &view, into: &canvas, inner)
    }

    static func signedUSD(_ value: Double) -> String {
        (value < 0 ? "-$" : "+$") + Format.compact(abs(value))
    }

    static func sparkline(_ values: [Double], width: Int) -> String {
        let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let recent = Array(values.suffix(max(0, width)))
        guard let low = recent.min(), let high = recent.max(), recent.count > 1 else { return "" }
        let span = high - low
        return String(recent.map { span > 0 ? bars[Int((($0 - low) / span) * 7)] : bars[0] })
    }

    /// The trading state and the kill switch, then each limit with a usage bar: green, amber from 70 %, red from 90 %.
    static func risk(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: title(.risk), focused: focused)
        let inner = rect.inset
        guard inner.height > 0 else { return }
        if let reason = snapshot.haltReason {
            canvas.put("HALTED: \(reason)", x: inner.x + 1, y: inner.y, role: .halted, limit: inner.width - 1)
        } else {
            var x = inner.x + 1
            let reducing = snapshot.tradingState == .reducing
            x += canvas.put(reducing ? "REDUCING" : "ACTIVE", x: x, y: inner.y, role: reducing ? .warning : .profit)
            canvas.put("  ≤ $\(Format.compact(snapshot.limitsSummary.maxNotionalPerTradeUSD.doubleValue))/trade  K halts", x: x,
                       y: inner.y, role: .dim, limit: inner.maxX - x)
        }
        // The limits' bars, then VaR / ES, volatility and correlation: one list, scrolled together.
        enum Line { case bar(LimitGauge), text(String, ColorRole) }
        var lines = snapshot.limits.map(Line.bar)
        if let risk = snapshot.risk {
            func usd(_ pair: RiskPair) -> String { "$" + Format.compact(pair.historical) + "/$" + Format.compact(pair.parametric) }
            lines.append(.text("1d VaR 95% \(usd(risk.var95))  99% \(usd(risk.var99))", .normal))
            lines.append(.text("1d ES  95% \(usd(risk.es95))  99% \(usd(risk.es99))", .normal))
            lines.append(.text("   (historical/parametric, \(risk.samples) samples)", .dim))
            let vols = risk.volatility.prefix(4).map { "\($0.asset) \(Format.percent($0.daily))" }.joined(separator: " ")
            if !vols.isEmpty { lines.append(.text("EWMA vol 1d " + vols, .dim)) }
            for (a, b, rho) in risk.correlation.prefix(6) {
                lines.append(.text("corr \(a)·\(b) \(String(format: "%+.2f", rho))", .dim))
            }
        } else {
            lines.append(.text("VaR: collecting prices (\(snapshot.riskSamples)/\(Snapshot.riskSamplesNeeded))", .dim))
        }
        let rows = inner.height - 1
        let offset = max(0, min(view.offsets[.risk] ?? 0, max(0, lines.count - rows)))
        view.offsets[.risk] = offset
        for (row, line) in lines.dropFirst(offset).prefix(rows).enumerated() {
            let y = inner.y + 1 + row
            guard case .bar(let usage) = line else {
                if case .text(let text, let role) = line { canvas.put(text, x: inner.x + 1, y: y, role: role, limit: inner.width - 1) }
                continue
            }
            let fraction = max(0, min(1, usage.fraction))
            // Wider panels (zoomed) give names room: "binance-b api" whole.
            let labelWidth = inner.width >= 60 ? 18 : 10
            let label = fit(usage.name.replacingOccurrences(of: "position ", with: "pos ").replacingOccurrences(of: "margin ", with: "mgn "), labelWidth)
            let barWidth = max(3, inner.width - labelWidth - 7)
            let filled = Int((fraction * Double(barWidth)).rounded())
            let role: ColorRole = fraction >= 0.9 ? .loss : fraction >= 0.7 ? .warning : .profit
            var x = inner.x + 1
            x += canvas.put(label + " ", x: x, y: y, limit: inner.maxX - x)
            x += canvas.put(String(repeating: "█", count: filled), x: x, y: y, role: role, limit: inner.maxX - x)
            x += canvas.put(String(repeating: "░", count: barWidth - filled), x: x, y: y, role: .dim, limit: inner.maxX - x)
            canvas.put(fit("\(Int((fraction * 100).rounded()))%", 5, right: true), x: x, y: y, role: role, limit: inner.maxX - x)
        }
        if lines.count > rows {
            let more = "\(offset + 1)–\(min(lines.count, offset + rows)) of \(lines.count)"
            canvas.put(" \(more) ", x: rect.maxX - more.count - 4, y: rect.maxY - 1, role: .dim)
        }
    }

    /// Each wallet (name, short address or API key note), then a line per chain: its USD value and largest holdings,
    /// and a warning where the gas token runs low.
    static func wallets(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        let total = snapshot.wallets.reduce(0) { $0 + $1.usdValue }
        canvas.box(rect, title: title(.wallets, "Wallets $\(Format.compact(total))"), focused: focused)
        let inner = rect.inset
        var rows: [[(String, ColorRole)]] = []
        for holding in snapshot.wallets {
            let wallet = holding.wallet
            let tag: String = switch wallet.kind {
            case .cex: wallet.keyNote ?? (holding.isPaper ? "paper" : "no API key")
            case .evmWatch: "\(wallet.shortAddress) watch"
            case .evm, .solana: holding.isPaper ? "paper" : wallet.shortAddress
            }
            rows.append([(wallet.name, .accent), (" " + tag, wallet.keyOverdue ? .warning : .dim)])
            for chain in holding.chains {
                // An exchange account is its spot wallet, or a futures (margin) account when it holds perpetuals.
                let margin = snapshot.margins.contains { $0.account == wallet.name || $0.account == chain.chain }
                var row: [(String, ColorRole)] = [(" " + fit(wallet.kind == .cex ? (margin ? "margin" : "spot") : chain.chain, 9), .normal)]
                if chain.source == nil {
                    row.append(("no balance feed", .dim))
                } else {
                    row.append((fit("$" + Format.compact(chain.usdValue), 7, right: true), .normal))
                    if let token = chain.lowGas { row.append((" ⚠ low \(token)", .warning)) }
                    for asset in chain.assets {
                        let amount = asset.amount.magnitude.doubleValue >= 10_000 ? Format.compact(asset.amount.doubleValue) : Format.quantity(asset.amount)
                        row.append((" \(asset.asset) \(amount)", asset.amount.isNegative ? .loss : .dim))
                    }
                }
                rows.append(row)
            }
        }
        let visible = max(0, inner.height)
        let offset = max(0, min(view.offsets[.wallets] ?? 0, max(0, rows.count - visible)))
        view.offsets[.wallets] = offset
        for (index, row) in rows.dropFirst(offset).prefix(visible).enumerated() {
            var x = inner.x + 1
            for (piece, (text, role)) in row.enumerated() {
                // Whole holdings only: a number cut short would read as a different number.
                if piece >= 2 && x + text.count > inner.maxX { break }
                x += canvas.put(text, x: x, y: inner.y + index, role: role, limit: inner.maxX - x)
            }
        }
        if rows.count > visible, visible > 0 {
            let more = " \(offset + 1)–\(min(rows.count, offset + visible)) of \(rows.count) "
            canvas.put(more, x: inner.maxX - more.count - 1, y: inner.maxY, role: .dim)
        }
    }

    /// Every leg of this session, newest first, with its state. Focused, it has a selection (↑ ↓) that the speed-up
    /// and cancel keys act on; the panel scrolls to keep it in view.
    static func orders(_ snapshot: Snapshot, view: inout ViewState, keymap: KeyMap, focused: Bool, into canvas: inout Canvas,
                       _ rect: Rect) {
        let live = snapshot.orders.filter(\.state.isLive).count
        // Focused with something live: the two keys that act on the selection, named where the trader looks.
        let keys = focused && live > 0 ? " · \(keymap.label(for: .speedUp)) speed up · \(keymap.label(for: .cancelOrder)) cancel" : ""
        canvas.box(rect, title: title(.orders, "Orders (\(live) live)\(keys)"), focused: focused)
        let inner = rect.inset
        guard !snapshot.orders.isEmpty else {
            canvas.put("no orders yet this session", x: inner.x + 1, y: inner.y, role: .dim, limit: inner.width - 1)
            return
        }
        let lines: [(String, ColorRole)] = snapshot.orders.map { order in
            let role: ColorRole = order.state.isLive || order.state == .initialized ? .accent
                : order.state == .filled ? .profit : (order.filled.isPositive ? .warning : .loss)
            let state = order.state.isLive ? "live" : (order.state == .canceled && order.filled.isPositive ? "partial" : order.state.rawValue)
            // A venue name as long as the column still leaves a space before the side.
            var text = order.updatedAt.utcClock + " " + fit(state, 8) + " \(order.tag) " + fit(order.venue.name, 10) + " "
                + fit(order.side.rawValue, 5) + Format.quantity(order.quantity) + " " + order.symbol.description
            // A chain order's transaction and route first: what the trader checks when a swap is slow.
            if let route = order.route { text += " [\(route)]" }
            if order.filled.isPositive { text += " \(Format.quantity(order.filled)) @ \(Format.price(order.averagePrice))" }
            if let reason = order.reason { text += " \(reason)" }
            return (text, role)
        }
        guard focused, let selected = view.reconcileOrder(with: snapshot.orders) else {
            return scrolling(lines, panel: .orders, view: &view, into: &canvas, inner)
        }
        let rows = max(1, inner.height)
        var offset = view.offsets[.orders] ?? 0
        if selected < offset { offset = selected }
        if selected >= offset + rows { offset = selected - rows + 1 }
        view.offsets[.orders] = offset
        scrolling(lines, panel: .orders, view: &view, into: &canvas, inner)
        let y = inner.y + selected - (view.offsets[.orders] ?? 0)
        guard y >= inner.y, y < inner.y + rows else { return }
        canvas.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: .selected)
        canvas.put("▶", x: inner.x, y: y, role: .selected)
    }

    /// The Orders panel's row under screen line `y`, as drawn last.
    static func orderRow(at y: Int, in rect: Rect, view: ViewState) -> Int? {
        let inner = rect.inset
        guard y >= inner.y, y < inner.y + inner.height else { return nil }
        return y - inner.y + (view.offsets[.orders] ?? 0)
    }

    /// Notifications and failures, newest first.
    static func log(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: title(.log), focused: focused)
        let lines = snapshot.notifications.map { ("\($0.time.utcClock) \($0.text)", role(of: $0.level)) }
        scrolling(lines, panel: .log, view: &view, into: &canvas, rect.inset)
    }
}
