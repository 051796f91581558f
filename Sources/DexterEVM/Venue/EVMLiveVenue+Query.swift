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
        if sidesGas == nil { sidesGas = try await gasBurntOrPending(by: sides) }
        guard let hashText = entry.hash else {
            // The swap was never signed. What went before it (an approval, a wrap) still burnt gas on chain: the
            // order ends with that gas, not as unknown (which would book nothing).
            guard !sides.isEmpty else { return .unknown }
            guard let gas = sidesGas else { return .found(Self.working(clientOrderId, venue, symbol, entry.side, at: clock.now())) }
            var done = entry
            done.stage = .done
            done.report = ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side,
                                          status: .rejected, reason: "the swap was never sent (stopped after its approval)",
                                          filledQuantity: .zero, notional: .zero, fee: .zero, gas: gas,
                                          gasToken: gas.isZero ? nil : feed.chain.gasToken, executedAt: clock.now())
            journal.record(done)
            return .found(done.report!)
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
        if case .mined(let receipt, let depth) = state, receipt.transactionHash != hash,
           depth >= UInt64(max(1, feed.chain.confirmations)),
           !receipt.logs.contains(where: { $0.address.checksummed.lowercased() == entry.pool.lowercased() }) {
            return settled(ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side,
                                           status: .canceled, reason: "canceled on chain: a 0-value transfer took its nonce",
                                           filledQuantity: .zero, notional: .zero, fee: .zero,
                                           gas: gasBefore + Self.gasToken(receipt.feePaidWei), gasToken: feed.chain.gasToken,
                                           executedAt: clock.now()))
        }
        switch state {
        case .pending:
            return working()
        case .mined(let receipt, let depth):
            guard depth >= UInt64(max(1, feed.chain.confirmations)) else { return working() }
            let gas = gasBefore + Self.gasToken(receipt.feePaidWei)
            guard receipt.succeeded else {
                return settled(ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side,
                                               status: .rejected, reason: "swap reverted on chain", filledQuantity: .zero,
                                               notional: .zero, fee: .zero, gas: gas, gasToken: feed.chain.gasToken,
                                               executedAt: clock.now(),
                                               failure: ExecutionFailure(code: "reverted", failureClass: .chain,
                                                                         reason: "the swap reverted on chain (gas was still spent)")))
            }
            let pool = try EthereumAddress(parsing: entry.pool)
            for log in receipt.logs where log.address == pool {
                if let fill = try SwapFill.decode(address: log.address, topics: log.topics, data: log.data) {
                    return settled(filledReport(clientOrderId, venue: venue, symbol: symbol, side: entry.side, fill: fill,
                                                entry: entry, gas: gas))
                }
            }
            throw SwapError.noSwapLog(pool: pool, hash: hash)
        case .dropped:
            let nonce = BigUInt(entry.nonce ?? "") ?? 0
            let mined = try await feed.client.call("eth_getTransactionCount", [.string(wallet.checksummed), "latest"]).quantity()
            if mined > nonce {
                return settled(ExecutionReport(clientOrderId: clientOrderId, venue: venue, symbol: symbol, side: entry.side,
                                               status: .expired, reason: "dropped: nonce \(nonce) was taken by another transaction",
                                               filledQuantity: .zero, notional: .zero, fee: .zero, gas: gasBefore,
                                               gasToken: gasBefore.isZero ? nil : feed.chain.gasToken, executedAt: clock.now()))
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

    /// What `hashes` burnt for gas once each is mined or gone; nil while one is still pending.
    func gasBurntOrPending(by hashes: [[UInt8]]) async throws -> FixedDecimal? {
        var total = FixedDecimal.zero
        let watch = TransactionWatch(client: feed.client)
        for hash in hashes {
            switch try await watch.state(of: hash) {
            case .mined(let receipt, _): total += Self.gasToken(receipt.feePaidWei)
            case .pending: return nil
            case .dropped: continue
            }
        }
        return total
    }

    /// The wallet on this chain: the gas token (with its wrapped form, which the pools trade as the same asset) and
    /// every configured token, exact.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        let chain = feed.chain
        var held: [Asset: FixedDecimal] = [:]
        let native = try await feed.client.call("eth_getBalance", [.string(wallet.checksummed), "latest"]).quantity()
        held[chain.gasToken] = Self.gasToken(native)
        for (asset, token) in chain.tokens.sorted(by: { $0.key < $1.key }) {
            let data = try ERC20Call.balanceOf(wallet)
            let answer = try await feed.client.call("eth_call", [["to": .string(token.checksummed), "data": .string(HexData.format(data))],
                                                                 "latest"])
            let units = try UIntAnswer.decode(try answer.data())
            let amount = FixedDecimal(units: Int128(units), decimals: try await tokenDecimals(token))
            held[asset, default: .zero] += amount
        }
        return held
    }
}
