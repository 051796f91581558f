import DexterCore
import DexterDetect
import DexterEngine

enum Overlays {
    static func centered(_ width: Int, _ height: Int, in canvas: Canvas) -> Rect {
        let w = min(width, canvas.width - 2)
        let h = min(height, canvas.height - 2)
        return Rect(x: (canvas.width - w) / 2, y: (canvas.height - h) / 2, width: w, height: h)
    }

    /// Legs and the cost waterfall: gross → fees → gas → slippage → net.
    static func lines(for opportunity: Opportunity, now: Timestamp) -> [(String, ColorRole)] {
        let quote = opportunity.symbol.quote.code
        var lines: [(String, ColorRole)] = [
            ("#\(opportunity.id) \(opportunity.symbol)  \(opportunity.buy.venue) → \(opportunity.sell.venue)", .title),
        ]
        for leg in opportunity.legs {
            let side = leg.side == .buy ? "BUY " : "SELL"
            lines.append(("\(side) \(fit(leg.venue.name, 11)) \(Format.quantity(leg.quantity)) @ \(Format.price(leg.averagePrice))  age \(Format.age(leg.quoteAge(at: now)))", .normal))
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
        lines.append(row("slippage", -opportunity.slippage, .loss))
        lines.append(row("net", opportunity.net, opportunity.net.isNegative ? .loss : .profit))
        let expiresIn = opportunity.expiresAt.duration(since: now)
        lines.append(("= \(Format.usd(opportunity.netUSD, signed: true))  \(opportunity.netBps.formatted(digits: 1)) bps  "
                      + (expiresIn > .zero ? "expires in \(Format.age(expiresIn))" : "STALE"),
                      expiresIn > .zero ? .profit : .stale))
        return lines
    }

    static func detail(_ opportunity: Opportunity, now: Timestamp, into canvas: inout Canvas) {
        let body = lines(for: opportunity, now: now)
        let rect = centered(70, body.count + 3, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Detail", focused: true)
        for (row, line) in body.enumerated() {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + row, role: line.1, limit: rect.width - 4)
        }
        canvas.put("Enter/Esc close  a approve", x: rect.x + 2, y: rect.maxY - 2, role: .dim, limit: rect.width - 4)
    }

    static func confirmation(_ confirmation: Confirmation, now: Timestamp, into canvas: inout Canvas) {
        let repriced = confirmation.repriced
        var body = lines(for: repriced, now: now)
        let change = repriced.netUSD - confirmation.original.netUSD
        body.insert(("Re-priced on the market now (was \(Format.usd(confirmation.original.netUSD)), \(Format.usd(change, signed: true)))",
                     change.isNegative ? .warning : .accent), at: 1)
        let rect = centered(74, body.count + 4, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Approve?", focused: true)
        for (row, line) in body.enumerated() {
            canvas.put(line.0, x: rect.x + 2, y: rect.y + 1 + row, role: line.1, limit: rect.width - 4)
        }
        canvas.put("y confirm and send   n/Esc cancel", x: rect.x + 2, y: rect.maxY - 2, role: .warning, limit: rect.width - 4)
    }

    static func help(_ keymap: KeyMap, into canvas: inout Canvas) {
        let rect = centered(50, keymap.bindings.count + 4, in: canvas)
        canvas.fill(rect)
        canvas.box(rect, title: "Keys", focused: true)
        for (row, binding) in keymap.bindings.enumerated() {
            let keys = binding.keys.map(KeyMap.label).joined(separator: " ")
            canvas.put(fit(keys, 14) + binding.description, x: rect.x + 2, y: rect.y + 1 + row, limit: rect.width - 4)
        }
        canvas.put("any key closes", x: rect.x + 2, y: rect.maxY - 2, role: .dim)
    }
}
