import DexterCore
import DexterEngine

/// The desk's panels, numbered as the keys that focus them.
public enum PanelId: Int, Sendable, CaseIterable, Hashable {
    case opportunities = 1, detail, positions, risk, wallets, orders, log, markets

    public var title: String {
        switch self {
        case .opportunities: "Opportunities"
        case .detail: "Detail"
        case .positions: "Positions & P&L"
        case .risk: "Risk"
        case .wallets: "Wallets"
        case .orders: "Orders"
        case .log: "Log"
        case .markets: "Markets"
        }
    }

    /// `:focus log`, `:focus 7`.
    public init?(naming text: String) {
        if let number = Int(text), let panel = PanelId(rawValue: number) {
            self = panel
            return
        }
        let lowered = text.lowercased()
        guard let panel = PanelId.allCases.first(where: { $0.title.lowercased().hasPrefix(lowered) || "\($0)" == lowered }) else {
            return nil
        }
        self = panel
    }
}

/// How the opportunity table is ordered.
public enum SortKey: String, Sendable, CaseIterable, Hashable {
    case net, bps, age, pair, size

    var next: SortKey { SortKey.allCases[(SortKey.allCases.firstIndex(of: self)! + 1) % SortKey.allCases.count] }
}

/// What the screen remembers between frames: focus and zoom, the selection (pinned to an opportunity id, never to a
/// row), scroll positions, sort and filter, the overlay, and a line being typed.
public struct ViewState: Sendable, Hashable {
    public enum Overlay: Sendable, Hashable {
        case none, detail, help, killSwitch
        /// Asking before a cancel or speed-up of one order is sent (both can cost gas).
        case orderAction(OrderAction, clientOrderId: String)
    }

    /// Text being typed after `:` or `/`.
    public enum Prompt: Sendable, Hashable {
        case command(String)
        case filter(String)
    }

    public var selectedId: UInt64?
    /// The cycle selected under the table, when the selection is on the cycles (`c` switches) rather than the pairs.
    public var selectedCycleId: UInt64?
    public var onCycles = false
    /// The order selected on the Orders panel (pinned to its client order id, as the table's selection is to an id).
    public var selectedOrderId: String?
    /// Row index of the selection last frame: where to land if the selected opportunity disappears.
    public var selectedRow = 0
    public var scrollOffset = 0
    /// Opportunity rows the table showed at its last draw (fewer when cycles take the bottom of the panel).
    public var tableRows = Int.max
    public var overlay: Overlay = .none
    public var focus: PanelId = .opportunities
    public var zoomed = false
    /// Scroll position of every panel but the table (which scrolls with its selection).
    public var offsets: [PanelId: Int] = [:]
    public var sort: SortKey = .net
    public var filter = ""
    public var prompt: Prompt?
    /// Feedback from the screen itself (a refused key, a command's result), shown on the message line.
    public var message: (text: String, isError: Bool)?
    public var themeName: String?
    /// The table's row order: re-sorted at most every `resortInterval`, so rows hold still while their figures
    /// update in place (readable at 10 Hz, and light on the wire). New rows are inserted where they sort.
    public var order: [UInt64] = []
    var orderedAt = Timestamp.zero
    var orderedBy: (SortKey, String) = (.net, "")
    public static let resortInterval: Duration = .seconds(2)

    public init() {}

    public static func == (lhs: ViewState, rhs: ViewState) -> Bool {
        lhs.selectedId == rhs.selectedId && lhs.selectedCycleId == rhs.selectedCycleId && lhs.onCycles == rhs.onCycles
            && lhs.selectedOrderId == rhs.selectedOrderId
            && lhs.selectedRow == rhs.selectedRow && lhs.scrollOffset == rhs.scrollOffset
            && lhs.overlay == rhs.overlay && lhs.focus == rhs.focus && lhs.zoomed == rhs.zoomed && lhs.offsets == rhs.offsets
            && lhs.sort == rhs.sort && lhs.filter == rhs.filter && lhs.prompt == rhs.prompt
            && lhs.message?.text == rhs.message?.text && lhs.themeName == rhs.themeName
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(selectedId)
        hasher.combine(focus)
        hasher.combine(filter)
    }

    /// The table freshly filtered and sorted (ties by id, so rows never swap at random).
    public func visible(_ opportunities: [Opportunity], now: Timestamp) -> [Opportunity] {
        filtered(opportunities).sorted { precedes($0, $1, now: now) }
    }

    func filtered(_ opportunities: [Opportunity]) -> [Opportunity] {
        let needle = filter.lowercased()
        return needle.isEmpty ? opportunities : opportunities.filter { opportunity in
            "\(opportunity.id) \(opportunity.pairLabel) \(opportunity.buy.venue) \(opportunity.sell.venue)".lowercased().contains(needle)
        }
    }

    func precedes(_ a: Opportunity, _ b: Opportunity, now: Timestamp) -> Bool {
        switch sort {
        case .net: return (a.netUSD, b.id) > (b.netUSD, a.id)
        case .bps: return (a.netBps, b.id) > (b.netBps, a.id)
        case .size: return (a.buy.notional, b.id) > (b.buy.notional, a.id)
        case .pair: return (a.symbol.description, a.id) < (b.symbol.description, b.id)
        case .age:
            let ageA = a.legs.map { $0.quoteAge(at: now) }.max() ?? .zero
            let ageB = b.legs.map { $0.quoteAge(at: now) }.max() ?? .zero
            return (ageA, b.id) > (ageB, a.id)
        }
    }

    /// The table as shown: rows keep their places between re-sorts; closed ones leave, new ones go where they sort.
    public mutating func arrange(_ opportunities: [Opportunity], now: Timestamp) -> [Opportunity] {
        let shown = filtered(opportunities)
        let byId = Dictionary(shown.map { ($0.id, $0) }) { first, _ in first }
        let criteriaChanged = orderedBy.0 != sort || orderedBy.1 != filter
        if criteriaChanged || order.isEmpty || now.duration(since: orderedAt) >= Self.resortInterval || now < orderedAt {
            order = shown.sorted { precedes($0, $1, now: now) }.map(\.id)
            orderedAt = now
            orderedBy = (sort, filter)
            return order.compactMap { byId[$0] }
        }
        var rows = order.compactMap { byId[$0] }
        let placed = Set(rows.map(\.id))
        for newcomer in shown where !placed.contains(newcomer.id) {
            let position = rows.firstIndex { precedes(newcomer, $0, now: now) } ?? rows.count
            rows.insert(newcomer, at: position)
        }
        order = rows.map(\.id)
        return rows
    }

    /// Keeps the selection on the same opportunity when rows re-sort; if it is gone, on the row where it was.
    public mutating func reconcile(with opportunities: [Opportunity]) {
        guard !opportunities.isEmpty else {
            selectedId = nil
            selectedRow = 0
            return
        }
        if let id = selectedId, let row = opportunities.firstIndex(where: { $0.id == id }) {
            selectedRow = row
        } else {
            selectedRow = min(selectedRow, opportunities.count - 1)
            selectedId = opportunities[selectedRow].id
        }
    }

    /// Moves the selection among the cycles shown (best first); lands on the first when the selected one is gone.
    public mutating func moveCycle(by delta: Int, in cycles: [CycleOpportunity]) {
        guard !cycles.isEmpty else {
            selectedCycleId = nil
            return
        }
        let row = selectedCycleId.flatMap { id in cycles.firstIndex { $0.id == id } } ?? 0
        selectedCycleId = cycles[max(0, min(cycles.count - 1, row + delta))].id
    }

    public mutating func move(by delta: Int, in opportunities: [Opportunity]) {
        reconcile(with: opportunities)
        guard !opportunities.isEmpty else { return }
        selectedRow = max(0, min(opportunities.count - 1, selectedRow + delta))
        selectedId = opportunities[selectedRow].id
    }

    /// Keeps the Orders panel's selection on its order; when it is gone (or none was made), on the newest live order,
    /// else the top row. Returns the selected row.
    @discardableResult
    public mutating func reconcileOrder(with orders: [OrderRow]) -> Int? {
        guard !orders.isEmpty else {
            selectedOrderId = nil
            return nil
        }
        if let id = selectedOrderId, let row = orders.firstIndex(where: { $0.clientOrderId == id }) { return row }
        let row = orders.firstIndex { $0.state.isLive } ?? 0
        selectedOrderId = orders[row].clientOrderId
        return row
    }

    public mutating func moveOrder(by delta: Int, in orders: [OrderRow]) {
        guard let row = reconcileOrder(with: orders) else { return }
        selectedOrderId = orders[max(0, min(orders.count - 1, row + delta))].clientOrderId
    }

    /// Scrolls so the selected row is visible in `rows` rows.
    mutating func scroll(toShow rows: Int) {
        if selectedRow < scrollOffset { scrollOffset = selectedRow }
        if selectedRow >= scrollOffset + rows { scrollOffset = selectedRow - rows + 1 }
        scrollOffset = max(0, scrollOffset)
    }

    /// Scrolls a panel other than the table; panels clamp the offset when they draw.
    public mutating func scroll(_ panel: PanelId, by delta: Int) {
        offsets[panel] = max(0, (offsets[panel] ?? 0) + delta)
    }

    public mutating func cycleFocus(by step: Int, among panels: [PanelId]) {
        guard !panels.isEmpty else { return }
        let index = panels.firstIndex(of: focus) ?? 0
        focus = panels[(index + step + panels.count) % panels.count]
    }
}
