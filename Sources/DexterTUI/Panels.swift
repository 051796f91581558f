import DexterCore
import DexterEngine

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
        let layout = Layout(width: width, height: height, zoomed: view.zoomed ? view.focus : nil)
        if layout.panels[view.focus] == nil { view.focus = .opportunities }
        let visible = view.arrange(snapshot.opportunities, now: snapshot.clock)
        view.reconcile(with: visible)
        status(snapshot, into: &canvas, layout.status)
        for (panel, rect) in layout.panels.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let focused = panel == view.focus
            switch panel {
            case .opportunities: opportunities(snapshot, visible: visible, view: &view, focused: focused, into: &canvas, rect)
            case .detail: detail(snapshot, view: &view, focused: focused, into: &canvas, rect)
            case .positions: positions(snapshot, view: &view, focused: focused, into: &canvas, rect)
            case .risk: risk(snapshot, view: &view, focused: focused, into: &canvas, rect)
            case .wallets: wallets(snapshot, view: &view, focused: focused, into: &canvas, rect)
            case .orders: orders(snapshot, view: &view, keymap: keymap, focused: focused, into: &canvas, rect)
            case .log: log(snapshot, view: &view, focused: focused, into: &canvas, rect)
            case .markets: markets(snapshot, view: &view, focused: focused, into: &canvas, rect)
            }
        }
        message(snapshot, view: view, into: &canvas, layout.message)
        footer(keymap, into: &canvas, layout.footer)
        if let confirmation = snapshot.cycleConfirmation {
            Overlays.cycleConfirmation(confirmation, keymap: keymap, into: &canvas)
        } else if let confirmation = snapshot.confirmation {
            Overlays.confirmation(confirmation, now: snapshot.clock, keymap: keymap, into: &canvas)
        } else if view.overlay == .killSwitch {
            Overlays.killSwitch(keymap: keymap, into: &canvas)
        } else if case .orderAction(let action, let id) = view.overlay {
            Overlays.orderAction(action, order: snapshot.orders.first { $0.clientOrderId == id }, id: id, keymap: keymap,
                                 into: &canvas)
        } else if view.overlay == .detail, let id = view.selectedId,
                  let opportunity = snapshot.opportunities.first(where: { $0.id == id }) {
            Overlays.detail(opportunity, now: snapshot.clock, unwindCost: snapshot.unwindCosts[opportunity.id], keymap: keymap, into: &canvas)
        } else if view.overlay == .help {
            Overlays.help(keymap, into: &canvas)
        }
        return canvas
    }

    static func title(_ panel: PanelId, _ text: String? = nil) -> String { "\(panel.rawValue) \(text ?? panel.title)" }

    static func status(_ snapshot: Snapshot, into canvas: inout Canvas, _ rect: Rect) {
        canvas.fill(rect, role: .status)
        var x = rect.x
        x += canvas.put(" dexter ", x: x, y: rect.y, role: .status)
        x += canvas.put(" \(snapshot.mode) ", x: x, y: rect.y, role: .selected)
        x += canvas.put("  user \(snapshot.user) \(snapshot.role)", x: x, y: rect.y, role: .status)
        let feedRole: ColorRole = snapshot.feed.isHealthy ? .status : .warning
        // Narrow screens get the short form, so the role, the state and the clock keep their places.
        let feedText = snapshot.feed.isHealthy
            ? (rect.width >= 100 ? "  feed ok \(Int(snapshot.feed.updatesPerSecond)) upd/s \(snapshot.feed.venues) venues"
                                 : "  feed ok \(Int(snapshot.feed.updatesPerSecond))/s")
            : "  feed STALE: \(snapshot.feed.staleVenues.joined(separator: ","))"
        x += canvas.put(feedText, x: x, y: rect.y, role: feedRole)
        if snapshot.haltReason != nil {
            x += canvas.put("  ", x: x, y: rect.y, role: .status)
            x += canvas.put(" HALTED ", x: x, y: rect.y, role: .halted)
        } else {
            x += canvas.put("  \(snapshot.tradingState.rawValue.uppercased())", x: x, y: rect.y, role: .status)
        }
        for alert in snapshot.alerts.prefix(1) {
            let text = snapshot.alerts.count > 1 ? "  ⚠ \(alert) (+\(snapshot.alerts.count - 1))" : "  ⚠ \(alert)"
            x += canvas.put(text, x: x, y: rect.y, role: .warning, limit: max(0, rect.maxX - 14 - x))
        }
        let clock = "\(snapshot.clock.utcClock) UTC "
        if rect.maxX - clock.count > x { canvas.put(clock, x: rect.maxX - clock.count, y: rect.y, role: .status) }
    }

    /// The prompt being typed, else the screen's own feedback, else the engine's latest notification.
    static func message(_ snapshot: Snapshot, view: ViewState, into canvas: inout Canvas, _ rect: Rect) {
        switch view.prompt {
        case .command(let text):
            canvas.put(":\(text)▏", x: rect.x, y: rect.y, role: .accent, limit: rect.width)
            return
        case .filter(let text):
            canvas.put("/\(text)▏  (Enter keeps, Esc clears)", x: rect.x, y: rect.y, role: .accent, limit: rect.width)
            return
        case nil: break
        }
        if let message = view.message {
            canvas.put(" \(message.text)", x: rect.x, y: rect.y, role: message.isError ? .warning : .accent, limit: rect.width)
            return
        }
        guard let latest = snapshot.notifications.first else { return }
        canvas.put(" \(latest.time.utcClock) \(latest.text)", x: rect.x, y: rect.y, role: role(of: latest.level), limit: rect.width)
    }

    static func role(of level: DexterEngine.Notification.Level) -> ColorRole {
        switch level {
        case .info: .dim
        case .warning: .warning
        case .error: .loss
        case .success: .success
        }
    }

    /// Key hints from the binding table. Help and quit are always shown, at the right; the rest fill from the left.
    static func footer(_ keymap: KeyMap, into canvas: inout Canvas, _ rect: Rect) {
        func hint(_ binding: Binding) -> (key: String, text: String) {
            (binding.keys.map(KeyMap.label).joined(separator: "/"), " \(binding.description)  ")
        }
        let hinted = keymap.bindings.filter(\.inFooter)
        let pinned = hinted.filter { $0.action == .help || $0.action == .quit }
        var right = rect.maxX
        for binding in pinned.reversed() {
            let (key, text) = hint(binding)
            right -= key.count + text.count
            canvas.put(key, x: right, y: rect.y, role: .accent)
            canvas.put(text, x: right + key.count, y: rect.y, role: .dim)
        }
        var x = rect.x + 1
        for binding in hinted where !pinned.contains(binding) {
            let (key, text) = hint(binding)
            guard x + key.count + text.count <= right else { break }
            x += canvas.put(key, x: x, y: rect.y, role: .accent)
            x += canvas.put(text, x: x, y: rect.y, role: .dim)
        }
    }

    /// Lines that scroll inside a box: the offset is clamped, and "n–m of k" shows when not all fit.
    static func scrolling(_ lines: [(String, ColorRole)], panel: PanelId, view: inout ViewState, into canvas: inout Canvas,
                          _ inner: Rect, indent: Int = 1) {
        let rows = max(0, inner.height)
        let offset = max(0, min(view.offsets[panel] ?? 0, max(0, lines.count - rows)))
        view.offsets[panel] = offset
        for (row, line) in lines.dropFirst(offset).prefix(rows).enumerated() {
            canvas.put(line.0, x: inner.x + indent, y: inner.y + row, role: line.1, limit: inner.width - indent)
        }
        if lines.count > rows, rows > 0 {
            let more = " \(offset + 1)–\(min(lines.count, offset + rows)) of \(lines.count) "
            canvas.put(more, x: inner.maxX - more.count - 1, y: inner.maxY, role: .dim)
        }
    }
}
