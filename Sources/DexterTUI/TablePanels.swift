import DexterCore
import DexterEngine

extension Panels {
    static let columns: [(title: String, width: Int, right: Bool)] = [
        // 78 columns with their gaps: the table's 80 less its frame. Buy and sell fit "binance-usdm".
        ("#", 4, true), ("Pair", 10, false), ("Buy", 12, false), ("Sell", 12, false), ("Size", 10, true),
        ("Net $", 10, true), ("bps", 6, true), ("Age", 6, true),
    ]

    static func opportunities(_ snapshot: Snapshot, visible: [Opportunity], view: inout ViewState, focused: Bool,
                              into canvas: inout Canvas, _ rect: Rect) {
        var heading = "Opportunities (\(visible.count)"
        if !view.filter.isEmpty { heading += " of \(snapshot.opportunities.count), filter \"\(view.filter)\"" }
        heading += ") by \(view.sort.rawValue)"
        canvas.box(rect, title: title(.opportunities, heading), focused: focused)
        let inner = rect.inset
        guard inner.height >= 2 else { return }
        var x = inner.x
        for column in columns {
            x += canvas.put(fit(column.title, column.width, right: column.right) + " ", x: x, y: inner.y, role: .header,
                            limit: inner.maxX - x)
        }
        // The best cycles take the bottom of the panel (a heading and a row each) when there is room.
        let cycleRows = snapshot.cycles.isEmpty || inner.height < 8 ? 0 : min(snapshot.cycles.count, (inner.height - 4) / 3) + 1
        let rows = inner.height - 1 - cycleRows
        view.tableRows = rows
        view.scroll(toShow: rows)
        // Cycles come and go fast: a selection on one that is gone moves to the best one now.
        if view.onCycles { view.moveCycle(by: 0, in: snapshot.cycles) }
        if cycleRows > 0 { cycles(snapshot, rows: cycleRows, view: view, into: &canvas, Rect(x: inner.x, y: inner.maxY - cycleRows,
                                                                                    width: inner.width, height: cycleRows)) }
        if visible.isEmpty {
            let text = snapshot.opportunities.isEmpty
                ? "watching \(snapshot.feed.venues) venues; no opportunity clears all costs right now"
                : "none of \(snapshot.opportunities.count) matches \"\(view.filter)\" (/ then Esc clears)"
            canvas.put(text, x: inner.x + 1, y: inner.y + 2, role: .dim, limit: inner.width - 1)
            return
        }
        for row in 0..<rows {
            let index = view.scrollOffset + row
            guard index < visible.count else { break }
            let opportunity = visible[index]
            let y = inner.y + 1 + row
            let stale = opportunity.isExpired(at: snapshot.clock)
            let age = opportunity.legs.map { $0.quoteAge(at: snapshot.clock) }.max() ?? .zero
            let cells = [
                "\(opportunity.id)", opportunity.isBasis ? "\(opportunity.symbol.base) basis" : opportunity.symbol.description,
                opportunity.buy.venue.name,
                opportunity.sell.venue.name, Format.quantity(opportunity.quantity),
                Format.usd(opportunity.netUSD), opportunity.netBps.formatted(digits: 1), stale ? "stale" : Format.coarseAge(age),
            ]
            var x = inner.x
            for (column, text) in zip(columns, cells) {
                let role: ColorRole = stale ? .stale : (column.title == "Net $" ? .profit : .normal)
                x += canvas.put(fit(text, column.width, right: column.right) + " ", x: x, y: y, role: role,
                                limit: inner.maxX - x)
            }
            if opportunity.id == view.selectedId, !view.onCycles {
                canvas.put("▶", x: inner.x, y: y, role: .selected)
                canvas.paint(Rect(x: inner.x, y: y, width: inner.width, height: 1), role: stale ? .stale : .selected)
                if stale { canvas.put("▶", x: inner.x, y: y, role: .selected) }
            }
        }
        if visible.count > rows {
            let more = "\(view.scrollOffset + 1)–\(min(visible.count, view.scrollOffset + rows)) of \(visible.count)"
            canvas.put(" \(more) ", x: rect.maxX - more.count - 4, y: rect.maxY - 1, role: .dim)
        }
    }

    /// The table row under screen row `y`, for a mouse click.
    static func opportunityRow(at y: Int, in rect: Rect, view: ViewState) -> Int? {
        let first = rect.inset.y + 1
        guard y >= first, y < rect.inset.maxY, y - first < view.tableRows else { return nil }
        return view.scrollOffset + (y - first)
    }

    /// The best cycles under the table: number, path with venues, net and edge. `c` moves the selection here,
    /// where a cycle is approved like a pair.
    static func cycles(_ snapshot: Snapshot, rows: Int, view: ViewState, into canvas: inout Canvas, _ rect: Rect) {
        let how = view.onCycles ? "a approves, c back to pairs" : "c selects"
        canvas.put(fit("Cycles (best \(snapshot.cycles.count), no shared market; \(how))", rect.width), x: rect.x, y: rect.y,
                   role: .header, limit: rect.width)
        for (row, cycle) in snapshot.cycles.prefix(rows - 1).enumerated() {
            let stale = cycle.isExpired(at: snapshot.clock)
            let selected = view.onCycles && cycle.id == view.selectedCycleId
            let figures = " " + Format.usd(cycle.netUSD) + " " + cycle.netBps.formatted(digits: 1) + "bp"
            let label = (selected ? "▶" : " ") + fit("c\(cycle.id)", 4, right: true) + " "
            let text = label + fit(cycle.route, max(0, rect.width - figures.count - label.count)) + figures
            canvas.put(text, x: rect.x, y: rect.y + 1 + row, role: selected ? .selected : (stale ? .stale : .profit), limit: rect.width)
        }
    }

    /// The selected opportunity's legs and cost waterfall, each leg's quote age counting up.
    static func detail(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: title(.detail), focused: focused)
        let inner = rect.inset
        guard let id = view.selectedId, let opportunity = snapshot.opportunities.first(where: { $0.id == id }) else {
            canvas.put("select an opportunity", x: inner.x + 1, y: inner.y, role: .dim, limit: inner.width - 1)
            return
        }
        var lines = Overlays.lines(for: opportunity, now: snapshot.clock)
        if let unwind = snapshot.unwindCosts[opportunity.id] {
            lines.append(("if the sell leg misses, trading back costs ≈ \(Format.usd(-unwind, signed: true))", .dim))
        }
        scrolling(lines, panel: .detail, view: &view, into: &canvas, inner)
    }
}
