import BigInt
import DexterCrypto
@testable import DexterEVM
import Foundation
import TestServers
import Testing

/// The route a transaction takes, and what happens to it after: reorgs, speed-up, cancel, a nonce gap.
@Suite(.serialized) struct SwapRouteAndReorgTests {
    static let amountIn: BigUInt = 10_000 * 1_000_000

    @Test func aPrivateRelayCarriesTheSwapAndTheRouteIsReported() async throws {
        let send = try await SwapSendScene.start()
        let relay = try PrivateRelay(.forward(nodeURL: send.node.rpcURL))
        defer { relay.stop() }
        let executor = try send.executor(SubmissionConfig(privateURL: relay.url,
                                                          privateMethod: .sendPrivateTransaction(maxBlocksAhead: 25, fast: true)))
        let quote = try await send.quoteV3(usdcIn: Self.amountIn)
        let blockBefore = try await send.client.call("eth_blockNumber").uint64()
        let result = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: quote), patience: send.mining)
        guard case .filled(let fill, _) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(fill.amountOut == quote)
        #expect(result.route == .privateRelay(endpoint: "http://127.0.0.1:\(relay.port)", method: "eth_sendPrivateTransaction"))
        // The approval and the swap, both through the relay, in Flashbots' shape.
        let requests = relay.requests
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0["method"] as? String == "eth_sendPrivateTransaction" })
        let swap = try #require((requests.last?["params"] as? [Any])?.first as? [String: Any])
        #expect((swap["preferences"] as? [String: Any])?["fast"] as? Bool == true)
        let maxBlock = try Quantity.parse(try #require(swap["maxBlockNumber"] as? String))
        #expect(maxBlock >= BigUInt(blockBefore + 25) && maxBlock <= BigUInt(blockBefore + 27))
        #expect(PrivateRelay.hashOf(try #require(swap["tx"] as? String)) == Hex.encode(result.hash))
    }

    @Test func aRefusingRelayIsReportedAndNothingGoesPublic() async throws {
        let send = try await SwapSendScene.start()
        let relay = try PrivateRelay(.refusing(code: -32000, message: "rate limit exceeded"))
        defer { relay.stop() }
        let executor = try send.executor(SubmissionConfig(privateURL: relay.url))
        let quote = try await send.quoteV3(usdcIn: Self.amountIn)
        let route = SubmissionRoute.privateRelay(endpoint: "http://127.0.0.1:\(relay.port)", method: "eth_sendRawTransaction")
        await #expect(throws: SwapError.submission(.refused(route: route, reason: .other("rate limit exceeded")))) {
            _ = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: quote), patience: send.mining)
        }
        // The approval was refused at the relay: the node never saw a transaction of the trader's.
        #expect(try await send.nonce("pending") == 0)
        #expect(relay.requests.count == 1)
        // A relay that is down: reported as such, and still nothing public.
        // Port 1: nothing listens there (a port freed by deadPort() may be taken at once by a parallel test's relay,
        // which would answer).
        let down = try send.executor(SubmissionConfig(privateURL: "http://127.0.0.1:1/protect"))
        do {
            _ = try await down.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: quote), patience: send.mining)
            Issue.record("a swap went out with its relay down")
        } catch {
            guard case SwapError.submission(.unreachable(let route, _)) = error, route.isPrivate else { Issue.record("\(error)"); return }
        }
        #expect(try await send.nonce("pending") == 0)
    }

    @Test func aReorgTurnsAMinedSwapBackIntoADroppedOneAndACancelTakesItsNonce() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        _ = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: try await send.quoteV3(usdcIn: Self.amountIn)),
                                       patience: send.mining)
        let snapshot = try await send.node.snapshot()
                let result = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn,
                                                                quotedOut: try await send.quoteV3(usdcIn: Self.amountIn)),
                                                patience: SwapSendScene.once)
        let watch = TransactionWatch(client: send.client)
        guard case .mined = try await watch.state(of: result.hash) else { Issue.record("not mined"); return }
        // The block holding it leaves the chain (evm_revert drops every block after the snapshot).
        try await send.node.revert(to: snapshot)
        #expect(try await watch.state(of: result.hash) == .dropped)
        let reconciled = try await executor.reconcile()
        #expect(reconciled.unmined == [result.nonce] && reconciled.repaired.isEmpty)
        #expect(await executor.nonces.attempts(at: result.nonce).count == 1)
        // Cancel: a 0-value self-transfer at its nonce, fees bumped; the swap can never be mined now.
        let cancel = try await executor.cancel(nonce: result.nonce)
        guard case .mined(let receipt, _) = try await watch.state(of: cancel.hash) else { Issue.record("cancel not mined"); return }
        #expect(receipt.succeeded && receipt.logs.isEmpty)
        let mined = try await send.client.call("eth_getTransactionByHash", [.string(Hex.encode(cancel.hash))])
        #expect(try mined.member("to").address() == send.trader.address)
        #expect(try mined.member("value").quantity() == 0)
        #expect(try mined.member("nonce").quantity() == result.nonce)
        let original = try #require(await executor.nonces.attempts(at: result.nonce).first)
        #expect(try mined.member("maxPriorityFeePerGas").quantity() >= Replacement.bumped(original.maxPriorityFeePerGas))
        #expect(try await watch.state(of: result.hash) == .dropped)
    }

    @Test func aSpeedUpResendsTheSameSwapAtItsNonceWithBumpedFees() async throws {
        let send = try await SwapSendScene.start()
        let executor = try send.executor()
        _ = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: try await send.quoteV3(usdcIn: Self.amountIn)),
                                       patience: send.mining)
        let snapshot = try await send.node.snapshot()
        let quote = try await send.quoteV3(usdcIn: Self.amountIn)
        let result = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: quote),
                                                patience: SwapSendScene.once)
        // An automining node has no mempool to hold a transaction waiting: a reorg puts the swap back to unmined.
        try await send.node.revert(to: snapshot)
        try await executor.reconcile()
        let faster = try await executor.speedUp(nonce: result.nonce)
        #expect(faster.hash != result.hash)
        let watch = TransactionWatch(client: send.client)
        guard case .mined(let receipt, _) = try await watch.state(of: faster.hash) else { Issue.record("not mined"); return }
        let fill = try #require(try SwapFill.decode(address: send.pool500, topics: receipt.logs.first { $0.address == send.pool500 }!.topics,
                                                    data: receipt.logs.first { $0.address == send.pool500 }!.data))
        #expect(fill.amountOut == quote)
        let attempts = await executor.nonces.attempts(at: result.nonce)
        #expect(attempts.count == 2 && attempts[1].purpose == .speedUp)
        #expect(attempts[1].maxFeePerGas >= Replacement.bumped(attempts[0].maxFeePerGas))
        #expect(attempts[1].maxPriorityFeePerGas >= Replacement.bumped(attempts[0].maxPriorityFeePerGas))
        // Once it is mined, nothing of ours is pending at that nonce.
        try await executor.reconcile()
        do {
            _ = try await executor.speedUp(nonce: result.nonce)
            Issue.record("a mined nonce was sped up")
        } catch {
            #expect(error == .nothingPending(nonce: result.nonce))
        }
    }

    /// Two swaps of one wallet waiting behind a congested builder (the first held, the second queued behind its
    /// nonce); the first is sped up, and both land. Whichever wait ends first, the other still finds its transaction:
    /// a wait never forgets a replacement once the book has moved its nonce aside (a later nonce of ours mined).
    @Test func twoSwapsWaitingOneSpedUpBothFillWhicheverWaitEndsFirst() async throws {
        let send = try await SwapSendScene.start()
        let relay = try PrivateRelay(.holdSwaps(nodeURL: send.node.rpcURL, contracts: [send.swapRouter.checksummed]))
        defer { relay.stop() }
        let executor = try send.executor(SubmissionConfig(privateURL: relay.url))
        // The approval (and a first swap) go through while the builder is not holding.
        relay.holding = false
        _ = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: try await send.quoteV3(usdcIn: Self.amountIn)),
                                       patience: send.mining)
        relay.holding = true
        let patience = SwapExecutor.Patience(confirmations: 1, polls: 2_000, pause: { try? await Task.sleep(for: .milliseconds(10)) })
        let amount = Self.amountIn / 4
        let planA = try send.v3Plan(usdcIn: amount, quotedOut: try await send.quoteV3(usdcIn: amount), slippageBasisPoints: 500)
        let planB = try send.v3Plan(usdcIn: amount, quotedOut: try await send.quoteV3(usdcIn: amount), slippageBasisPoints: 500)
        let first = Task { try await executor.execute(planA, patience: patience) }
        // Held by the relay, and recorded as sent by the executor (once the relay's answer is back).
        while relay.heldNow == nil { try await Task.sleep(for: .milliseconds(10)) }
        while await executor.nonces.pending.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let heldNonce = try #require(await executor.nonces.pending.keys.max())
        let second = Task { try await executor.execute(planB, patience: patience) }
        while await executor.nonces.pending.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        // The speed-up goes, and the second swap queued behind it after (not held again).
        relay.holding = false
        let faster = try await executor.speedUp(nonce: heldNonce)
        #expect(faster.sent.purpose == .speedUp)
        let a: SwapResult, b: SwapResult
        do { a = try await first.value } catch {
            Issue.record("first: \(error); held \(relay.held), faster \(Hex.encode(faster.hash)), requests \(relay.requests.count)")
            return
        }
        do { b = try await second.value } catch {
            Issue.record("second: \(error); held \(relay.held), faster \(Hex.encode(faster.hash)), a \(Hex.encode(a.hash))")
            return
        }
        guard case .filled = a.outcome, case .filled = b.outcome else {
            Issue.record("both swaps fill: \(a.outcome), \(b.outcome)")
            return
        }
        #expect(a.hash == faster.hash, "the first swap landed as its speed-up")
        #expect(relay.held.contains(Hex.encode(a.hash)) == false)
    }

    @Test func aNonceLostOnTheWayIsAGapThatReconcileRepairs() async throws {
        let send = try await SwapSendScene.start()
        // The relay loses the first transaction it is given (the approval) and forwards the rest.
        let relay = try PrivateRelay(.loseFirst(nodeURL: send.node.rpcURL))
        defer { relay.stop() }
        let executor = try send.executor(SubmissionConfig(privateURL: relay.url))
        let quote = try await send.quoteV3(usdcIn: Self.amountIn)
        do {
            _ = try await executor.execute(try send.v3Plan(usdcIn: Self.amountIn, quotedOut: quote),
                                           patience: SwapExecutor.Patience(confirmations: 1, polls: 2, pause: {}))
            Issue.record("a lost approval was confirmed")
        } catch {
            guard case SwapError.approvalFailed = error else { Issue.record("\(error)"); return }
        }
        // Nonce 0 is ours, signed, and unknown to the node. Sending nonce 1 finds the gap.
        #expect(try await send.nonce("pending") == 0)
        let transfer = try ERC20Call.transfer(to: send.trader.address, amount: 1)
        do {
            _ = try await executor.send(EthereumTransaction(kind: .eip1559, chainId: 31337, nonce: 1, maxPriorityFeePerGas: 1_000_000_000,
                                                            maxFeePerGas: 10_000_000_000, gasLimit: 60_000,
                                                            to: send.usdc, data: transfer),
                                        purpose: .original, latestBlock: 0)
            Issue.record("a nonce past a gap was accepted")
        } catch {
            guard case .submission(.refused(_, .nonceTooHigh)) = error else { Issue.record("\(error)"); return }
        }
        let repaired = try await executor.reconcile()
        #expect(repaired.repaired.count == 2)
        #expect(try await send.nonce() == 2)
    }
}
