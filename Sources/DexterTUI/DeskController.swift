import DexterEngine

/// Turns what the trader types, clicks and scrolls into view changes and engine commands. Pure apart from its
/// view state, so every key path is tested without a terminal.
public struct DeskController: Sendable {
    public var view = ViewState()
    public let keymap: KeyMap

    public enum Effect: Sendable, Hashable {
        case send(EngineCommand)
        case theme(String)
        /// Read the config file again and send what it says to the engine.
        case reloadConfig
        case quit
    }

    /// The screen size at the last input: which panels are on screen depends on it.
    private var size = (width: 80, height: 24)

    /// A confirmation the trader canceled, by the id it confirms: it stays on screen until the engine's next
    /// snapshot drops it, and a key pressed meanwhile is no answer to it (q still quits).
    private enum Prompt: Hashable { case pair(UInt64), cycle(UInt64) }
    private var canceled: Prompt?

    public init(keymap: KeyMap) { self.keymap = keymap }

    public mutating func handle(_ input: Input, snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        size = (width, height)
        switch input {
        case .resize: return []
        case .click(let x, let y): return click(x: x, y: y, snapshot: snapshot, width: width, height: height)
        case .wheel(let x, let y, let up):
            let layout = Layout(width: width, height: height, zoomed: view.zoomed ? view.focus : nil)
            let panel = layout.panel(at: x, y) ?? view.focus
            scroll(panel, by: up ? -3 : 3, snapshot: snapshot)
            return []
        case .key(let key): return press(key, snapshot: snapshot)
        }
    }

    private mutating func press(_ key: Key, snapshot: Snapshot) -> [Effect] {
        let prompt: Prompt? = snapshot.cycleConfirmation.map { .cycle($0.repriced.id) }
            ?? snapshot.confirmation.map { .pair($0.repriced.id) }
        if let prompt, prompt == canceled { return keymap.action(for: key) == .quit ? [.quit] : [] }
        canceled = nil
        // While a confirmation is up, only confirm and cancel mean anything: no stray key can approve another row.
        if let prompt {
            switch (keymap.action(for: key), prompt) {
            case (.confirm, .cycle(let id)): return [.send(.confirmCycle(id))]
            case (.confirm, .pair(let id)): return [.send(.confirm(id))]
            case (.cancel, _), (.quit, _):
                canceled = prompt
                return [.send(.cancelApproval)]
            default: return []
            }
        }
        if view.prompt != nil { return type(key, snapshot: snapshot) }
        view.message = nil
        switch view.overlay {
        case .help:
            view.overlay = .none
            return []
        case .killSwitch:
            view.overlay = .none
            guard keymap.action(for: key) == .confirm else {
                view.message = ("kill switch not pulled; trading continues", false)
                return []
            }
            return [.send(.halt("kill switch pulled by \(snapshot.user)"))]
        case .orderAction(let action, let id):
            view.overlay = .none
            guard keymap.action(for: key) == .confirm else {
                view.message = ("\(id) kept as it is", false)
                return []
            }
            return [.send(action == .cancel ? .cancelOrder(id) : .speedUp(id))]
        case .detail, .none: break
        }
        guard let action = keymap.action(for: key) else { return [] }
        let visible = view.arrange(snapshot.opportunities, now: snapshot.clock)
        if let panel = action.panel {
            view.focus = panel
            if panel == .orders { view.reconcileOrder(with: snapshot.orders) }
            // A panel the screen is too narrow to show opens zoomed.
            if !focusOrder.contains(panel) { view.zoomed = true }
            return []
        }
        switch action {
        case .up: move(-1, visible, snapshot)
        case .down: move(1, visible, snapshot)
        case .pageUp: move(-10, visible, snapshot)
        case .pageDown: move(10, visible, snapshot)
        case .top: move(-Int(Int32.max), visible, snapshot)
        case .bottom: move(Int(Int32.max), visible, snapshot)
        case .detail: view.overlay = view.overlay == .detail ? .none : .detail
        case .cancel:
            if view.overlay != .none {
                view.overlay = .none
            } else if view.zoomed {
                view.zoomed = false
                if !focusOrder.contains(view.focus) { view.focus = .opportunities }
            }
        case .help: view.overlay = .help
        case .focusNext: view.cycleFocus(by: 1, among: focusOrder)
        case .focusPrevious: view.cycleFocus(by: -1, among: focusOrder)
        case .zoom: view.zoomed.toggle()
        case .filter: view.prompt = .filter(view.filter)
        case .command: view.prompt = .command("")
        case .sort:
            view.sort = view.sort.next
            view.message = ("sorted by \(view.sort.rawValue)", false)
        case .kill:
            if snapshot.haltReason != nil {
                view.message = ("trading is already halted; :resume resumes", true)
            } else {
                view.overlay = .killSwitch
            }
        case .cycles:
            view.onCycles.toggle()
            if view.onCycles {
                view.moveCycle(by: 0, in: snapshot.cycles)
                view.message = (snapshot.cycles.isEmpty ? "no cycle to select right now; c returns to the pairs"
                                                        : "selecting cycles: a approves, x rejects, c returns to the pairs", false)
            }
        case .approve where view.onCycles:
            // Only the cycle the trader sees selected: one that vanished since the last frame is not swapped for another.
            guard let id = view.selectedCycleId, let cycle = snapshot.cycles.first(where: { $0.id == id }) else {
                view.message = (view.selectedCycleId.map { "cycle #\($0) is gone" } ?? "nothing to approve: no cycle is selected", true)
                return []
            }
            if cycle.isExpired(at: snapshot.clock) {
                view.message = ("cycle #\(id) is stale: a quote is past its venue's bound; it cannot be approved", true)
                return []
            }
            if let reason = snapshot.haltReason {
                view.message = ("trading is halted (\(reason)); :resume first", true)
                return []
            }
            view.overlay = .none
            return [.send(.requestCycleApproval(id))]
        case .reject where view.onCycles:
            if let id = view.selectedCycleId, snapshot.cycles.contains(where: { $0.id == id }) { return [.send(.rejectCycle(id))] }
        case .approve:
            view.reconcile(with: visible)
            guard let id = view.selectedId, let opportunity = visible.first(where: { $0.id == id }) else {
                view.message = ("nothing to approve: no opportunity is selected", true)
                return []
            }
            // Refused here as well as in the engine, so the trader learns why at once.
            if opportunity.isExpired(at: snapshot.clock) {
                view.message = ("#\(id) is stale: a quote is past its venue's bound; it cannot be approved", true)
                return []
            }
            if let reason = snapshot.haltReason {
                view.message = ("trading is halted (\(reason)); :resume first", true)
                return []
            }
            view.overlay = .none
            return [.send(.requestApproval(id))]
        case .reject:
            view.reconcile(with: visible)
            if let id = view.selectedId { return [.send(.reject(id))] }
        case .speedUp: askAbout(.speedUp, snapshot)
        case .cancelOrder: askAbout(.cancel, snapshot)
        case .confirm: break
        case .quit: return [.quit]
        case .focus1, .focus2, .focus3, .focus4, .focus5, .focus6, .focus7, .focus8: break
        }
        return []
    }

    /// The panels Tab visits: those on screen at this size (the detail panel only when wide enough).
    private var focusOrder: [PanelId] { Layout(width: size.width, height: size.height).focusOrder }

    /// A cancel or speed-up asks first, about the order selected on the Orders panel and only a live one.
    private mutating func askAbout(_ action: OrderAction, _ snapshot: Snapshot) {
        guard view.focus == .orders else {
            view.message = ("select an order on the Orders panel first (\(keymap.label(for: .focus6)), then ↑ ↓)", true)
            return
        }
        view.reconcileOrder(with: snapshot.orders)
        guard let id = view.selectedOrderId, let order = snapshot.orders.first(where: { $0.clientOrderId == id }) else {
            view.message = ("no order to \(action) yet this session", true)
            return
        }
        guard order.state.isLive else {
            view.message = ("\(order.label) is \(order.state.rawValue): only a live order can be "
                            + (action == .cancel ? "canceled" : "sped up"), true)
            return
        }
        view.overlay = .orderAction(action, clientOrderId: id)
    }

    /// Up and down move the selection in the table or on the Orders panel, and scroll any other focused panel.
    private mutating func move(_ delta: Int, _ visible: [Opportunity], _ snapshot: Snapshot) {
        if view.focus == .orders {
            view.moveOrder(by: max(-1000, min(1000, delta)), in: snapshot.orders)
        } else if view.focus == .opportunities, view.onCycles {
            view.moveCycle(by: max(-1000, min(1000, delta)), in: snapshot.cycles)
        } else if view.focus == .opportunities {
            view.move(by: delta, in: visible)
        } else {
            scroll(view.focus, by: max(-1000, min(1000, delta)), snapshot: snapshot)
        }
    }

    private mutating func scroll(_ panel: PanelId, by delta: Int, snapshot: Snapshot) {
        if panel == .opportunities {
            view.move(by: delta, in: view.arrange(snapshot.opportunities, now: snapshot.clock))
        } else if panel == .orders {
            view.moveOrder(by: delta, in: snapshot.orders)
        } else {
            view.scroll(panel, by: delta)
        }
    }

    /// A click focuses the panel under it; on a table row it also selects that opportunity.
    private mutating func click(x: Int, y: Int, snapshot: Snapshot, width: Int, height: Int) -> [Effect] {
        guard snapshot.confirmation == nil, snapshot.cycleConfirmation == nil, view.overlay == .none || view.overlay == .detail else { return [] }
        let layout = Layout(width: width, height: height, zoomed: view.zoomed ? view.focus : nil)
        guard let panel = layout.panel(at: x, y), let rect = layout.panels[panel] else { return [] }
        view.focus = panel
        if panel == .orders, let row = Panels.orderRow(at: y, in: rect, view: view), row < snapshot.orders.count {
            view.selectedOrderId = snapshot.orders[row].clientOrderId
        }
        if panel == .opportunities, let row = Panels.opportunityRow(at: y, in: rect, view: view) {
            let visible = view.arrange(snapshot.opportunities, now: snapshot.clock)
            if row < visible.count {
                view.selectedRow = row
                view.selectedId = visible[row].id
            }
        }
        return []
    }

    /// Typing after `:` or `/`.
    private mutating func type(_ key: Key, snapshot: Snapshot) -> [Effect] {
        guard let prompt = view.prompt else { return [] }
        var text: String
        switch prompt {
        case .command(let typed), .filter(let typed): text = typed
        }
        switch key {
        case .escape:
            view.prompt = nil
            if case .filter = prompt { view.filter = "" }
            return []
        case .enter:
            view.prompt = nil
            if case .command = prompt { return run(text, snapshot: snapshot) }
            return []
        case .backspace:
            if text.isEmpty {
                view.prompt = nil
                return []
            }
            text.removeLast()
        case .character(let character): text.append(character)
        default: return []
        }
        switch prompt {
        case .command: view.prompt = .command(text)
        case .filter:
            view.prompt = .filter(text)
            view.filter = text
        }
        return []
    }

    private mutating func run(_ line: String, snapshot: Snapshot) -> [Effect] {
        let command: DeskCommand
        do { command = try DeskCommand.parse(line) } catch {
            view.message = ("\(error)", true)
            return []
        }
        switch command {
        case .sort(let key):
            view.sort = key
            view.message = ("sorted by \(key.rawValue)", false)
        case .filter(let text):
            view.filter = text
            view.message = (text.isEmpty ? "filter cleared" : "filter \"\(text)\"", false)
        case .theme(let name): return [.theme(name)]
        case .focus(let panel):
            view.focus = panel
            if !focusOrder.contains(panel) { view.zoomed = true }
        case .zoom: view.zoomed.toggle()
        case .halt:
            if snapshot.haltReason == nil { view.overlay = .killSwitch }
        case .resume: return [.send(.resume)]
        case .limit(let change): return [.send(.setLimit(change))]
        case .reload: return [.reloadConfig]
        case .reduce: return [.send(.reduce("set to reducing by \(snapshot.user)"))]
        case .help: view.overlay = .help
        case .quit: return [.quit]
        }
        return []
    }
}
