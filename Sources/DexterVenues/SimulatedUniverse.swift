import BigInt
import DexterCore
import DexterMarket

/// Everything the embedded market is made of: assets and their price processes, venues with their books and
/// pools, chains with their gas. Built from config; deterministic for a seed.
public struct SimulatedUniverse: Sendable {
    public var seed: UInt64
    public var assets: [SimulatedAsset]
    public var books: [SimulatedBook]
    public var pools: [SimulatedPool]
    public var chains: [SimulatedChain]
    /// Order latency per venue, for paper fills.
    public var latency: [VenueId: Duration]
    /// Windows when venues' market data stops reaching dexter (a dropped feed); their own market goes on.
    public var outages: [FeedOutage] = []
    /// Order faults per venue, for rehearsing failures: set in config or by a test.
    public var faults: [VenueId: PaperFault] = [:]
    /// Sudden moves of an asset's underlying price at set times, for rehearsing stops and margin.
    public var shocks: [PriceShock] = []

    public init(seed: UInt64, assets: [SimulatedAsset], books: [SimulatedBook], pools: [SimulatedPool],
                chains: [SimulatedChain], latency: [VenueId: Duration], outages: [FeedOutage] = [],
                faults: [VenueId: PaperFault] = [:], shocks: [PriceShock] = []) {
        self.seed = seed
        self.assets = assets
        self.books = books
        self.pools = pools
        self.chains = chains
        self.latency = latency
        self.outages = outages
        self.faults = faults
        self.shocks = shocks
    }
}

/// How a paper venue misbehaves with orders.
public enum PaperFault: Sendable, Hashable {
    /// Every order is refused with this reason (a venue down, a key without trade permission…).
    case reject(String)
    /// Orders fill at most this fraction of their quantity; the rest is canceled (thin or spoofed books).
    case fillFraction(FixedDecimal)
    /// Orders get no answer in time (reported as a timeout: transient).
    case timeout
}

/// A market-data outage: from `start` after the market opens, for `length`, the listed venues (all when empty)
/// publish nothing. Orders still reach them.
public struct FeedOutage: Sendable, Hashable {
    public var venues: Set<VenueId>
    public var start: Duration
    public var length: Duration

    public init(venues: Set<VenueId>, start: Duration, length: Duration) {
        self.venues = venues
        self.start = start
        self.length = length
    }

    public func silences(_ venue: VenueId, at elapsed: Duration) -> Bool {
        elapsed >= start && elapsed < start + length && (venues.isEmpty || venues.contains(venue))
    }
}

/// At `after` from the market's opening, `asset`'s underlying price moves by `move` (-0.15 = falls 15 %) at once; every
/// venue then follows it at its own pace, as after real news.
public struct PriceShock: Sendable, Hashable {
    public var asset: Asset
    public var after: Duration
    public var move: Double

    public init(asset: Asset, after: Duration, move: Double) {
        self.asset = asset
        self.after = after
        self.move = move
    }
}

/// An asset's underlying USD price: geometric Brownian motion with Poisson jumps; a stablecoin reverts to its peg.
public struct SimulatedAsset: Sendable, Hashable {
    public let asset: Asset
    public let priceUSD: Double
    /// Annualised volatility (0.6 = 60 %).
    public let volatility: Double
    /// Jumps per hour, and their typical size as a fraction of price.
    public let jumpsPerHour: Double
    public let jumpSize: Double
    /// Pulls the price back to `priceUSD` (a peg) at this rate per second; zero for a free-floating asset.
    public let pegReversion: Double

    public init(asset: Asset, priceUSD: Double, volatility: Double, jumpsPerHour: Double, jumpSize: Double,
                pegReversion: Double = 0) {
        self.asset = asset
        self.priceUSD = priceUSD
        self.volatility = volatility
        self.jumpsPerHour = jumpsPerHour
        self.jumpSize = jumpSize
        self.pegReversion = pegReversion
    }
}

/// An order book market on an exchange, following the underlying with its own lag and noise.
public struct SimulatedBook: Sendable {
    public let venue: VenueSpec
    public let instrument: InstrumentSpec
    /// How fast the venue's mid catches up with the underlying, per second (higher = less lag).
    public let catchUpRate: Double
    /// Idiosyncratic noise of the mid, in basis points per √second.
    public let noiseBps: Double
    /// Half the quoted spread, in basis points.
    public let halfSpreadBps: Double
    public let levels: Int
    /// Base quantity at the top level; deeper levels hold more.
    public let topQuantity: Double
    /// Book updates per second.
    public let updatesPerSecond: Double
    /// A perpetual's funding: the rate each funding charges (positive: longs pay shorts) and the time between two,
    /// on the venue's clock from the epoch (8 h: 00:00, 08:00, 16:00 UTC). Nil for spot.
    public var funding: (rate: FixedDecimal, interval: Duration)?

    public init(venue: VenueSpec, instrument: InstrumentSpec, catchUpRate: Double, noiseBps: Double,
                halfSpreadBps: Double, levels: Int, topQuantity: Double, updatesPerSecond: Double,
                funding: (rate: FixedDecimal, interval: Duration)? = nil) {
        self.funding = funding
        self.venue = venue
        self.instrument = instrument
        self.catchUpRate = catchUpRate
        self.noiseBps = noiseBps
        self.halfSpreadBps = halfSpreadBps
        self.levels = levels
        self.topQuantity = topQuantity
        self.updatesPerSecond = updatesPerSecond
    }
}

/// The curve family of a simulated pool and its parameters.
public enum SimulatedPoolKind: Sendable, Hashable {
    /// Uniswap V2 style; fee in basis points.
    case constantProduct(feeBps: Int)
    /// Uniswap V3 style: positions of ±`rangeWidth`/4, ±`rangeWidth` (0.2 = ±20 %) and ±3·`rangeWidth` around the
    /// start price, ticks 60 apart; fee in pips.
    case concentrated(feePips: Int, rangeWidth: Double)
    /// Curve StableSwap; A (not multiplied by A_PRECISION) and fee over 1e10.
    case stableSwap(amplification: Int, fee: Int)
}

/// A DEX pool. Noise traders swap against it; arbitrageurs pull it back toward the underlying.
public struct SimulatedPool: Sendable {
    /// Tick spacing of simulated concentrated pools (Uniswap's 0.30 % tier).
    public static let tickSpacing = 60
    /// The pool contract's address, where it models a real one: what compliance screens.
    public var address: String?
    public let venue: VenueSpec
    public let instrument: InstrumentSpec
    public let kind: SimulatedPoolKind
    public let baseDecimals: Int
    public let quoteDecimals: Int
    /// Base reserve (real or virtual) at the start price, in whole tokens.
    public let baseReserve: Double
    public let gasUnits: Int
    /// Swaps by others per second, and the fraction of a price gap an arbitrageur closes when they act.
    public let swapsPerSecond: Double
    public let arbitrageCatchUp: Double

    public init(venue: VenueSpec, instrument: InstrumentSpec, kind: SimulatedPoolKind, baseDecimals: Int,
                quoteDecimals: Int, baseReserve: Double, gasUnits: Int, swapsPerSecond: Double,
                arbitrageCatchUp: Double) {
        self.venue = venue
        self.instrument = instrument
        self.kind = kind
        self.baseDecimals = baseDecimals
        self.quoteDecimals = quoteDecimals
        self.baseReserve = baseReserve
        self.gasUnits = gasUnits
        self.swapsPerSecond = swapsPerSecond
        self.arbitrageCatchUp = arbitrageCatchUp
    }
}

/// A chain: its blocks, and its gas as a log-normal walk with spikes around a typical price.
public struct SimulatedChain: Sendable, Hashable {
    public let chain: ChainId
    public let gasToken: Asset
    /// Typical gas price in billionths of the gas token per unit (gwei, lamports).
    public let gasPrice: Double
    public let gasVolatility: Double
    /// Pools change only when a block lands: swaps, arbitrageurs and paper orders alike wait for the next one.
    public let blockTime: Duration

    public init(chain: ChainId, gasToken: Asset, gasPrice: Double, gasVolatility: Double, blockTime: Duration) {
        self.chain = chain
        self.gasToken = gasToken
        self.gasPrice = gasPrice
        self.gasVolatility = gasVolatility
        self.blockTime = blockTime
    }
}
