import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation

/// An order as a swap: what goes in, what comes out, and the order's own bound on the side that floats.
struct SwapTerms: Sendable, Hashable {
    let exactIn: Bool
    let input: SolanaPublicKey
    let output: SolanaPublicKey
    /// ExactIn: what is spent. ExactOut: what is received.
    let amount: UInt64
    /// ExactIn: the least accepted out (quantity × limit, rounded up). ExactOut: the most paid in (rounded down).
    let bound: UInt64

    /// Whether a quote's amounts keep the bound.
    func holds(in amountIn: UInt64, out amountOut: UInt64) -> Bool {
        exactIn ? amountIn <= amount && amountOut >= bound : amountOut >= amount && amountIn <= bound
    }

    /// The slippage Jupiter may take off `quote` and still keep the bound: its threshold is then never past it.
    func slippageBps(for quote: JupiterQuote) -> Int {
        if exactIn {
            guard quote.outAmount > bound else { return 0 }
            return Int(min(10_000, UInt128(quote.outAmount - bound) * 10_000 / UInt128(quote.outAmount)))
        }
        guard bound > quote.inAmount, quote.inAmount > 0 else { return 0 }
        return Int(min(10_000, UInt128(bound - quote.inAmount) * 10_000 / UInt128(quote.inAmount)))
    }

    /// Whether the quote's on-chain threshold is inside the bound.
    func thresholdHolds(_ quote: JupiterQuote) -> Bool {
        exactIn ? quote.otherAmountThreshold >= bound : quote.otherAmountThreshold <= bound
    }
}

extension SolanaLiveVenue {
    func run(_ order: OrderRequest) async {
        if let known = journal.entry(order.clientOrderId) {
            // The same client id again (a retry): never a second swap. What the first became is the answer.
            if known.attempts.isEmpty && known.stage != .done {
                return reject(order, code: "not_sent", .rejected, "an earlier attempt stopped before signing")
            }
            if let answer = try? await query(order.clientOrderId, on: order.venue), case .found(let report) = answer, report.isDone {
                for update in report.updates(venueOrderId: known.attempts.last?.signature) { post(update) }
            }
            return
        }
        let terms: SwapTerms, entry: SolanaOrderJournal.Entry
        do { (terms, entry) = try await plan(order) } catch {
            return reject(order, code: "not_tradable", .rejected, "\(error)")
        }
        journal.record(entry)
        var current = entry
        var accepted = false
        for attempt in 1...maxAttempts {
            let step: Step
            do {
                step = try await send(order, terms, entry: &current, attempt: attempt, accepted: &accepted)
            } catch {
                // Signed and then lost sight of: the order stays open; a query asks the chain.
                if current.stage == .signed { return }
                return finish(order, entry: current, status: .rejected, reason: "not sent: \(error)", lamports: 0,
                              failure: ExecutionFailure(code: "not_sent", failureClass: .rejected, reason: "the swap was not sent",
                                                        venueMessage: "\(error)"))
            }
            switch step {
            case .ended: return
            case .expired(let why) where attempt == maxAttempts:
                return finish(order, entry: current, status: .expired, reason: why, lamports: 0, failure: nil)
            case .expired: continue
            }
        }
    }

    enum Step { case ended, expired(String) }

    /// One transaction for the order: quoted, checked, signed, journaled, sent and followed. `.expired` when its
    /// blockhash passed unused (nothing of it can land any more): the caller may try again.
    func send(_ order: OrderRequest, _ terms: SwapTerms, entry: inout SolanaOrderJournal.Entry, attempt: Int,
              accepted: inout Bool) async throws -> Step {
        let probe = try await jupiter.quote(input: terms.input, output: terms.output, amount: terms.amount,
                                            exactIn: terms.exactIn, slippageBps: 0, dexes: dexes)
        try checkRoute(probe, order.symbol)
        guard terms.holds(in: probe.inAmount, out: probe.outAmount) else {
            let why = (attempt > 1 ? "the transaction expired and a new quote " : "Jupiter's quote ")
                + "\(probe.inAmount) → \(probe.outAmount) is past the order's limit (\(terms.exactIn ? "at least" : "at most") \(terms.bound))"
            finish(order, entry: entry, status: .expired, reason: why, lamports: 0, failure: nil)
            return .ended
        }
        let quote = try await jupiter.quote(input: terms.input, output: terms.output, amount: terms.amount,
                                            exactIn: terms.exactIn, slippageBps: terms.slippageBps(for: probe), dexes: dexes)
        try checkRoute(quote, order.symbol)
        guard terms.holds(in: quote.inAmount, out: quote.outAmount), terms.thresholdHolds(quote) else {
            throw JupiterError.refused("the quote's threshold \(quote.otherAmountThreshold) is past the order's bound \(terms.bound)")
        }
        let price = try await rpc.priorityPrice(writing: [], percentile: chain.priorityPercentile, cap: chain.maxPriorityMicroLamports)
        let swap = try await jupiter.swapTransaction(quote, user: wallet, microLamportsPerUnit: price,
                                                     wrapAndUnwrapSol: false, dynamicComputeUnitLimit: true)
        let (message, lastValid) = (swap.message, swap.lastValidBlockHeight)
        func failure(_ error: SolanaTransactionError, _ logs: [String]) -> String {
            SolanaFailure(error, programs: swap.read.programs, computeUnitLimit: swap.read.computeBudget.limit, logs: logs).description
        }
        // What the transaction does, checked against the order's own bound before it is signed.
        let simulation = try await rpc.simulate([1] + [UInt8](repeating: 0, count: 64) + message, .processed, sigVerify: false)
        if let error = simulation.error {
            let why = failure(error, simulation.logs)
            finish(order, entry: entry, status: .rejected, reason: "not sent: the swap fails in simulation: \(why)", lamports: 0,
                   failure: ExecutionFailure(code: "would_fail", failureClass: .market,
                                             reason: "the swap fails in simulation; nothing was sent", venueMessage: why))
            return .ended
        }
        let simulated = SolanaTransactionRecord(slot: 0, error: nil, fee: 0, logs: [], preTokenBalances: simulation.preTokenBalances,
                                                postTokenBalances: simulation.postTokenBalances)
        let (paid, received) = amounts(simulated, terms)
        guard terms.holds(in: paid, out: received) else {
            throw JupiterError.refused("simulated, the swap pays \(paid) for \(received); the order's bound is \(terms.bound)")
        }
        let signature = try keypair.sign(message)
        let signed = SolanaSignedTransaction(wire: [1] + signature + message, signature: Base58.encode(signature))
        entry.stage = .signed
        entry.attempts.append(.init(signature: signed.signature, lastValidBlockHeight: lastValid,
                                    wire: Data(signed.wire).base64EncodedString()))
        journal.record(entry)
        var update = OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue,
                                 kind: accepted ? .routeChanged : .accepted(venueOrderId: signed.signature), at: clock.now())
        update.route = Self.shown(signed.signature) + (attempt > 1 ? " (attempt \(attempt), fresh blockhash)" : "") + " via Jupiter"
        post(update)
        accepted = true
        let landing: SolanaLanding
        do {
            landing = try await rpc.sendAndConfirm(signed, lastValidBlockHeight: lastValid, commitment: .confirmed, pause: pause)
        } catch SolanaSendError.simulationFailed(let error, let logs) {
            if error == .named("BlockhashNotFound") {
                // Its blockhash is gone — or too new for this node: only the chain's height tells which.
                let height = try await rpc.blockHeight(.confirmed)
                guard height > lastValid else { throw SolanaSendError.simulationFailed(error, logs: logs) }
                return .expired("expired: its blockhash was valid to block height \(lastValid), the chain is at \(height)")
            }
            // The node refused it in preflight: it was never forwarded and cannot land.
            let why = error.map { failure($0, logs) } ?? "refused in preflight"
            finish(order, entry: entry, status: .rejected, reason: "refused by the node: \(why)", lamports: 0,
                   failure: ExecutionFailure(code: "preflight", failureClass: .market, reason: "the node refused the swap in its simulation",
                                             venueMessage: why))
            return .ended
        }
        switch landing {
        case .expired(let lastValidBlockHeight, let height):
            return .expired("expired: its blockhash was valid to block height \(lastValidBlockHeight), the chain is at \(height)")
        case .landed, .failed:
            guard let record = try await rpc.transaction(signed.signature, .confirmed) else {
                throw SolanaRPCError.malformed(endpoint: rpc.healthyEndpoint.redacted, method: "getTransaction", field: "result",
                                               reason: "a landed transaction is not found")
            }
            finish(order, entry: entry, report: report(order.clientOrderId, venue: order.venue, symbol: order.symbol,
                                                       side: order.side, terms: terms, entry: entry, record: record,
                                                       message: swap.read))
            return .ended
        }
    }

    /// The DEX a pool venue's quotes are limited to.
    var dexes: [String]? {
        if case .pool(let label, _) = routing { return [label] }
        return nil
    }

    /// A pool venue's swap goes through its own pool alone: one step, through that address.
    func checkRoute(_ quote: JupiterQuote, _ symbol: Symbol) throws(JupiterError) {
        guard case .pool(let label, let pools) = routing, let pool = pools[symbol] else { return }
        guard quote.route.count == 1, let step = quote.route.first, step.ammKey == pool.description else {
            let through = quote.route.map { "\($0.label) \($0.ammKey)" }.joined(separator: " → ")
            throw .refused("the route goes through \(through.isEmpty ? "no named pool" : through), not the venue's \(label) pool \(pool)")
        }
    }

    /// What the wallet paid and received in a transaction, by the terms' mints.
    func amounts(_ record: SolanaTransactionRecord, _ terms: SwapTerms) -> (paid: UInt64, received: UInt64) {
        (record.tokenChange(owner: wallet, mint: terms.input).spent, record.tokenChange(owner: wallet, mint: terms.output).gained)
    }

    /// The order's report from its landed transaction: amounts from its token balances, gas = what the fee payer lost
    /// in lamports (the fee, and rent of any account it opened).
    func report(_ clientOrderId: String, venue: VenueId, symbol: Symbol, side: Side, terms: SwapTerms,
                entry: SolanaOrderJournal.Entry, record: SolanaTransactionRecord, message: SolanaMessageReader?) -> ExecutionReport {
        let gas = FixedDecimal(units: max(0, record.payerLamportsSpent), decimals: 9)
        if let error = record.error {
            let why = SolanaFailure(error, programs: message?.programs ?? [], computeUnitLimit: message?.computeBudget.limit,
                                    logs: record.logs).description
            return ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side, status: .rejected,
                                   reason: "the swap failed on chain: \(why)", filledQuantity: .zero, notional: .zero, fee: .zero,
                                   gas: gas, gasToken: chain.gasToken, executedAt: clock.now(),
                                   failure: ExecutionFailure(code: "failed", failureClass: .chain,
                                                             reason: "the swap failed on chain (its fee was still paid)",
                                                             venueMessage: why))
        }
        let (paid, received) = amounts(record, terms)
        let (baseUnits, quoteUnits) = side == .sell ? (paid, received) : (received, paid)
        let filled = FixedDecimal(units: Int128(baseUnits), decimals: entry.baseDecimals)
        return ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side,
                               status: filled.isPositive ? .filled : .expired, reason: filled.isPositive ? nil : "nothing moved",
                               filledQuantity: filled, notional: FixedDecimal(units: Int128(quoteUnits), decimals: entry.quoteDecimals),
                               fee: .zero, gas: gas, gasToken: chain.gasToken, executedAt: clock.now())
    }

    /// The swap an order becomes, by the feed's mints and decimals: a sell spends exactly its quantity for at least
    /// quantity × limit; a buy receives exactly its quantity for at most quantity × limit.
    func plan(_ order: OrderRequest) async throws -> (SwapTerms, SolanaOrderJournal.Entry) {
        let base = try mint(order.symbol.base), quote = try mint(order.symbol.quote)
        if case .pool(_, let pools) = routing, pools[order.symbol] == nil {
            throw SolanaVenueError.notRead(MarketKey(venue: order.venue, symbol: order.symbol))
        }
        let baseDecimals = try await decimals(of: base), quoteDecimals = try await decimals(of: quote)
        guard !order.quantity.isNegative, !order.limitPrice.isNegative else { throw SolanaVenueError.negativeAmount(order.quantity) }
        let quantity = UInt64(order.quantity.units(decimals: baseDecimals))
        let notional = order.quantity * order.limitPrice
        var bound = UInt64(notional.units(decimals: quoteDecimals))
        let terms: SwapTerms
        switch order.side {
        case .sell:
            if FixedDecimal(units: Int128(bound), decimals: quoteDecimals) != notional { bound += 1 }
            terms = SwapTerms(exactIn: true, input: base, output: quote, amount: quantity, bound: bound)
        case .buy:
            terms = SwapTerms(exactIn: false, input: quote, output: base, amount: quantity, bound: bound)
        }
        let entry = SolanaOrderJournal.Entry(clientOrderId: order.clientOrderId, venue: order.venue.name,
                                             symbol: order.symbol.description, side: order.side, stage: .planned,
                                             baseMint: base.description, quoteMint: quote.description,
                                             baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
        return (terms, entry)
    }

    func finish(_ order: OrderRequest, entry: SolanaOrderJournal.Entry, status: ExecutionReport.Status, reason: String,
                lamports: Int128, failure: ExecutionFailure?) {
        let gas = FixedDecimal(units: lamports, decimals: 9)
        finish(order, entry: entry, report: ExecutionReport(
            clientOrderId: order.clientOrderId, venue: order.venue, symbol: order.symbol, side: order.side, status: status,
            reason: reason, filledQuantity: .zero, notional: .zero, fee: .zero, gas: gas, gasToken: gas.isZero ? nil : chain.gasToken,
            executedAt: clock.now(), failure: failure))
    }

    func finish(_ order: OrderRequest, entry: SolanaOrderJournal.Entry, report: ExecutionReport) {
        var done = entry
        done.stage = .done
        done.report = report
        journal.record(done)
        for update in report.updates(venueOrderId: entry.attempts.last?.signature) { post(update) }
    }
}
