import DexterCore
import DexterEngine
import Foundation

extension Panels {
    /// Columns of the markets table; the quantities only where the panel is wide enough for them.
    /// `pairWidth`: the longest symbol shown (12 at least), so a perpetual's `BTC/USDT:USDT` is never cut.
    static func marketColumns(wide: Bool, pairWidth: Int = 12) -> [(title: String, width: Int, right: Bool)] {
        var columns: [(title: String, width: Int, right: Bool)] = [("Venue", 12, false),
                                                                   ("Pair", max(12, pairWidth), false)]
        if wide { columns.append(("Bid qty", 9, true)) }
        columns += [("Bid", 11, true), ("Ask", 11, true)]
        if wide { columns.append(("Ask qty", 9, true)) }
        columns += [("bps", 5, true), ("Age", 6, true)]
        return columns
    }

    /// Every market the desk watches: a book's best bid and ask exact, a pool's marginal prices with its fee, the
    /// spread, the quote's age, a perpetual's next funding and the venue's feed. What detection prices on, as it sees
    /// it now.
    static func markets(_ snapshot: Snapshot, view: inout ViewState, focused: Bool, into canvas: inout Canvas, _ rect: Rect) {
        canvas.box(rect, title: title(.markets, "Markets (\(snapshot.markets.count))"), focused: focused)
        let inner = rect.inset
        guard inner.height >= 2 else { return }
        guard !snapshot.markets.isEmpty else {
            canvas.put("no market yet: venues are connecting", x: inner.x + 1, y: inner.y, role: .dim, limit: inner.width - 1)
            return
        }
        let columns = marketColumns(wide: inner.width >= 90, pairWidth: snapshot.markets.map(\.symbol.count).max() ?? 12)
        let header = columns.map { fit($0.title, $0.width, right: $0.right) }.joined(separator: " ") + " Feed"
        canvas.put(header, x: inner.x + 1, y: inner.y, role: .header, limit: inner.width - 1)
        let lines = snapshot.markets.map { row -> (String, ColorRole) in
            let cells = marketCells(row, wide: columns.count > 6)
            let text = zip(columns, cells).map { fit($1, $0.width, right: $0.right) }.joined(separator: " ")
            let feed = row.stale ? "STALE" : (row.feed ?? "")
            let role: ColorRole = row.stale ? .stale : (row.feed.map { $0 == "live" } ?? true) ? .normal : .warning
            let funding = row.funding.map { fundingText($0) + " " } ?? ""
            return (text + " " + funding + feed, role)
        }
        scrolling(lines, panel: .markets, view: &view, into: &canvas,
                  Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1))
    }

    /// "fund +0.0100% 3h12m": the rate in percent to Binance's four places, signed, and the time to the funding.
    static func fundingText(_ funding: MarketRow.Funding) -> String {
        let percent = (funding.rate * FixedDecimal(100)).rounded(digits: 4)
        let sign = percent.isNegative ? "" : "+"
        let minutes = funding.untilNext.nanosecondsClamped / 60_000_000_000
        return "fund \(sign)\(percent.formatted(digits: 4))% \(minutes / 60)h\(String(format: "%02d", minutes % 60))m"
    }

    static func marketCells(_ row: MarketRow, wide: Bool) -> [String] {
        var cells = [row.venue, row.symbol]
        switch row.top {
        case .book(let bid, let ask):
            if wide { cells.append(bid.map { Format.quantity($0.quantity) } ?? "") }
            cells += [bid.map { Format.price($0.price) } ?? "—", ask.map { Format.price($0.price) } ?? "—"]
            if wide { cells.append(ask.map { Format.quantity($0.quantity) } ?? "") }
        case .pool(let bid, let ask):
            if wide { cells.append("pool") }
            cells += [bid > 0 ? Format.price(FixedDecimal(approximating: bid)) : "—",
                      ask.isFinite ? Format.price(FixedDecimal(approximating: ask)) : "—"]
            if wide { cells.append("pool") }
        }
        cells += [row.spreadBps.map { Format.format1($0) } ?? "", Format.age(row.age)]
        return cells
    }
}
