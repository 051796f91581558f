/// Where each panel goes at a given terminal size; the same rules from 80×24 up.
public struct Layout: Sendable, Hashable {
    public let status: Rect
    public let opportunities: Rect
    public let pnl: Rect
    public let risk: Rect
    public let balances: Rect
    public let message: Rect
    public let footer: Rect

    public static let minimumWidth = 60
    public static let minimumHeight = 16

    public init(width: Int, height: Int) {
        let bottomHeight = max(7, min(12, (height - 3) / 3))
        let tableHeight = height - 3 - bottomHeight
        status = Rect(x: 0, y: 0, width: width, height: 1)
        opportunities = Rect(x: 0, y: 1, width: width, height: tableHeight)
        let third = width / 3
        pnl = Rect(x: 0, y: 1 + tableHeight, width: third, height: bottomHeight)
        risk = Rect(x: third, y: 1 + tableHeight, width: third, height: bottomHeight)
        balances = Rect(x: 2 * third, y: 1 + tableHeight, width: width - 2 * third, height: bottomHeight)
        message = Rect(x: 0, y: height - 2, width: width, height: 1)
        footer = Rect(x: 0, y: height - 1, width: width, height: 1)
    }
}
