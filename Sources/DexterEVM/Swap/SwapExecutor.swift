import BigInt
import DexterCrypto

/// Sends swaps from one wallet on one chain: approve when the allowance is short, price the gas, sign, run the signed
/// transaction at the latest block and refuse it on a revert, send by the configured route, wait for the receipt
/// and its confirmations, and read the fill from the pool's Swap log. One actor per wallet; from
/// choosing a nonce to recording the send, one swap at a time (`oneAtATime`), so two swaps never share a nonce.
public actor SwapExecutor {
    public let client: EVMRPCClient
    public let submitter: TransactionSubmitter
    public let feePolicy: FeePolicy
    public let approval: ApprovalPolicy
    public let errors: CustomErrorTable
    /// The chain's wrapped gas token (WETH9 and its kin): a swap paying it in wraps what the wallet lacks of it.
    public let wrappedNative: EthereumAddress?
    private let key: EthereumPrivateKey
    public internal(set) var nonces: NonceBook
    /// Each nonce's unsigned transaction, for a speed-up of it.
    var unsigned: [BigUInt: EthereumTransaction] = [:]

    public init(client: EVMRPCClient, submitter: TransactionSubmitter, key: EthereumPrivateKey, feePolicy: FeePolicy,
                approval: ApprovalPolicy = .unlimited, errors: CustomErrorTable = .common,
                wrappedNative: EthereumAddress? = nil) {
        self.client = client
        self.submitter = submitter
        self.key = key
        self.feePolicy = feePolicy
        self.approval = approval
        self.errors = errors
        self.wrappedNative = wrappedNative
        nonces = NonceBook(key: NonceKey(wallet: key.address, chainId: BigUInt(client.chainId)))
    }

    public nonisolated var wallet: EthereumAddress { key.address }

    func pendingTransaction(at nonce: BigUInt) -> EthereumTransaction? { unsigned[nonce] }

    /// Hashes being handed to a node right now, by nonce (signed, the answer not back yet).
    private var submitting: [BigUInt: Set<[UInt8]>] = [:]

    // MARK: One nonce at a time

    /// An actor runs one call at a time only between suspensions: two swaps could both read the node's pending count
    /// before either is sent, and take the same nonce. From choosing a nonce to recording the send, one at a time.
    private var gateHeld = false
    private var gateQueue: [CheckedContinuation<Void, Never>] = []

    func oneAtATime<T>(_ body: () async throws(SwapError) -> T) async throws(SwapError) -> T {
        if gateHeld {
            await withCheckedContinuation { gateQueue.append($0) }
        } else {
            gateHeld = true
        }
        defer {
            if gateQueue.isEmpty { gateHeld = false } else { gateQueue.removeFirst().resume() }
        }
        return try await body()
    }

    /// How long to wait: polls of the node, and what to do between two (sleep; a test mines a block).
    public struct Patience: Sendable {
        public var confirmations: UInt64
        public var polls: Int
        public var pause: @Sendable () async -> Void

        public init(confirmations: UInt64, polls: Int, pause: @escaping @Sendable () async -> Void) {
            self.confirmations = confirmations
            self.polls = polls
            self.pause = pause
        }
    }

    public func execute(_ plan: SwapPlan, patience: Patience,
                        report: @Sendable (SwapEvent) async -> Void = { _ in }) async throws(SwapError) -> SwapResult {
        if let wrappedNative, plan.tokenIn == wrappedNative {
            try await ensureWrapped(wrappedNative, needed: plan.amountIn, patience: patience, report: report)
        }
        try await ensureAllowance(token: plan.tokenIn, spender: plan.venue.router, needed: plan.amountIn,
                                  patience: patience, report: report)
        let latest = try await node { () async throws(EVMRPCError) in try await FeeBlock.latest(client) }
        let data: [UInt8]
        do { data = try plan.calldata(blockTimestamp: latest.timestamp) } catch { throw .calldata(error) }
        let (transaction, fees, balanceBefore, hash, route) = try await simulateAndSend(
            to: plan.venue.router, data: data, latest: latest, amountOutMinimum: plan.amountOutMinimum,
            recipient: plan.recipient, tokenOut: plan.tokenOut, report: report)
        let receipt = try await confirm(hash, nonce: transaction.nonce, patience: patience, report: report)
        if canceled(receipt, sent: hash, nonce: transaction.nonce,
                    unknownMeansCanceled: !receipt.logs.contains { $0.address == plan.pool }) {
            // A cancel took the nonce (a 0-value transfer to ourselves): the swap can never be mined now.
            return SwapResult(hash: receipt.transactionHash, nonce: transaction.nonce, route: route, receipt: receipt,
                              outcome: .canceled, fees: fees)
        }
        guard receipt.succeeded else {
            let reason = try await replay(transaction, atBlock: receipt.blockNumber - 1)
            return SwapResult(hash: hash, nonce: transaction.nonce, route: route, receipt: receipt, outcome: .failed(reason),
                              fees: fees)
        }
        let fill = try fill(in: receipt, pool: plan.pool, venue: plan.venue, hash: receipt.transactionHash)
        let balanceAfter = try await balance(of: plan.recipient, token: plan.tokenOut, at: receipt.blockNumber)
        // A balance that fell (another transfer out in between) shows as 0 change; the fill is what the pool paid.
        let change = balanceAfter >= balanceBefore ? balanceAfter - balanceBefore : 0
        // A speed-up that landed is the same swap under another hash.
        return SwapResult(hash: receipt.transactionHash, nonce: transaction.nonce, route: route, receipt: receipt,
                          outcome: .filled(fill, balanceChange: change), fees: fees)
    }

    // MARK: Steps

    /// From choosing a nonce to the send, one swap at a time: estimated and simulated at the latest block (a revert
    /// refuses it), the recipient's balance of what it buys read, signed, written down (`.signed`) and sent.
    func simulateAndSend(to: EthereumAddress, data: [UInt8], value: BigUInt = 0, latest: FeeBlock, amountOutMinimum: BigUInt,
                         recipient: EthereumAddress, tokenOut: EthereumAddress,
                         report: @Sendable (SwapEvent) async -> Void) async throws(SwapError)
        -> (EthereumTransaction, FeeQuote, BigUInt, [UInt8], SubmissionRoute) {
        let sent = try await oneAtATime { () async throws(SwapError) in
            let (transaction, fees) = try await prepare(to: to, data: data, value: value, latest: latest)
            await report(.simulated(gasLimit: fees.gasLimit, maxFeePerGas: fees.maxFeePerGas, amountOutMinimum: amountOutMinimum))
            let balanceBefore = try await balance(of: recipient, token: tokenOut, at: nil)
            let (hash, route) = try await send(transaction, purpose: .original, latestBlock: latest.number) { sent, nonce in
                await report(.signed(hash: sent.hash, nonce: nonce, raw: sent.raw))
            }
            return (transaction, fees, balanceBefore, hash, route)
        }
        await report(.sent(hash: sent.3, nonce: sent.0.nonce, route: sent.4))
        return sent
    }

    /// Whether what was mined at the swap's nonce is one of our cancels (or gap fills): the swap can never be mined
    /// now. By what each transaction was sent as; a mined transaction the book no longer knows falls back to
    /// `unknownMeansCanceled` (what its receipt shows). A speed-up that reverted is the swap reverting, not a cancel.
    func canceled(_ receipt: TransactionReceipt, sent hash: [UInt8], nonce: BigUInt, unknownMeansCanceled: Bool) -> Bool {
        guard receipt.transactionHash != hash else { return false }
        switch nonces.everyAttempt(at: nonce).first(where: { $0.hash == receipt.transactionHash })?.purpose {
        case .cancel, .gapFill: return true
        case .original, .speedUp: return false
        case nil: return unknownMeansCanceled
        }
    }

    /// Approves `spender` when its allowance is below `needed`, and waits for the approval to be mined.
    func ensureAllowance(token: EthereumAddress, spender: EthereumAddress, needed: BigUInt, patience: Patience,
                         report: @Sendable (SwapEvent) async -> Void) async throws(SwapError) {
        let allowanceCall: [UInt8]
        do { allowanceCall = try ERC20Call.allowance(owner: wallet, spender: spender) } catch { throw .calldata(error) }
        let allowance = try await uint(call: token, data: allowanceCall, at: nil)
        guard allowance < needed else { return }
        let amount = approval.amount(for: needed)
        let data: [UInt8]
        do { data = try ERC20Call.approve(spender: spender, amount: amount) } catch { throw .calldata(error) }
        let (hash, _, receipt) = try await sendAndConfirm(
            to: token, data: data, patience: patience,
            signed: { await report(.sideTransactionSigned(hash: $0)) },
            sent: { hash, route in await report(.approvalSent(token: token, spender: spender, amount: amount, hash: hash, route: route)) },
            failure: { hash, state in .approvalFailed(token: token, hash: hash, state: state) })
        await report(.approvalConfirmed(token: token, hash: hash, block: receipt.blockNumber))
    }

    /// A one-off transaction before a swap (an approval, a wrap): sent (`sent` is told at once), then waited for one
    /// confirmation; a failure to mine it, or status 0, is thrown as `failure(hash, what happened)`.
    func sendAndConfirm(to: EthereumAddress, data: [UInt8], value: BigUInt = 0, patience: Patience,
                        signed: ([UInt8]) async -> Void = { _ in },
                        sent: ([UInt8], SubmissionRoute) async -> Void = { _, _ in },
                        failure: ([UInt8], String) -> SwapError) async throws(SwapError)
        -> (hash: [UInt8], route: SubmissionRoute, receipt: TransactionReceipt) {
        let latest = try await node { () async throws(EVMRPCError) in try await FeeBlock.latest(client) }
        let (transaction, hash, route) = try await oneAtATime { () async throws(SwapError) in
            let (transaction, _) = try await prepare(to: to, data: data, value: value, latest: latest)
            let (hash, route) = try await send(transaction, purpose: .original, latestBlock: latest.number) { sent, _ in
                await signed(sent.hash)
            }
            return (transaction, hash, route)
        }
        await sent(hash, route)
        let receipt: TransactionReceipt
        do {
            receipt = try await confirm(hash, nonce: transaction.nonce,
                                        patience: Patience(confirmations: 1, polls: patience.polls, pause: patience.pause),
                                        report: { _ in })
        } catch {
            throw failure(hash, "\(error)")
        }
        guard receipt.succeeded else { throw failure(hash, "mined with status 0") }
        return (hash, route, receipt)
    }

    /// Nonce, fees and gas for a call, signed-ready; eth_estimateGas and the eth_call of the final transaction both
    /// run it at the latest block, and a revert in either refuses it with the decoded reason.
    func prepare(to: EthereumAddress, data: [UInt8], value: BigUInt = 0, latest: FeeBlock) async throws(SwapError)
        -> (EthereumTransaction, FeeQuote) {
        let request: [String: JSONValue] = ["from": .string(wallet.checksummed), "to": .string(to.checksummed),
                                            "data": .string(HexData.format(data)), "value": .string(Quantity.format(value))]
        let estimate = try await reverting("eth_estimateGas") { () async throws(EVMRPCError) in
            try await client.call("eth_estimateGas", [.object(request), "latest"]).quantity()
        }
        let history = try await node { () async throws(EVMRPCError) in
            try FeeHistory(try await client.call("eth_feeHistory", ["0x5", "latest", [50]]))
        }
        let fees: FeeQuote
        do {
            fees = try FeePlanner.quote(history: history, latestBaseFee: latest.baseFee, latestGasUsed: latest.gasUsed,
                                        latestGasLimit: latest.gasLimit, gasEstimate: estimate, policy: feePolicy)
        } catch { throw .fees(error) }
        let pendingCount = try await node { () async throws(EVMRPCError) in
            try await client.call("eth_getTransactionCount", [.string(wallet.checksummed), "pending"]).quantity()
        }
        let transaction = EthereumTransaction(kind: .eip1559, chainId: BigUInt(client.chainId),
                                              nonce: nonces.nextNonce(nodePendingCount: pendingCount),
                                              maxPriorityFeePerGas: fees.maxPriorityFeePerGas, maxFeePerGas: fees.maxFeePerGas,
                                              gasLimit: fees.gasLimit, to: to, value: value, data: data)
        try await simulate(transaction)
        return (transaction, fees)
    }

    /// `eth_call` of `transaction` as it would be sent, at the latest block: a revert refuses it with the decoded reason.
    /// No nonce: the call is about what the transaction does, and a node that checks it (py-evm does; geth skips the
    /// check for eth_call) would refuse a swap queued behind one of ours still waiting to be mined.
    func simulate(_ transaction: EthereumTransaction) async throws(SwapError) {
        var request: [String: JSONValue] = ["from": .string(wallet.checksummed), "data": .string(HexData.format(transaction.data)),
                                            "value": .string(Quantity.format(transaction.value)),
                                            "gas": .string(Quantity.format(transaction.gasLimit)),
                                            "maxFeePerGas": .string(Quantity.format(transaction.maxFeePerGas)),
                                            "maxPriorityFeePerGas": .string(Quantity.format(transaction.maxPriorityFeePerGas))]
        if let to = transaction.to { request["to"] = .string(to.checksummed) }
        _ = try await reverting("eth_call") { () async throws(EVMRPCError) in
            try await client.call("eth_call", [.object(request), "latest"])
        }
    }

    /// Signs and sends `transaction`, keeping the nonce book current whatever the answer.
    /// `beforeSubmit` hears the signed transaction and its nonce before a byte leaves: whoever must find the swap
    /// again after a crash (the venue's journal) writes them down there.
    func send(_ transaction: EthereumTransaction, purpose: SentTransaction.Purpose, latestBlock: UInt64,
              beforeSubmit: (_ sent: SentTransaction, _ nonce: BigUInt) async -> Void = { _, _ in })
        async throws(SwapError) -> (hash: [UInt8], route: SubmissionRoute) {
        let raw: [UInt8]
        do { raw = try transaction.sign(with: key).raw } catch { throw .signing(error) }
        let sent = SentTransaction(transaction, raw: raw, purpose: purpose)
        await beforeSubmit(sent, transaction.nonce)
        // A wait at this nonce must count it from the moment it may reach a node: a replacement can be mined before
        // the node's answer comes back, and must not read as "something else took the nonce".
        submitting[transaction.nonce, default: []].insert(sent.hash)
        defer {
            submitting[transaction.nonce]?.remove(sent.hash)
            if submitting[transaction.nonce]?.isEmpty == true { submitting[transaction.nonce] = nil }
        }
        do {
            let (hash, route) = try await submitter.submit(raw: raw, latestBlock: latestBlock)
            nonces.recordSent(sent, nonce: transaction.nonce)
            // What a speed-up re-sends: the swap (or its last speed-up), never a cancel or gap fill.
            if purpose == .original || purpose == .speedUp { unsigned[transaction.nonce] = transaction }
            return (hash, route)
        } catch {
            if case .refused(let route, let reason) = error,
               nonces.recordRejected(sent, nonce: transaction.nonce, reason: reason) == .keepAsSent {
                if purpose == .original || purpose == .speedUp { unsigned[transaction.nonce] = transaction }
                return (sent.hash, route)
            }
            // It may have reached a node: a wait at this nonce must still look for it (a phantom costs a poll).
            if case .unreachable(_, let rpc) = error, case .transport(_, _, _, true) = rpc {
                nonces.recordSent(sent, nonce: transaction.nonce)
            }
            throw .submission(error)
        }
    }

    /// Waits for `depth` confirmations of what the chain takes at `nonce`: the transaction sent, or a replacement of
    /// it sent since (a speed-up, a cancel) — the receipt says which. Every attempt gone on two polls in a row is a
    /// drop; dropped or still pending after the polls is an error that keeps the state.
    func confirm(_ hash: [UInt8], nonce: BigUInt, patience: Patience,
                 report: @Sendable (SwapEvent) async -> Void) async throws(SwapError) -> TransactionReceipt {
        let watch = TransactionWatch(client: client)
        var state = TransactionState.pending
        var droppedBefore = false
        // Every transaction of ours at the nonce, as it becomes known, never forgotten: the book moves a nonce's
        // attempts aside once a later nonce of ours is mined (which means this one was too), and a replacement is
        // counted from the moment it may reach a node.
        var known: [[UInt8]] = [hash]
        /// Whether attempts appeared since `known` was last brought up to date (one may have been sent meanwhile).
        func learnAttempts() -> Bool {
            let before = known.count
            for attempt in nonces.everyAttempt(at: nonce).map(\.hash) + (submitting[nonce] ?? []) where !known.contains(attempt) {
                known.append(attempt)
            }
            return known.count > before
        }
        for poll in 0..<max(patience.polls, 1) {
            _ = learnAttempts()
            state = .dropped
            // Newest first: a replacement the chain took makes the older attempts drop.
            for candidate in known.reversed() {
                let seen = try await node { () async throws(EVMRPCError) in try await watch.state(of: candidate) }
                if case .mined = seen { state = seen; break }
                if case .pending = seen { state = .pending }
            }
            if case .mined(_, let depth) = state, depth >= patience.confirmations { break }
            if case .dropped = state {
                if droppedBefore {
                    // Gone twice: if the chain's count has passed the nonce, something else took it; otherwise the node
                    // lost our transaction (a reorg, a restart) and it is sent again, byte for byte, and waited for.
                    let count = try await node { () async throws(EVMRPCError) in
                        try await client.call("eth_getTransactionCount", [.string(wallet.checksummed), "latest"]).quantity()
                    }
                    // What this poll saw may be older than the count: a replacement sent meanwhile (the trader's
                    // speed-up), or one of ours mined between the look and the count (a builder letting a queue go),
                    // is what took the nonce, not something else. Look again, after the count, before deciding.
                    var lookAgain = learnAttempts()
                    if !lookAgain, count > nonce {
                        for candidate in known.reversed() where !lookAgain {
                            let seen = try await node { () async throws(EVMRPCError) in try await watch.state(of: candidate) }
                            if seen != .dropped { lookAgain = true }
                        }
                    }
                    if lookAgain {
                        // The next poll decides, after its pause (every poll counts against the patience).
                        droppedBefore = false
                        if poll + 1 < patience.polls { await patience.pause() }
                        continue
                    }
                    // With no poll left to see it land, a lost transaction is reported dropped (reconcile repairs the gap).
                    guard count <= nonce, poll + 1 < patience.polls, let newest = nonces.everyAttempt(at: nonce).last else { break }
                    let block = (try? await client.call("eth_blockNumber").uint64()) ?? 0
                    _ = try? await submitter.submit(raw: newest.raw, latestBlock: block)
                    droppedBefore = false
                } else {
                    droppedBefore = true
                }
            } else {
                droppedBefore = false
            }
            if poll + 1 < patience.polls { await patience.pause() }
        }
        guard case .mined(let receipt, let depth) = state, depth >= patience.confirmations else {
            throw .notConfirmed(hash: hash, state: state)
        }
        // Mined at `nonce`: every nonce up to it is spent on chain.
        nonces.chainCountChanged(to: max(nonces.chainCount, nonce + 1))
        await report(.mined(hash: receipt.transactionHash, block: receipt.blockNumber))
        await report(.confirmed(hash: receipt.transactionHash, confirmations: depth))
        return receipt
    }
}
