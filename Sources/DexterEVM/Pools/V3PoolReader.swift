import BigInt
import DexterCrypto
import DexterMarket

/// Reads V3 pools in four batches, every call at the same block: the factory's `getPool` (checked against CREATE2)
/// with the tokens' decimals; the pool's slot0, liquidity, fee, tickSpacing and tokens; the tickBitmap words around
/// the current tick; then `ticks(i)` of every initialized tick those words mark.
public struct V3PoolReader: Sendable {
    public let client: EVMRPCClient
    public let dex: UniswapV3Deployment
    /// Bitmap words read each side of the current tick's word (a word spans 256 × tickSpacing ticks).
    public let wordsEachSide: Int

    public init(client: EVMRPCClient, dex: UniswapV3Deployment, wordsEachSide: Int = 2) {
        precondition(wordsEachSide >= 0, "a count of words")
        self.client = client
        self.dex = dex
        self.wordsEachSide = wordsEachSide
    }

    /// The pool of `a` and `b` at fee tier `fee` (500 = 0.05 %), at `block` (the latest when nil), with the bitmap
    /// words `words` (by default `wordsEachSide` around the current tick's).
    public func read(_ a: EVMToken, _ b: EVMToken, fee: Int, at block: UInt64? = nil, words: ClosedRange<Int>? = nil)
        async throws(PoolReadError) -> V3PoolState {
        let (token0, token1) = EVMToken.sorted(a, b)
        let pair = "\(token0.symbol)/\(token1.symbol)"
        func disagrees(_ field: String, _ problem: String) -> PoolReadError {
            .poolDisagrees(dex: dex.name, pair: pair, fee: fee, field: field, problem: problem)
        }
        let at: UInt64, first: [[ABIValue]]
        do throws(EVMRPCError) {
            if let block { at = block } else { at = try await client.blockNumber() }
            first = try await client.read([
                try! ContractCall(dex.factory, "getPool", [(.address, .address(token0.address)),
                                                           (.address, .address(token1.address)),
                                                           (.uint(bits: 24), .uint(BigUInt(fee)))], returns: [.address]),
                try! ContractCall(token0.address, "decimals", returns: [.uint(bits: 8)]),
                try! ContractCall(token1.address, "decimals", returns: [.uint(bits: 8)]),
            ], at: at)
        } catch {
            throw .rpc(dex: dex.name, pair: pair, fee: fee, error)
        }
        guard let address = ABIRead.address(first[0][0]), address.bytes != [UInt8](repeating: 0, count: 20) else {
            throw .noPool(dex: dex.name, pair: pair, fee: fee)
        }
        let expected = Create2.v3Pool(factory: dex.poolDeployer, token0: token0.address, token1: token1.address, fee: fee,
                                      initCodeHash: dex.poolInitCodeHash)
        guard expected == address else {
            throw .addressMismatch(dex: dex.name, pair: pair, fee: fee, factory: address, create2: expected)
        }
        let decimals0 = Int(ABIRead.uint(first[1][0]) ?? 0), decimals1 = Int(ABIRead.uint(first[2][0]) ?? 0)

        let head: [[ABIValue]]
        do throws(EVMRPCError) {
            head = try await client.read([
                try! ContractCall(address, "slot0", returns: [.uint(bits: 160), .int(bits: 24), .uint(bits: 16),
                                                              .uint(bits: 16), .uint(bits: 16), .uint(bits: 8), .bool]),
                try! ContractCall(address, "liquidity", returns: [.uint(bits: 128)]),
                try! ContractCall(address, "fee", returns: [.uint(bits: 24)]),
                try! ContractCall(address, "tickSpacing", returns: [.int(bits: 24)]),
                try! ContractCall(address, "token0", returns: [.address]),
                try! ContractCall(address, "token1", returns: [.address]),
            ], at: at)
        } catch {
            throw .rpc(dex: dex.name, pair: pair, fee: fee, error)
        }
        guard let sqrtPrice = ABIRead.uint(head[0][0]), let tick = ABIRead.int(head[0][1]).map({ Int($0) }),
              let liquidity = ABIRead.uint(head[1][0]), let spacing = ABIRead.int(head[3][0]).map({ Int($0) }) else {
            throw disagrees("slot0", "not the types the contract returns")
        }
        guard ABIRead.uint(head[2][0]) == BigUInt(fee) else { throw disagrees("fee", "the pool charges \(head[2][0])") }
        guard ABIRead.address(head[4][0]) == token0.address, ABIRead.address(head[5][0]) == token1.address else {
            throw disagrees("token0/token1", "the pool at \(address) holds other tokens")
        }
        guard spacing > 0, sqrtPrice > 0, (TickMath.minTick...TickMath.maxTick).contains(tick) else {
            throw disagrees("slot0", "tick \(tick), spacing \(spacing), sqrtPriceX96 \(sqrtPrice): not an initialized pool")
        }

        let words = words ?? V3PoolState.words(around: tick, spacing: spacing, eachSide: wordsEachSide)
        let found: (ticks: [Int: V3PoolState.TickLiquidity], outside: Int?)
        do throws(EVMRPCError) {
            found = try await readTicks(address, words: words, spacing: spacing, at: at)
        } catch {
            throw .rpc(dex: dex.name, pair: pair, fee: fee, error)
        }
        if let outside = found.outside { throw disagrees("tickBitmap", "marks tick \(outside), outside the tick range") }
        let ticks = found.ticks
        return V3PoolState(dex: dex.name, address: address, token0: token0, token1: token1, decimals0: decimals0,
                           decimals1: decimals1, fee: fee, tickSpacing: spacing, sqrtPriceX96: sqrtPrice, tick: tick,
                           liquidity: liquidity, ticks: ticks, words: words, block: at)
    }

    /// The bitmap words, then `ticks(i)` for each bit set: the initialized ticks' gross and net liquidity, and a
    /// tick the bitmap marks outside the valid range, if any (not asked for: the answer is already wrong).
    private func readTicks(_ pool: EthereumAddress, words: ClosedRange<Int>, spacing: Int, at block: UInt64)
        async throws(EVMRPCError) -> (ticks: [Int: V3PoolState.TickLiquidity], outside: Int?) {
        let bitmaps = try await client.read(words.map {
            try! ContractCall(pool, "tickBitmap", [(.int(bits: 16), .int(BigInt($0)))], returns: [.uint(bits: 256)])
        }, at: block)
        let marked = zip(words, bitmaps).flatMap { word, values in
            V3PoolState.ticks(inWord: word, bitmap: ABIRead.uint(values[0]) ?? 0, spacing: spacing)
        }
        let valid = TickMath.minTick...TickMath.maxTick
        if let outside = marked.first(where: { !valid.contains($0) }) { return ([:], outside) }
        let infos = try await client.read(marked.map {
            try! ContractCall(pool, "ticks", [(.int(bits: 24), .int(BigInt($0)))],
                              returns: [.uint(bits: 128), .int(bits: 128), .uint(bits: 256), .uint(bits: 256),
                                        .int(bits: 56), .uint(bits: 160), .uint(bits: 32), .bool])
        }, at: block)
        var ticks: [Int: V3PoolState.TickLiquidity] = [:]
        for (tick, values) in zip(marked, infos) {
            ticks[tick] = V3PoolState.TickLiquidity(gross: ABIRead.uint(values[0]) ?? 0, net: ABIRead.int(values[1]) ?? 0)
        }
        return (ticks, nil)
    }
}
