import DexterDetect
import DexterEngine

/// What the screen remembers between frames: the selection (pinned to an opportunity id, never to a row),
/// the scroll position and which overlay is open.
public struct ViewState: Sendable, Hashable {
    public enum Overlay: Sendable, Hashable { case none, detail, help }

    public var selectedId: UInt64?
    /// Row index of the selection last frame: where to land if the selected opportunity disappears.
    public var selectedRow = 0
    public var scrollOffset = 0
    public var overlay: Overlay = .none

    public init() {}

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

    public mutating func move(by delta: Int, in opportunities: [Opportunity]) {
        reconcile(with: opportunities)
        guard !opportunities.isEmpty else { return }
        selectedRow = max(0, min(opportunities.count - 1, selectedRow + delta))
        selectedId = opportunities[selectedRow].id
    }

    /// Scrolls so the selected row is visible in `rows` rows.
    mutating func scroll(toShow rows: Int) {
        if selectedRow < scrollOffset { scrollOffset = selectedRow }
        if selectedRow >= scrollOffset + rows { scrollOffset = selectedRow - rows + 1 }
        scrollOffset = max(0, scrollOffset)
    }
}
