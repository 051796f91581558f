import BigInt
import DexterCrypto
import DexterMarket

/// A Uniswap V3 pool as read from the chain at `block`: slot0's price and tick, the active liquidity, and every
/// initialized tick inside the tickBitmap words read. Outside those words the state knows nothing, so a quote that
/// would reach past them is refused rather than priced on missing liquidity.
public struct V3PoolState: Sendable, Hashable {
    /// What `ticks(i)` holds that the swap math needs.
    public struct TickLiquidity: Sendable, Hashable {
        public var gross: BigUInt
        public var net: BigInt

        public init(gross: BigUInt, net: BigInt) {
            self.gross = gross
            self.net = net
        }
    }

    public let dex: String
    public let address: EthereumAddress
    public let token0: EVMToken
    public let token1: EVMToken
    public let decimals0: Int
    public let decimals1: Int
    /// In hundredths of a basis point: 500 = 0.05 %.
    public let fee: Int
    public let tickSpacing: Int
    public internal(set) var sqrtPriceX96: BigUInt
    public internal(set) var tick: Int
    public internal(set) var liquidity: BigUInt
    /// Initialized ticks inside `words`, by tick.
    public internal(set) var ticks: [Int: TickLiquidity]
    /// The tickBitmap words read (word = compressed tick >> 8), both ends included.
    public let words: ClosedRange<Int>
    public internal(set) var block: UInt64

    public var name: String { "\(dex) \(token0.symbol)/\(token1.symbol) \(FeeTier.percent(fee))" }

    /// Whether `tick`'s bitmap word was read.
    public func covers(tick: Int) -> Bool { words.contains(Self.word(ofTick: tick, spacing: tickSpacing)) }

    /// DexterMarket's exact pool, token0 as its base.
    public var pool: ConcentratedPool {
        ConcentratedPool(sqrtPriceX96: sqrtPriceX96, tick: tick, liquidity: liquidity,
                         ticks: ticks.sorted { $0.key < $1.key }.map { InitializedTick(tick: $0.key, liquidityNet: $0.value.net) },
                         tickSpacing: tickSpacing, feePips: fee, baseDecimals: decimals0, quoteDecimals: decimals1)
    }

    /// An exact-input swap priced from this state: what it pays out and where it leaves the price.
    public struct Quote: Sendable, Hashable {
        public let amountOut: BigUInt
        public let sqrtPriceX96After: BigUInt
        public let tickAfter: Int
        public let ticksCrossed: Int
    }

    /// Why this state cannot price a swap.
    public enum QuoteRefusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// The pool's math refuses it, as the contract would revert.
        case poolMath(String)
        /// The pool cannot take all of the input before its price range ends.
        case partialFill(used: BigUInt)
        /// The swap would move the price into tickBitmap words that were not read.
        case beyondTicksRead(tickAfter: Int, words: ClosedRange<Int>)

        public var description: String {
            switch self {
            case .poolMath(let why): "the pool refuses the swap: \(why)"
            case .partialFill(let used): "the pool takes only \(used) of the input"
            case .beyondTicksRead(let tick, let words):
                "the price would reach tick \(tick), past the bitmap words read (\(words.lowerBound)…\(words.upperBound))"
            }
        }
    }

    /// Exactly `amountIn` of `tokenIn` swapped in (QuoterV2 `quoteExactInputSingle` with no price limit).
    public func quoteExactInput(_ amountIn: BigUInt, tokenIn: EthereumAddress) throws(QuoteRefusal) -> Quote {
        let zeroForOne = tokenIn == token0.address
        let outcome: ConcentratedPool.SwapOutcome
        do {
            outcome = try pool.swap(zeroForOne: zeroForOne, amountSpecified: BigInt(amountIn))
        } catch {
            throw .poolMath("\(error)")
        }
        let used = zeroForOne ? outcome.amount0 : outcome.amount1
        guard used == BigInt(amountIn) else { throw .partialFill(used: used.magnitude) }
        guard covers(tick: outcome.pool.tick) else { throw .beyondTicksRead(tickAfter: outcome.pool.tick, words: words) }
        let out = zeroForOne ? outcome.amount1 : outcome.amount0
        return Quote(amountOut: out.magnitude, sqrtPriceX96After: outcome.pool.sqrtPriceX96, tickAfter: outcome.pool.tick,
                     ticksCrossed: outcome.ticksCrossed)
    }

    // MARK: The bitmap's geometry (TickBitmap.sol)

    /// tick / spacing rounded toward negative infinity, as `nextInitializedTickWithinOneWord` compresses.
    public static func compressed(_ tick: Int, spacing: Int) -> Int {
        tick / spacing - (tick < 0 && tick % spacing != 0 ? 1 : 0)
    }

    public static func word(ofTick tick: Int, spacing: Int) -> Int { compressed(tick, spacing: spacing) >> 8 }

    /// The words `eachSide` around `tick`'s, kept inside the words any valid tick can fall in.
    public static func words(around tick: Int, spacing: Int, eachSide: Int) -> ClosedRange<Int> {
        let center = word(ofTick: tick, spacing: spacing)
        let lowest = word(ofTick: TickMath.minTick, spacing: spacing)
        let highest = word(ofTick: TickMath.maxTick, spacing: spacing)
        return max(lowest, center - eachSide)...min(highest, center + eachSide)
    }

    /// The initialized ticks a bitmap word marks.
    public static func ticks(inWord word: Int, bitmap: BigUInt, spacing: Int) -> [Int] {
        (0..<256).filter { bitmap.bit(at: $0) }.map { (word * 256 + $0) * spacing }
    }
}

extension BigUInt {
    func bit(at index: Int) -> Bool { (self >> index) & 1 == 1 }
}
