import DexterCore
import DexterCrypto
import DexterDetect
import DexterEngine
import DexterMarket
import DexterSolana
import DexterVenues
import Foundation

/// The Solana pool feed's costs, no network (issue 17):
///
/// 1. an account update → pool state → opportunity: the 65 recorded states of the vectors' Whirlpool ts64_fee3000
///    (../shared/vectors/solana/whirlpool_swaps.json: the pool account before each swap, its two mints, the five tick
///    arrays around the price) decoded through SolanaPoolFeed's own path into the desk's market, posted, drained and
///    detected against an exchange's book of the same pair; the baseline in the same run decodes the accounts alone;
/// 2. a v0 swap transaction built and signed: compute-unit limit and price and three SPL token transfers in a
///    SolanaMessageV0, serialized and signed by a SolanaKeypair; the baseline is the Ed25519 signature of the same
///    message alone.
enum SolanaBenchmark {
    static let symbol = Symbol(base: "SOL", quote: "USDC")

    static func run() throws {
        let root = ProcessInfo.processInfo.environment["DEXTER_VECTORS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/vectors").path
        let path = root + "/solana/whirlpool_swaps.json"
        guard FileManager.default.fileExists(atPath: path) else {
            print("solana: skipped, \(path) not found (set DEXTER_VECTORS to shared/vectors)")
            return
        }
        let updates = try WhirlpoolUpdates(path: path, pool: "ts64_fee3000")
        let chain = try accountUpdateToOpportunity(updates, rounds: 200)
        let signing = try buildAndSign(samples: 20_000)

        print("solana: no network; \(ProcessInfo.processInfo.activeProcessorCount) cores, load average at the start "
              + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
                 .joined(separator: " ") ?? "unknown"))
        print("   \(updates.states.count) recorded states of Whirlpool ts64_fee3000 (../shared/vectors)")
        print("1. account update → pool state → opportunity (µs per update; \(chain.updates) updates, an exchange's "
              + "book of the pair beside it)")
        print("   part                                             samples   p50      p99      p99.9")
        BinanceBenchmark.row("baseline: decode pool + 2 mints + 5 tick arrays", chain.decode)
        BinanceBenchmark.row("accounts → desk Market (SolanaPoolFeed.market)", chain.toMarket)
        BinanceBenchmark.row("detection: post, drain, pipeline.apply", chain.detection)
        BinanceBenchmark.row("total: account bytes → detection done", chain.total)
        print(String(format: "   ratio total over the decode alone: ×%.1f p50, ×%.1f p99; updates with an opportunity "
                     + "upserted: %d of %d", chain.total.p(0.5) / chain.decode.p(0.5),
                     chain.total.p(0.99) / chain.decode.p(0.99), chain.upserted, chain.updates))
        print("2. build + sign a v0 swap transaction (µs; 2 compute-budget instructions, 3 token transfers, "
              + "\(signing.bytes) wire bytes)")
        BinanceBenchmark.row("SolanaMessageV0 built and serialized", signing.build)
        BinanceBenchmark.row("total: built, serialized, signed", signing.total)
        BinanceBenchmark.row("baseline: Ed25519 signature of the message", signing.signature)
        print(String(format: "   ratio total over the signature alone: ×%.2f p50, ×%.2f p99",
                     signing.total.p(0.5) / signing.signature.p(0.5), signing.total.p(0.99) / signing.signature.p(0.99)))
    }

    // MARK: 1. Account update → opportunity

    /// The recorded pool accounts and the accounts around them, as the node would hand them to the feed.
    struct WhirlpoolUpdates {
        var pool: SolanaPoolFeed.WatchedPool
        /// Per state: the pool account, then the feed's dependents (mints, five tick arrays; nil where absent).
        var states: [(pool: SolanaAccount, dependents: [SolanaAccount?], addresses: [SolanaPublicKey])] = []

        init(path: String, pool name: String) throws {
            let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            guard let file, let images = file["tick_array_data"] as? [String: String],
                  let cases = (file["cases"] as? [[String: Any]])?.filter({ $0["pool"] as? String == name }),
                  let info = (file["pools"] as? [[String: Any]])?.first(where: { $0["name"] as? String == name }),
                  let mintB = info["token_mint_b"] as? String,
                  let decimalsA = info["decimals_a"] as? Int, let decimalsB = info["decimals_b"] as? Int
            else { throw BenchError("solana: \(path) does not hold pool \(name)") }
            var arrays: [Int: [UInt8]] = [:]
            for array in cases.flatMap({ $0["tick_arrays"] as? [[String: Any]] ?? [] }) {
                guard let start = array["start_tick_index"] as? Int, let hash = array["data_sha256"] as? String,
                      let bytes = images[hash].flatMap({ Data(base64Encoded: $0) }) else { continue }
                arrays[start] = [UInt8](bytes)
            }
            let owner = try SolanaPublicKey(base58: "whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc")
            let token = try SolanaPublicKey(base58: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
            func mint(_ decimals: Int) -> SolanaAccount {
                var bytes = [UInt8](repeating: 0, count: 82)
                (bytes[44], bytes[45]) = (UInt8(decimals), 1)
                return SolanaAccount(lamports: 1, owner: token, data: bytes)
            }
            let address = try SolanaPublicKey(base58: (cases.first?["whirlpool"] as? [String: Any])?["address"] as? String ?? "")
            pool = .init(venue: VenueSpec(id: "orca", kind: .dex(chain: "solana"), takerFee: .zero,
                                          stalenessBound: .seconds(3600)),
                         symbol: SolanaBenchmark.symbol, kind: .whirlpool, address: address,
                         baseMint: try SolanaPublicKey(base58: mintB))
            for vector in cases {
                guard let text = (vector["whirlpool"] as? [String: Any])?["data"] as? String,
                      let data = Data(base64Encoded: text) else { continue }
                let state = try WhirlpoolState(decoding: [UInt8](data))
                let starts = SolanaPoolFeed.tickArrayStarts(state)
                let addresses = try [state.tokenMintA, state.tokenMintB] + starts.map { start in
                    try SolanaPublicKey.findProgramAddress(seeds: [Array("tick_array".utf8), address.bytes,
                                                                   Array(String(start).utf8)], program: owner).address
                }
                let dependents = [mint(decimalsA), mint(decimalsB)]
                    + starts.map { start in arrays[start].map { SolanaAccount(lamports: 1, owner: owner, data: $0) } }
                states.append((SolanaAccount(lamports: 1, owner: owner, data: [UInt8](data)), dependents, addresses))
            }
        }
    }

    struct ChainRun {
        var decode = Samples(), toMarket = Samples(), detection = Samples(), total = Samples()
        var updates = 0, upserted = 0
    }

    static func accountUpdateToOpportunity(_ updates: WhirlpoolUpdates, rounds: Int) throws -> ChainRun {
        let clock = WallClock()
        let start = clock.now()
        let first = try SolanaPoolFeed.market(updates.pool, updates.states[0].pool, dependents: updates.states[0].dependents,
                                              addresses: updates.states[0].addresses, at: start)
        // An exchange's book at the pool's first mid: the recorded states move the pool's price around it.
        let mid = first.mid ?? 1
        let exchange = VenueSpec(id: "cex", kind: .exchange, takerFee: FixedDecimal(approximating: 0.001),
                                 stalenessBound: .seconds(3600))
        let levels = (1...10).map { Double($0) * mid / 10_000 }
        let book = OrderBook(bids: levels.map { BookLevel(price: FixedDecimal(approximating: mid - $0).rounded(digits: 4),
                                                          quantity: FixedDecimal(5)) },
                             asks: levels.map { BookLevel(price: FixedDecimal(approximating: mid + $0).rounded(digits: 4),
                                                          quantity: FixedDecimal(5)) })
        let cex = Market(venue: exchange, instrument: first.instrument, liquidity: .book(book), venueTime: start,
                         receivedAt: start)
        var inventory = Inventory()
        for account in [exchange.account, updates.pool.venue.account] {
            inventory.credit("SOL", FixedDecimal(1_000), at: account)
            inventory.credit("USDC", FixedDecimal(10_000_000), at: account)
        }
        let gas = [GasQuote(chain: "solana", token: "SOL", price: FixedDecimal(5_000), updatedAt: start)]
        var pipeline = MarketPipeline(markets: [first, cex], gas: gas,
                                      policy: DetectionPolicy(maxNotionalUSD: FixedDecimal(100_000)),
                                      inventory: inventory, start: start)
        let inbox = VenueInbox()
        var run = ChainRun()
        for round in 0..<rounds {
            for state in updates.states {
                let now = clock.now()
                let t0 = monotonicNanoseconds()
                let market = try SolanaPoolFeed.market(updates.pool, state.pool, dependents: state.dependents,
                                                       addresses: state.addresses, at: now)
                let t1 = monotonicNanoseconds()
                inbox.post(.liquidity(market.key, market.liquidity, venueTime: now, receivedAt: now))
                let changes = pipeline.apply(inbox.drain().market, at: now)
                let t2 = monotonicNanoseconds()
                // The baseline: the same accounts decoded, nothing made of them.
                _ = try WhirlpoolState(decoding: state.pool.data)
                for array in state.dependents.dropFirst(2) { if let array { _ = try WhirlpoolTickArray(decoding: array.data) } }
                for mint in state.dependents.prefix(2) { _ = try SPLMint(decoding: mint?.data ?? []) }
                let t3 = monotonicNanoseconds()
                guard round > 0 else { continue }  // the first round warms up
                run.toMarket.add(Int64(t1 - t0))
                run.detection.add(Int64(t2 - t1))
                run.total.add(Int64(t2 - t0))
                run.decode.add(Int64(t3 - t2))
                run.updates += 1
                if !changes.upserted.isEmpty { run.upserted += 1 }
            }
        }
        return run
    }

    // MARK: 2. Build and sign

    static func buildAndSign(samples: Int) throws -> (build: Samples, total: Samples, signature: Samples, bytes: Int) {
        let payer = try SolanaKeypair(seed: [UInt8](repeating: 7, count: 32))
        let accounts = (1...6).map { SolanaPublicKey(bytes: [UInt8](repeating: UInt8($0), count: 32)) }
        let blockhash = [UInt8](repeating: 9, count: 32)
        var build = Samples(), total = Samples(), signature = Samples()
        var bytes = 0
        for index in 0..<samples + 1_000 {
            let t0 = monotonicNanoseconds()
            let message = SolanaMessageV0(feePayer: payer.publicKey, recentBlockhash: blockhash, instructions: [
                SolanaPrograms.computeUnitLimit(200_000),
                SolanaPrograms.computeUnitPrice(microLamports: 10_000 + UInt64(index)),
            ] + (0..<3).map { leg in
                SolanaPrograms.tokenTransfer(source: accounts[2 * leg], destination: accounts[2 * leg + 1],
                                             owner: payer.publicKey, amount: 1_000_000 + UInt64(index))
            })
            let t1 = monotonicNanoseconds()
            let serialized = try message.serialized()
            let t2 = monotonicNanoseconds()
            // signed(by:) serializes the message itself: the total is the message made, then signed.
            let signed = try message.signed(by: [payer])
            let t3 = monotonicNanoseconds()
            _ = try payer.sign(serialized)
            let t4 = monotonicNanoseconds()
            bytes = signed.wire.count
            guard index >= 1_000 else { continue }  // warm-up
            build.add(Int64(t2 - t0))
            total.add(Int64((t1 - t0) + (t3 - t2)))
            signature.add(Int64(t4 - t3))
        }
        return (build, total, signature, bytes)
    }
}
