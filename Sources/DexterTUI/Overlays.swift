import DexterCore
import DexterEngine

enum Overlays {
    static func centered(_ width: Int, _ height: Int, in canvas: Canvas) -> Rect {
        let w = min(width, canvas.width - 2)
        let h = min(height, canvas.height - 2)
        return Rect(x: (canvas.width - w) / 2, y: (canvas.height - h) / 2, width: w, height: h)
    }

    /// Legs and the cost waterfall: gross → fees → gas → funding (perpetual legs only) → slippage → net.
    static func lines(for opportunity: Opportunity, now: Timestamp) -> [(String, ColorRole)] {
        let quote = opportunity.symbol.quote.code
        var lines: [(String, ColorRole)] = [
            ("#\(opportunity.id) \(opportunity.pairLabel)  \(opportunity.buy.venue) → \(opportunity.sell.venue)", .title),
        ]
        for leg in opportunity.legs {
            let side = leg.side == .buy ? "BUY " : "SELL"
            // A basis trade's legs are different instruments: each says which.
            let venue = opportunity.isBasis ? "\(leg.venue.name) \(leg.symbol.isSpot ? "spot" : "perp")" : leg.venue.name
            lines.append(("\(side) \(fit(venue, opportunity.isBasis ? 17 : 11)) \(Format.quantity(leg.quantity)) @ \(Format.price(leg.averagePrice))  age \(Format.age(leg.quoteAge(at: now)))", .normal))
            var costs = "     fee \(Format.price(leg.fee)) \(quote)  worst \(Format.price(leg.worstPrice))"
            if let token = leg.gasToken { costs += "  gas \(leg.gas.formatted(digits: 6)) \(token)" }
            lines.append((costs, .dim))
        }
        func row(_ label: String, _ value: FixedDecimal, _ role: ColorRole) -> (String, ColorRole) {
            (fit(label, 10) + fit(value.formatted(digits: 4, grouping: true), 16, right: true) + " \(quote)", role)
        }
        lines.append(row("gross", opportunity.gross, .normal))
        lines.append(row("fees", -opportunity.fees, .loss))
        lines.append(row("gas", -opportunity.gasCost, .loss))
        if !opportunity.funding.isZero {
            lines.append(row("funding", -opportunity.funding, opportunity.funding.isPositive ? .loss : .profit))
        }
        lines.append(row("slippage", -opportunity.slippage, .loss))
        lines.append(row("net", opportunity.net, opportunity.net.isNegative ? .loss : .profit))
        let expiresIn = opportunity.expiresAt.duration(since: now)
        lines.append(("= \(Format.usd(opportunity.netUSD, signed: true))  \(opportunity.netBps.formatted(digits: 1)) bps  "
                      + (expiresIn > .zero ? "expires in \(Format.age(expiresIn))" : "STALE"),
                      expiresIn > .zero ? .profit : .stale))
        return lines
    }

    static func detail(_ opportunity: Opportunity, now: Timestamp, unwindCost: FixedDecimal?, keymap: KeyMap, into canvas: inout Canvas) {
        var body = lines(for: opportunity, now: now)
        if let unwindCost {
            body.append(("if the sell leg misses, trading back costs ≈ \(Format.usd(-unwindCost, signed: true))", .dim))
        }
        let rect = centered(70, body.count + 3, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Detail", focused: true)
        for (row, line) in body.enumerated() {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + row, role: line.1, limit: rect.width - 4)
        }
        canvas.put("\(keymap.label(for: .detail))/\(keymap.label(for: .cancel)) close  \(keymap.label(for: .approve)) approve",
                   x: rect.x + 2, y: rect.maxY - 2, role: .dim, limit: rect.width - 4)
    }

    static func confirmation(_ confirmation: Confirmation, now: Timestamp, keymap: KeyMap, into canvas: inout Canvas) {
        let repriced = confirmation.repriced
        var body = lines(for: repriced, now: now)
        let change = repriced.netUSD - confirmation.original.netUSD
        body.insert(("Re-priced on the market now (was \(Format.usd(confirmation.original.netUSD)), \(Format.usd(change, signed: true)))",
                     change.isNegative ? .warning : .accent), at: 1)
        if let unwind = confirmation.unwindCostUSD {
            body.append(("If the sell leg misses: \(confirmation.legRiskAction.rawValue), est. \(Format.usd(-unwind, signed: true)) to trade back",
                         .dim))
        }
        let rect = centered(74, body.count + 4, in: canvas)
        body = fitted(body, rows: rect.height - 4)
        canvas.fill(rect)
        canvas.box(rect, title: "Approve?", focused: true)
        for (row, line) in body.enumerated() {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + row, role: line.1, limit: rect.width - 4)
        }
        putConfirmKeys(keymap, in: rect, into: &canvas)
    }

    /// A cycle's last look: its legs in the order they go, each with what it spends and what it brings, re-priced.
    static func cycleConfirmation(_ confirmation: CycleConfirmation, keymap: KeyMap, into canvas: inout Canvas) {
        let cycle = confirmation.repriced
        let change = cycle.netUSD - confirmation.original.netUSD
        var body: [(String, ColorRole)] = [
            ("Cycle c\(cycle.id) \(cycle.path): \(Format.quantity(cycle.amountIn)) \(cycle.start) in, "
             + "\(Format.quantity(cycle.amountOut)) out", .header),
            ("Re-priced on the market now (was \(Format.usd(confirmation.original.netUSD)), \(Format.usd(change, signed: true)))",
             change.isNegative ? .warning : .accent),
        ]
        for (index, leg) in cycle.legs.enumerated() {
            body.append(("\(index + 1). \(leg.venue.name) \(leg.side) \(Format.quantity(leg.quantity)) \(leg.symbol) at "
                         + "\(leg.side == .buy ? "≤" : "≥") \(Format.price(leg.worstPrice)): \(Format.quantity(leg.input)) \(leg.from) → "
                         + "\(Format.quantity(leg.output)) \(leg.to)", .normal))
        }
        body.append(("Net \(Format.quantity(cycle.net)) \(cycle.start), gas \(Format.usd(cycle.gasUSD)), est. \(Format.usd(cycle.netUSD))",
                     .profit))
        body.append(("Legs go one after another, each for what the one before delivered; a miss sells what is left back to \(cycle.start)",
                     .dim))
        let rect = centered(96, body.count + 4, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Approve cycle?", focused: true)
        for (row, line) in body.enumerated() {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + row, role: line.1, limit: rect.width - 4)
        }
        putConfirmKeys(keymap, in: rect, into: &canvas)
    }

    /// A confirmation's lines cut to `rows` on a short terminal, so the keys that confirm stay on screen: the legs'
    /// fee details go first, then lines from the middle; the first lines and the net stay.
    static func fitted(_ body: [(String, ColorRole)], rows: Int) -> [(String, ColorRole)] {
        guard body.count > rows, rows > 0 else { return body }
        var kept = body.filter { !$0.0.hasPrefix("     fee") }
        while kept.count > rows, kept.count > 2 { kept.remove(at: kept.count - 2) }
        return Array(kept.prefix(rows))
    }

    /// "y confirm and send   n/Esc cancel", from the key table, on a confirmation's last line.
    static func putConfirmKeys(_ keymap: KeyMap, in rect: Rect, into canvas: inout Canvas) {
        let confirm = keymap.keys(for: .confirm).map(KeyMap.label).joined(separator: "/")
        let cancel = keymap.keys(for: .cancel).map(KeyMap.label).joined(separator: "/")
        canvas.put("\(confirm) confirm and send   \(cancel) cancel", x: rect.x + 2, y: rect.maxY - 2, role: .warning, limit: rect.width - 4)
    }

    static func killSwitch(keymap: KeyMap, into canvas: inout Canvas) {
        let rect = centered(56, 6, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Kill switch", focused: true)
        canvas.put("Halt all trading now?", x: rect.x + 2, y: rect.y + 1, role: .halted, limit: rect.width - 4)
        canvas.put("Nothing is sent until :resume. Legs in flight resolve and are booked.", x: rect.x + 2, y: rect.y + 2,
                   role: .normal, limit: rect.width - 4)
        canvas.put("\(keymap.label(for: .confirm)) halt   any other key keeps trading", x: rect.x + 2, y: rect.maxY - 2,
                   role: .warning, limit: rect.width - 4)
    }

    /// Asks before a cancel or a speed-up of one order goes: what it is, what will be sent, what it costs.
    static func orderAction(_ action: OrderAction, order: OrderRow?, id: String, keymap: KeyMap, into canvas: inout Canvas) {
        let onChain = order?.route?.hasPrefix("tx ") ?? false
        let what: [String]
        switch action {
        case .speedUp:
            what = ["The same swap at the same nonce, both fees raised 12.5 % (or to the",
                    "market's, under the chain's fee cap). Whichever a block takes decides."]
        case .cancel where onChain:
            what = ["A 0-value transfer to the wallet at the swap's nonce, fees raised: it",
                    "costs gas, and the swap may still be mined first (then it fills)."]
        case .cancel:
            what = ["A cancel request to the venue; what filled before it stays filled."]
        }
        let rect = centered(76, 5 + what.count + (order?.route == nil ? 0 : 1), in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: action == .cancel ? "Cancel order" : "Speed up", focused: true)
        var y = rect.y + 1
        canvas.put(order.map { "\($0.label)  (\(id))" } ?? id, x: rect.x + 2, y: y, role: .title, limit: rect.width - 4)
        y += 1
        if let route = order?.route {
            canvas.put(route, x: rect.x + 2, y: y, role: .dim, limit: rect.width - 4)
            y += 1
        }
        for line in what {
            canvas.put(line, x: rect.x + 2, y: y, role: .normal, limit: rect.width - 4)
            y += 1
        }
        canvas.put("\(keymap.label(for: .confirm)) send   any other key keeps the order as it is", x: rect.x + 2,
                   y: rect.maxY - 2, role: .warning, limit: rect.width - 4)
    }

    /// Every binding (the same table that dispatches keys), in two columns, then the commands.
    static func help(_ keymap: KeyMap, into canvas: inout Canvas) {
        let perColumn = (keymap.bindings.count + 1) / 2
        let rect = centered(78, perColumn + 6, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Keys", focused: true)
        let inner = rect.inset
        let columnWidth = (inner.width - 2) / 2
        for (index, binding) in keymap.bindings.enumerated() {
            let keys = binding.keys.map(KeyMap.label).joined(separator: " ")
            let x = inner.x + 1 + (index / perColumn) * columnWidth
            let y = inner.y + index % perColumn
            guard y < inner.maxY - 3 else { continue }
            canvas.put(fit(keys, 11), x: x, y: y, role: .accent, limit: columnWidth)
            canvas.put(binding.description, x: x + 11, y: y, limit: columnWidth - 12)
        }
        canvas.put(":" + DeskCommand.summary, x: inner.x + 1, y: inner.maxY - 2, role: .dim, limit: inner.width - 2)
        canvas.put("any key closes; keys are rebound in config.toml [keymap]", x: inner.x + 1, y: inner.maxY - 1, role: .dim,
                   limit: inner.width - 2)
    }
}
