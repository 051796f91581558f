import BigInt
import DexterCore
import DexterCrypto
import DexterDetect
import DexterEngine
import DexterEVM
import DexterMarket
import DexterVenues
import Foundation
import Synchronization

/// The EVM connector's costs (issue 16), on the local py-evm node of ../shared/evm (scripts/evm-node.sh: Uniswap V3
/// from mainnet bytecode, our Vyper V2), which this benchmark starts and stops. It needs .venv-evm
/// (scripts/evm-venv.sh, run once).
///
/// 1. a new block → the pools updated from its logs → the opportunity detected, with the poll of `EVMMarketFeed`
///    (its `PoolFollower` and its pool → market conversion) timed part by part, while swaps on our V2 pair move it
///    against Uniswap V3's 0.05 % USDC/WETH pool; the baseline in the same run feeds the same pool states to the same
///    detection directly, no RPC;
/// 2. an exact-input quote crossing ≥ 10 initialized ticks: dexter's (`V3PoolState.quoteExactInput`) against
///    QuoterV2's by `eth_call` on the same block, both amounts checked equal to the wei;
/// 3. swap calldata → EIP-1559 transaction → signed raw bytes, no network (branch evm-send's SwapExecutor was not
///    merged when this was written: RouterV2/V3 calldata with DexterCrypto's ABI and EthereumTransaction signing).
enum EVMBenchmark {
    static let pair = Symbol(base: "ETH", quote: "USDC")
    static let usdcUnit = BigUInt(10).power(6)
    static let wethUnit = BigUInt(10).power(18)

    static func run(arguments: [String]) async throws {
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        let pollMs = option("--poll-ms", 200), moves = option("--moves", 100)
        print("evm: local py-evm node (scripts/evm-node.sh), Uniswap V3 0.05 % USDC/WETH (mainnet bytecode) and our V2 pair")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, load average at the start "
              + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
                 .joined(separator: " ") ?? "unknown"))
        let node = try await BenchEVMNode()
        defer { node.stop() }
        let chain = try await blockToOpportunity(node, pollInterval: .milliseconds(pollMs), moves: moves)
        let quote = try await tickCrossingQuote(node)
        let signing = try signing(node)

        print("")
        print("1. block → pools updated → opportunity (µs; \(chain.moves) swaps on the V2 pair, alternately 60,000 USDC in "
              + "and 40 WETH in, each at a random moment of the poll; poll interval \(pollMs) ms)")
        print("   part                                             samples   p50      p99      p99.9")
        row("receipt returned → the poll that sees it starts", chain.wait)
        row("poll: header + eth_getLogs + apply + to markets", chain.fetchApply)
        row("detection: post, drain, pipeline.apply", chain.detection)
        row("total: receipt returned → detection done", chain.total)
        row("baseline, no RPC: same states → detection", chain.baseline)
        row("(mover: tx hash returned → receipt returned)", chain.receipt)
        row("(tx hash returned, block mined → detection)", chain.fromMined)
        print(String(format: "   ratio total over the baseline: ×%.0f p50, ×%.0f p99; detection in the live run over the baseline: "
                     + "×%.2f p50, ×%.2f p99", chain.total.p(0.5) / chain.baseline.p(0.5),
                     chain.total.p(0.99) / chain.baseline.p(0.99), chain.detection.p(0.5) / chain.baseline.p(0.5),
                     chain.detection.p(0.99) / chain.baseline.p(0.99)))
        print("   moves with an opportunity upserted: \(chain.upserted) of \(chain.moves); moves detected before their "
              + "receipt returned (not in the rows): \(chain.early); full re-reads: \(chain.rereads)")
        print("")
        print("2. exact-input quote crossing \(quote.ticksCrossed) initialized ticks (QuoterV2 counts \(quote.quoterTicks)); "
              + "\(quote.amountIn) wei WETH in → \(quote.amountOut) USDC units out")
        row("dexter: V3PoolState.quoteExactInput", quote.dexter)
        row("dexter: ConcentratedPool.swap (pool built once)", quote.swapOnly)
        row("QuoterV2.quoteExactInputSingle by eth_call", quote.chain)
        print(String(format: "   ratio eth_call over dexter: ×%.0f p50, ×%.0f p99", quote.chain.p(0.5) / quote.dexter.p(0.5),
                     quote.chain.p(0.99) / quote.dexter.p(0.99)))
        print("   equal to the wei: amount out \(quote.amountOut) both; sqrtPriceX96 after \(quote.sqrtPriceAfter) both "
              + "(\(quote.checkedAmounts) amounts checked at block \(quote.block))")
        print("")
        print("3. swap → signed raw transaction, no network (µs; SwapExecutor of evm-send is not in main: calldata by "
              + "DexterCrypto's ABI, EthereumTransaction signing)")
        row("V3 SwapRouter.exactInputSingle calldata", signing.v3Calldata)
        row("V2 router swapExactTokensForTokens calldata", signing.v2Calldata)
        row("EIP-1559 tx → RLP → keccak → secp256k1 → raw", signing.sign)
        row("total: V3 calldata → signed raw bytes", signing.total)
        row("baseline: secp256k1 signature of a hash alone", signing.signatureOnly)
        print(String(format: "   ratio total over the signature alone: ×%.2f p50, ×%.2f p99; %d raw bytes; every signature "
                     + "recovers the signer", signing.total.p(0.5) / signing.signatureOnly.p(0.5),
                     signing.total.p(0.99) / signing.signatureOnly.p(0.99), signing.rawBytes) + " (\(signing.signer))")
    }

    static func row(_ name: String, _ samples: Samples) {
        BinanceBenchmark.row(name, samples)
    }

    // MARK: 1. Block → pools → opportunity

    struct ChainRun {
        var wait = Samples(), fetchApply = Samples(), detection = Samples(), total = Samples(), baseline = Samples()
        /// eth_sendTransaction returned → its receipt returned; eth_sendTransaction returned → detection done.
        var receipt = Samples(), fromMined = Samples()
        var moves = 0, upserted = 0, early = 0, rereads = 0
    }

    /// The swap in flight: the block it was mined in and when its receipt came back (monotonic ns).
    struct Move: Sendable {
        let block: UInt64
        /// When eth_sendTransaction returned: the node had mined the block.
        let minedAt: UInt64
        let at: UInt64
    }

    /// The mover's swap in flight and how many moves the poll has seen, shared by the mover and the poll loop.
    final class MoveBoard: Sendable {
        let pending = Mutex<Move?>(nil)
        let done = Mutex(0)
    }

    static func feed(_ node: BenchEVMNode, pollInterval: Duration) throws -> EVMMarketFeed {
        let chain = EVMChainSettings(chain: "local", chainId: BenchEVMNode.chainId, gasToken: "ETH", rpcURLs: [node.rpcURL],
                                     confirmations: 0, pollInterval: pollInterval,
                                     tokens: ["ETH": try node.token("WETH"), "USDC": try node.token("USDC")])
        func venue(_ name: String) -> VenueSpec {
            VenueSpec(id: VenueId(name), kind: .dex(chain: "local"), takerFee: .zero, stalenessBound: .seconds(600))
        }
        let v3 = DexDeployment(protocolKind: .uniswapV3, factory: try node.contract("UniswapV3Factory"),
                               router: try node.contract("SwapRouter"), quoter: try node.contract("QuoterV2"),
                               initCodeHash: UniswapV3Deployment.uniswapPoolInitCodeHash)
        let v2 = DexDeployment(protocolKind: .uniswapV2, factory: try node.contract("UniswapV2Factory"),
                               router: try node.contract("UniswapV2Router"), feeBps: 30)
        return try EVMMarketFeed(chain: chain, pools: [
            .init(venue: venue("uni-v3"), dexName: "uniswap-v3", deployment: v3, symbol: pair, feePips: 500, gasUnits: 130_000),
            .init(venue: venue("v2"), dexName: "v2", deployment: v2, symbol: pair, feePips: nil, gasUnits: 110_000),
        ])
    }

    /// The feed's poll loop (EVMMarketFeed.follow) run here, so its parts can be timed: sleep the poll interval, poll
    /// the follower, turn its states into markets, post them; then the engine's side: drain, apply, detect. A mover
    /// task swaps on the V2 pair one move at a time, each at a random moment of the poll interval.
    static func blockToOpportunity(_ node: BenchEVMNode, pollInterval: Duration, moves: Int) async throws -> ChainRun {
        let weth = try node.token("WETH"), usdc = try node.token("USDC"), router = try node.contract("UniswapV2Router")
        try await node.send(to: weth, "deposit", [], value: 400 * wethUnit)
        try await node.approve(usdc, router)
        try await node.approve(weth, router)

        let feed = try feed(node, pollInterval: pollInterval)
        let instruments = try await feed.instruments()
        let gas = try await feed.currentGas()
        var follower = try feed.newFollower()
        try await follower.start()
        let clock = WallClock()
        var inventory = Inventory()
        inventory.credit("ETH", FixedDecimal(20), at: .wallet("local"))
        inventory.credit("USDC", FixedDecimal(100_000), at: .wallet("local"))
        let policy = DetectionPolicy(maxNotionalUSD: FixedDecimal(25_000))
        let start = clock.now()
        let opening = try feed.markets(from: follower, at: start)
        let keys = instruments.map(\.market.key)
        let markets = keys.compactMap { opening[$0]?.market }
        var pipeline = MarketPipeline(markets: markets, gas: gas, policy: policy, inventory: inventory, start: start)
        let inbox = VenueInbox()

        let board = MoveBoard()
        let intervalNs = UInt64(pollInterval.components.seconds) * 1_000_000_000
            + UInt64(pollInterval.components.attoseconds / 1_000_000_000)
        let mover = Task {
            for index in 0..<moves {
                // The next move once the last was detected, at a random moment of the poll interval.
                while board.done.withLock({ $0 }) < index { try await Task.sleep(for: .milliseconds(1)) }
                try await Task.sleep(for: .nanoseconds(UInt64.random(in: 0..<intervalNs)))
                let sent: (block: UInt64, minedAt: UInt64)
                if index % 2 == 0 {
                    sent = try await node.swapV2(usdc, weth, amountIn: 60_000 * usdcUnit)
                } else {
                    sent = try await node.swapV2(weth, usdc, amountIn: 40 * wethUnit)
                }
                let at = monotonicNanoseconds()
                board.pending.withLock { $0 = Move(block: sent.block, minedAt: sent.minedAt, at: at) }
            }
        }
        var run = ChainRun()
        var recorded: [[MarketEvent]] = []
        /// Each block the poll brought in: when that poll started, its markets were posted, detection was done.
        var seen: [UInt64: (polled: UInt64, applied: UInt64, detected: UInt64, upserted: Bool)] = [:]
        let deadline = monotonicNanoseconds() + UInt64(moves) * (intervalNs + 3_000_000_000) + 60_000_000_000
        while board.done.withLock({ $0 }) < moves {
            guard monotonicNanoseconds() < deadline else {
                mover.cancel()
                _ = try? await mover.value
                throw BenchError("evm: only \(board.done.withLock { $0 }) of \(moves) moves were seen by the poll in time")
            }
            try await Task.sleep(for: pollInterval)
            let polled = monotonicNanoseconds()
            let progress = try await follower.poll()
            let blocks: ClosedRange<UInt64>?
            switch progress {
            case .unchanged: blocks = nil
            case .applied(let applied, _): blocks = applied
            case .reread(let block, _):
                run.rereads += 1
                blocks = block...block
            }
            if let blocks {
                let now = clock.now()
                let read = try feed.markets(from: follower, at: now)
                let events: [MarketEvent] = keys.compactMap { key in
                    read[key].map { .liquidity(key, $0.market.liquidity, venueTime: now, receivedAt: now) }
                }
                let applied = monotonicNanoseconds()
                inbox.post(contentsOf: events)
                let changes = pipeline.apply(inbox.drain().market, at: now)
                let detected = monotonicNanoseconds()
                recorded.append(events)
                for block in blocks { seen[block] = (polled, applied, detected, !changes.upserted.isEmpty) }
            }
            // The move in flight, once its block was brought in (possibly by a poll before its receipt returned).
            guard let move = board.pending.withLock({ $0 }), let poll = seen[move.block] else { continue }
            board.pending.withLock { $0 = nil }
            board.done.withLock { $0 += 1 }
            run.moves += 1
            if poll.upserted { run.upserted += 1 }
            run.receipt.add(Int64(move.at - move.minedAt))
            run.fromMined.add(Int64(poll.detected) - Int64(move.minedAt))
            // Detection done before the receipt was back: the desk knew first; no latency from the receipt to count.
            guard poll.detected > move.at else {
                run.early += 1
                continue
            }
            let from = max(poll.polled, move.at)
            run.wait.add(Int64(from - move.at))
            run.fetchApply.add(Int64(max(poll.applied, from) - from))
            run.detection.add(Int64(poll.detected - max(poll.applied, from)))
            run.total.add(Int64(poll.detected - move.at))
        }
        try await mover.value

        // The baseline: the same states, in the same order, fed to the same detection from memory, 20 times over
        // after a first pass that warms it up.
        var baseline = MarketPipeline(markets: markets, gas: gas, policy: policy, inventory: inventory, start: start)
        for pass in 0...20 {
            for events in recorded {
                let now = clock.now()
                let t0 = monotonicNanoseconds()
                inbox.post(contentsOf: events)
                _ = baseline.apply(inbox.drain().market, at: now)
                if pass > 0 { run.baseline.add(Int64(monotonicNanoseconds() - t0)) }
            }
        }
        return run
    }

    // MARK: 2. A quote crossing ten ticks

    struct QuoteRun {
        var dexter = Samples(), swapOnly = Samples(), chain = Samples()
        var amountIn: BigUInt = 0, amountOut: BigUInt = 0, sqrtPriceAfter: BigUInt = 0
        var ticksCrossed = 0, quoterTicks = 0, checkedAmounts = 0
        var block: UInt64 = 0
    }

    /// Ten narrow positions stacked just above the 0.05 % pool's price (eleven initialized ticks, 20 apart), then a
    /// WETH-in quote large enough to cross at least ten of them, dexter's and QuoterV2's.
    static func tickCrossingQuote(_ node: BenchEVMNode) async throws -> QuoteRun {
        let weth = EVMToken("WETH", try node.token("WETH")), usdc = EVMToken("USDC", try node.token("USDC"))
        let quoter = try node.contract("QuoterV2")
        let reader = V3PoolReader(client: node.client, dex: UniswapV3Deployment(
            name: "uniswap-v3", factory: try node.contract("UniswapV3Factory"), quoter: quoter))
        let before = try await reader.read(usdc, weth, fee: 500)
        guard before.token0.address == usdc.address else { throw BenchError("evm: USDC is not token0 of the 0.05 % pool") }
        let manager = try node.contract("NonfungiblePositionManager")
        try await node.approve(usdc.address, manager)
        try await node.approve(weth.address, manager)
        let base = (before.tick / before.tickSpacing + 1) * before.tickSpacing
        for index in 0..<10 {
            // Above the price a position holds token0 (USDC) alone.
            try await node.mint(token0: usdc.address, token1: weth.address, fee: 500, tickLower: base + 20 * index,
                                tickUpper: base + 20 * index + 20, amount0: 20_000 * usdcUnit, amount1: 0)
        }
        let state = try await reader.read(usdc, weth, fee: 500)
        var run = QuoteRun(block: state.block)
        var amount = wethUnit
        var quote = try state.quoteExactInput(amount, tokenIn: weth.address)
        while quote.ticksCrossed < 10 {
            amount *= 2
            quote = try state.quoteExactInput(amount, tokenIn: weth.address)
        }
        func call(_ amountIn: BigUInt) throws -> ContractCall {
            try ContractCall(quoter, "quoteExactInputSingle", [(
                .tuple([.address, .address, .uint(bits: 256), .uint(bits: 24), .uint(bits: 160)]),
                .tuple([.address(weth.address), .address(usdc.address), .uint(amountIn), .uint(500), .uint(0)]))],
                returns: [.uint(bits: 256), .uint(bits: 160), .uint(bits: 32), .uint(bits: 256)])
        }
        // Equal to the wei, for the timed amount and a spread of others, on the block the state was read at.
        for amountIn in [amount, amount / 3, amount / 7 + 1, amount * 3 / 4, wethUnit / 1000] {
            let ours = try state.quoteExactInput(amountIn, tokenIn: weth.address)
            let theirs = try await node.client.read([try call(amountIn)], at: state.block)[0]
            guard uint(theirs[0]) == ours.amountOut, uint(theirs[1]) == ours.sqrtPriceX96After else {
                throw BenchError("evm: quote parity failed for \(amountIn) wei WETH in: dexter \(ours.amountOut) "
                                 + "(sqrtPriceX96 \(ours.sqrtPriceX96After)), QuoterV2 \(theirs[0]) (\(theirs[1]))")
            }
            if amountIn == amount, case .uint(let ticks) = theirs[2] { run.quoterTicks = Int(ticks) }
            run.checkedAmounts += 1
        }
        run.amountIn = amount
        run.amountOut = quote.amountOut
        run.sqrtPriceAfter = quote.sqrtPriceX96After
        run.ticksCrossed = quote.ticksCrossed

        let pool = state.pool
        for index in 0..<2_200 {
            let t0 = monotonicNanoseconds()
            let ours = try state.quoteExactInput(amount, tokenIn: weth.address)
            let t1 = monotonicNanoseconds()
            let swapped = try pool.swap(zeroForOne: false, amountSpecified: BigInt(amount))
            let t2 = monotonicNanoseconds()
            guard ours.amountOut == quote.amountOut, swapped.amount0.magnitude == quote.amountOut else {
                throw BenchError("evm: the quote changed between runs")
            }
            if index >= 200 {
                run.dexter.add(Int64(t1 - t0))
                run.swapOnly.add(Int64(t2 - t1))
            }
        }
        let quoterCall = try call(amount)
        for index in 0..<330 {
            let t0 = monotonicNanoseconds()
            let theirs = try await node.client.read([quoterCall], at: state.block)[0]
            let t1 = monotonicNanoseconds()
            guard uint(theirs[0]) == quote.amountOut else { throw BenchError("evm: QuoterV2 changed its answer") }
            if index >= 30 { run.chain.add(Int64(t1 - t0)) }
        }
        return run
    }

    static func uint(_ value: ABIValue) -> BigUInt? {
        if case .uint(let number) = value { return number }
        return nil
    }

    // MARK: 3. Swap → signed bytes

    struct SigningRun {
        var v3Calldata = Samples(), v2Calldata = Samples(), sign = Samples(), total = Samples(), signatureOnly = Samples()
        var rawBytes = 0
        var signer = ""
    }

    /// The deployer's well-known dev key (the node's first account), signing transactions no one sends.
    static let devKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    static func signing(_ node: BenchEVMNode) throws -> SigningRun {
        let key = try EthereumPrivateKey(bytes: try Hex.decode(devKey))
        guard key.address == node.deployer else { throw BenchError("evm: the dev key is not the deployer's") }
        let weth = try node.token("WETH"), usdc = try node.token("USDC")
        let swapRouter = try node.contract("SwapRouter")
        var run = SigningRun(signer: key.address.checksummed)
        for index in 0..<22_000 {
            let amountIn = wethUnit + BigUInt(index)
            let t0 = monotonicNanoseconds()
            let v3 = try ABI.call("exactInputSingle", [
                .tuple([.address, .address, .uint(bits: 24), .address, .uint(bits: 256), .uint(bits: 256), .uint(bits: 256),
                        .uint(bits: 160)])], [
                .tuple([.address(weth), .address(usdc), .uint(500), .address(key.address), BenchEVMNode.deadline,
                        .uint(amountIn), .uint(2_900 * usdcUnit), .uint(0)])])
            let t1 = monotonicNanoseconds()
            let transaction = EthereumTransaction(
                kind: .eip1559, chainId: BigUInt(BenchEVMNode.chainId), nonce: BigUInt(index), maxPriorityFeePerGas: 1_000_000_000,
                maxFeePerGas: 40_000_000_000, gasLimit: 200_000, to: swapRouter, data: v3)
            let (signature, raw) = try transaction.sign(with: key)
            let t2 = monotonicNanoseconds()
            let v2 = try ABI.call("swapExactTokensForTokens", [
                .uint(bits: 256), .uint(bits: 256), .array(.address, count: nil), .address, .uint(bits: 256)], [
                .uint(amountIn), .uint(2_900 * usdcUnit), .array([.address(weth), .address(usdc)]), .address(key.address),
                BenchEVMNode.deadline])
            let t3 = monotonicNanoseconds()
            let hash = transaction.signingHash
            let t4 = monotonicNanoseconds()
            _ = try key.sign(hash: hash)
            let t5 = monotonicNanoseconds()
            if index % 1000 == 0 {
                let recovered = EthereumAddress(publicKey: try Secp256k1.recover(hash: hash, signature: signature))
                guard recovered == key.address, raw.first == 0x02, !v2.isEmpty else {
                    throw BenchError("evm: transaction \(index) does not recover its signer")
                }
                run.rawBytes = raw.count
            }
            guard index >= 2_000 else { continue }
            run.v3Calldata.add(Int64(t1 - t0))
            run.sign.add(Int64(t2 - t1))
            run.total.add(Int64(t2 - t0))
            run.v2Calldata.add(Int64(t3 - t2))
            run.signatureOnly.add(Int64(t5 - t4))
        }
        return run
    }
}
