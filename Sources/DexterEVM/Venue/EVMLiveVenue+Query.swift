import BigInt
import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues

extension EVMLiveVenue {
    /// What became of an order, asked of the chain through the journal: never signed is unknown (no node has it);
    /// signed, the transaction's receipt decides — mined and deep enough: filled from its Swap log or reverted with
    /// its gas; pending: working; dropped: expired when another transaction has taken its nonce, otherwise sent
    /// again byte for byte (the same hash: it can land once at most) and working.
    public func query(_ clientOrderId: String, on venue: VenueId) async throws -> OrderQueryAnswer {
        guard let entry = journal.entry(clientOrderId) else { return .unknown }
        if let report = entry.report { return .found(report) }
        guard let symbol = try? Symbol(parsing: entry.symbol) else { return .unknown }
        let sides = try (entry.sideTransactions ?? []).map { try Hex.decode($0) }
        var sidesGas = entry.gasBefore
        if sidesGas == nil {
            let burnt = try await gasBurnt(by: sides)
            sidesGas = burnt.pending ? nil : burnt.paid
        }
        guard let hashText = entry.hash else {
            // The swap was never signed. What went before it (an approval, a wrap) still burnt gas on chain: the
            // order ends with that gas, not as unknown (which would book nothing).
            guard !sides.isEmpty else { return .unknown }
            guard let gas = sidesGas else { return .found(Self.working(clientOrderId, venue, symbol, entry.side, at: clock.now())) }
            var done = entry
            let report = unfilled(clientOrderId, venue, symbol, entry.side, .rejected,
                                  reason: "the swap was never sent (stopped after its approval)", gas: gas)
            done.stage = .done
            done.report = report
            journal.record(done)
            return .found(report)
        }
        let hash = try Hex.decode(hashText)
        let gasBefore = sidesGas ?? .zero
        func working() -> OrderQueryAnswer { .found(Self.working(clientOrderId, venue, symbol, entry.side, at: clock.now())) }
        func settled(_ report: ExecutionReport) -> OrderQueryAnswer {
            var done = entry
            done.stage = .done
            done.report = report
            journal.record(done)
            return .found(report)
        }
        // The swap, or a replacement of it the chain took instead (newest first).
        let watch = TransactionWatch(client: feed.client)
        var state = try await watch.state(of: hash)
        for replacement in (entry.replacements ?? []).reversed() where state == .dropped {
            let seen = try await watch.state(of: try Hex.decode(replacement))
            if seen != .dropped { state = seen }
        }
        // A swap through an aggregator is known by the Transfer logs of its tokens, not by one pool's Swap log.
        let aggregated = try entry.aggregator.map { _ in
            (try EthereumAddress(parsing: entry.tokenIn ?? ""), try EthereumAddress(parsing: entry.tokenOut ?? ""))
        }
        func transfers(_ receipt: TransactionReceipt) -> TransferFill? {
            aggregated.map { TransferFill(receipt.logs, tokenIn: $0.0, tokenOut: $0.1, wallet: wallet) }
        }
        // A cancel the chain took ends it canceled. A journal from before cancels were told apart says so by the mined
        // transaction being ours but not the swap's (nothing moved, or no log of the pool).
        if case .mined(let receipt, let depth) = state, receipt.transactionHash != hash,
           depth >= UInt64(max(1, feed.chain.confirmations)),
           entry.cancels.map({ $0.contains(Hex.encode(receipt.transactionHash)) })
               ?? transfers(receipt).map({ $0.amountIn == 0 })
               ?? !receipt.logs.contains(where: { $0.address.checksummed.lowercased() == entry.pool.lowercased() }) {
            return settled(unfilled(clientOrderId, venue, symbol, entry.side, .canceled, reason: Self.canceledOnChain,
                                    gas: gasBefore + Self.gasToken(receipt.feePaidWei)))
        }
        switch state {
        case .pending:
            return working()
        case .mined(let receipt, let depth):
            guard depth >= UInt64(max(1, feed.chain.confirmations)) else { return working() }
            let gas = gasBefore + Self.gasToken(receipt.feePaidWei)
            guard receipt.succeeded else {
                return settled(unfilled(clientOrderId, venue, symbol, entry.side, .rejected, reason: "swap reverted on chain",
                                        gas: gas, failure: Self.revertedOnChain(nil)))
            }
            let pool = try EthereumAddress(parsing: entry.pool)
            if let moved = transfers(receipt) {
                let fill = SwapFill(pool: pool, amountIn: moved.amountIn, tokenInIndex: 0, amountOut: moved.amountOut,
                                    sqrtPriceX96After: nil)
                return settled(filledReport(clientOrderId, venue: venue, symbol: symbol, side: entry.side, fill: fill,
                                            entry: entry, gas: gas))
            }
            for log in receipt.logs where log.address == pool {
                if let fill = try SwapFill.decode(address: log.address, topics: log.topics, data: log.data),
                   entry.owns(fill) {
                    return settled(filledReport(clientOrderId, venue: venue, symbol: symbol, side: entry.side, fill: fill,
                                                entry: entry, gas: gas))
                }
            }
            throw SwapError.noSwapLog(pool: pool, hash: hash)
        case .dropped:
            let nonce = BigUInt(entry.nonce ?? "") ?? 0
            let mined = try await feed.client.call("eth_getTransactionCount", [.string(wallet.checksummed), "latest"]).quantity()
            if mined > nonce {
                return settled(unfilled(clientOrderId, venue, symbol, entry.side, .expired,
                                        reason: "dropped: nonce \(nonce) was taken by another transaction", gas: gasBefore))
            }
            if let raw = entry.raw {
                _ = try? await feed.client.call("eth_sendRawTransaction", [.string(raw)])
            }
            return working()
        }
    }

    static func working(_ clientOrderId: String, _ venue: VenueId, _ symbol: Symbol, _ side: Side, at now: Timestamp)
        -> ExecutionReport {
        ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: side, status: .working, reason: nil,
                        filledQuantity: .zero, notional: .zero, fee: .zero, gas: .zero, gasToken: nil, executedAt: now)
    }

    /// The wallet on this chain: the gas token (with its wrapped form, which the pools trade as the same asset) and
    /// every configured token, exact.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        let chain = feed.chain, client = feed.client
        // One block for all of it: the native balance and each token's balance and decimals, in one batch.
        let block = try await client.blockNumber()
        let native = try await client.call("eth_getBalance", [.string(wallet.checksummed), .string(Quantity.format(BigUInt(block)))])
            .quantity()
        var held: [Asset: FixedDecimal] = [chain.gasToken: Self.gasToken(native)]
        let tokens = chain.tokens.sorted { $0.key < $1.key }
        let calls = try tokens.flatMap { _, token in
            [try ContractCall(token, "balanceOf", [(.address, .address(wallet))], returns: [.uint(bits: 256)]),
             try ContractCall(token, "decimals", returns: [.uint(bits: 8)])]
        }
        let answers = try await client.read(calls, at: block)
        for (index, (asset, token)) in tokens.enumerated() {
            let units = answers[2 * index][0].uintValue, decimals = answers[2 * index + 1][0].uintValue
            guard decimals <= 18 else { throw EVMLiveError.decimals(token, decimals) }
            held[asset, default: .zero] += FixedDecimal(units: Int128(units), decimals: Int(decimals))
        }
        return held
    }
}
