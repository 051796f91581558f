/// Where each panel goes at a given terminal size; the same rules from 80×24 up to 300×100.
///
/// Status bar on top; the opportunity table (with the detail beside it when there is room, and the markets under the
/// detail when there is more); P&L, risk and wallets; orders and the log; then the message line and the key hints. A
/// zoomed panel takes the whole body; a panel the screen has no room for opens zoomed.
public struct Layout: Sendable, Hashable {
    public let status: Rect
    public let message: Rect
    public let footer: Rect
    /// The panels on screen, in focus order; the detail panel is absent when the screen is too narrow for it.
    public let panels: [PanelId: Rect]

    public static let minimumWidth = 60
    public static let minimumHeight = 16
    /// Width from which the detail panel sits beside the table instead of opening over it.
    public static let detailBesideWidth = 130
    /// Rows the detail keeps when the markets panel shares its column, and the fewest the markets panel is given.
    static let detailRows = 16
    static let marketRows = 6

    public init(width: Int, height: Int, zoomed: PanelId? = nil) {
        status = Rect(x: 0, y: 0, width: width, height: 1)
        message = Rect(x: 0, y: height - 2, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        let body = Rect(x: 0, y: 1, width: width, height: height - 3)
        if let zoomed {
            panels = [zoomed: body]
            return
        }
        let middle = max(6, min(12, body.height / 4))
        let bottom = max(5, min(12, body.height / 5))
        let top = body.height - middle - bottom
        var panels: [PanelId: Rect] = [:]
        if width >= Self.detailBesideWidth {
            // The table keeps its 80 columns; the detail takes the rest, up to 72.
            let detailWidth = min(72, width - 80)
            panels[.opportunities] = Rect(x: 0, y: body.y, width: width - detailWidth, height: top)
            if top >= Self.detailRows + Self.marketRows {
                panels[.detail] = Rect(x: width - detailWidth, y: body.y, width: detailWidth, height: Self.detailRows)
                panels[.markets] = Rect(x: width - detailWidth, y: body.y + Self.detailRows, width: detailWidth,
                                        height: top - Self.detailRows)
            } else {
                panels[.detail] = Rect(x: width - detailWidth, y: body.y, width: detailWidth, height: top)
            }
        } else {
            panels[.opportunities] = Rect(x: 0, y: body.y, width: width, height: top)
        }
        let third = width / 3
        let middleY = body.y + top
        panels[.positions] = Rect(x: 0, y: middleY, width: third, height: middle)
        panels[.risk] = Rect(x: third, y: middleY, width: third, height: middle)
        panels[.wallets] = Rect(x: 2 * third, y: middleY, width: width - 2 * third, height: middle)
        let ordersWidth = width * 3 / 5
        let bottomY = middleY + middle
        panels[.orders] = Rect(x: 0, y: bottomY, width: ordersWidth, height: bottom)
        panels[.log] = Rect(x: ordersWidth, y: bottomY, width: width - ordersWidth, height: bottom)
        self.panels = panels
    }

    /// Panels on screen, in the order Tab visits them.
    public var focusOrder: [PanelId] { PanelId.allCases.filter { panels[$0] != nil } }

    /// The panel under a screen cell (for a mouse click).
    public func panel(at x: Int, _ y: Int) -> PanelId? {
        panels.first { $0.value.contains(x, y) }?.key
    }
}

extension Rect {
    public func contains(_ column: Int, _ row: Int) -> Bool { column >= x && column < maxX && row >= y && row < maxY }
}
