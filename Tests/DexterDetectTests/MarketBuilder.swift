import BigInt
import DexterCore
import DexterDetect
import DexterMarket

/// Hand-built markets for detection tests.
enum MarketBuilder {
    static let ethUSDC = Symbol(base: "ETH", quote: "USDC")

    static func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

    static func exchange(_ name: String, fee: String = "0.001") -> VenueSpec {
        VenueSpec(id: VenueId(name), kind: .exchange, takerFee: d(fee), stalenessBound: .seconds(5))
    }

    static func book(_ venue: VenueSpec, bids: [(String, String)], asks: [(String, String)],
                     lot: String = "0.01", minNotional: String = "1", at time: Timestamp = .zero) -> Market {
        Market(venue: venue,
               instrument: InstrumentSpec(symbol: ethUSDC, tickSize: d("0.01"), lotSize: d(lot), minNotional: d(minNotional)),
               liquidity: .book(OrderBook(bids: bids.map { BookLevel(price: d($0.0), quantity: d($0.1)) },
                                          asks: asks.map { BookLevel(price: d($0.0), quantity: d($0.1)) })),
               venueTime: time, receivedAt: time)
    }

    static func v2Pool(_ name: String, baseReserve: String, quoteReserve: String, gasUnits: Int = 100_000,
                       at time: Timestamp = .zero) -> Market {
        let venue = VenueSpec(id: VenueId(name), kind: .dex(chain: "ethereum"), takerFee: .zero, stalenessBound: .seconds(30))
        let pool = ConstantProductPool(reserveBase: BigUInt(d(baseReserve).units(decimals: 18)),
                                       reserveQuote: BigUInt(d(quoteReserve).units(decimals: 6)),
                                       feeBps: 30, baseDecimals: 18, quoteDecimals: 6)
        return Market(venue: venue,
                      instrument: InstrumentSpec(symbol: ethUSDC, tickSize: d("0.000001"), lotSize: d("0.001"), minNotional: .zero),
                      liquidity: .constantProduct(pool), gasUnits: gasUnits, venueTime: time, receivedAt: time)
    }

    /// An ETH/USDC V3 pool at `price` with a core position of ±`core` and a main one of ±`main` (fractions of
    /// the price), each holding `liquidity` (raw L); 0.05 % fee.
    static func v3Pool(_ name: String, price: String, core: Double, main: Double, liquidity: BigUInt,
                       gasUnits: Int = 150_000) throws -> Market {
        let venue = VenueSpec(id: VenueId(name), kind: .dex(chain: "ethereum"), takerFee: .zero, stalenessBound: .seconds(30))
        let sqrt = ConcentratedPool.sqrtPriceX96(price: d(price), baseDecimals: 18, quoteDecimals: 6)
        func tick(_ factor: Double, _ rounding: FloatingPointRoundingRule) throws -> Int {
            let raw = try TickMath.tick(atSqrtRatio: ConcentratedPool.sqrtPriceX96(
                price: FixedDecimal(approximating: d(price).doubleValue * factor), baseDecimals: 18, quoteDecimals: 6))
            return Int((Double(raw) / 10).rounded(rounding)) * 10
        }
        let pool = try ConcentratedPool(
            sqrtPriceX96: sqrt, tickSpacing: 10,
            positions: [LiquidityPosition(lowerTick: try tick(1 - core, .down), upperTick: try tick(1 + core, .up),
                                          liquidity: liquidity),
                        LiquidityPosition(lowerTick: try tick(1 - main, .down), upperTick: try tick(1 + main, .up),
                                          liquidity: liquidity)],
            feePips: 500, baseDecimals: 18, quoteDecimals: 6)
        return Market(venue: venue,
                      instrument: InstrumentSpec(symbol: ethUSDC, tickSize: d("0.000001"), lotSize: d("0.1"), minNotional: .zero),
                      liquidity: .concentrated(pool), gasUnits: gasUnits)
    }

    static let usdtUSDC = Symbol(base: "USDT", quote: "USDC")

    /// A USDT/USDC Curve plain pool (6 decimals each), A = `amplification`, fee 0.04 %.
    static func stablePool(_ name: String, usdt: String, usdc: String, amplification: Int = 200) -> Market {
        let venue = VenueSpec(id: VenueId(name), kind: .dex(chain: "ethereum"), takerFee: .zero, stalenessBound: .seconds(30))
        let pool = StableSwapPool(balances: [BigUInt(d(usdt).units(decimals: 6)), BigUInt(d(usdc).units(decimals: 6))],
                                  decimals: [6, 6], amplification: BigUInt(amplification) * StableSwapPool.aPrecision,
                                  fee: 4_000_000)
        return Market(venue: venue,
                      instrument: InstrumentSpec(symbol: usdtUSDC, tickSize: d("0.000001"), lotSize: d("1"), minNotional: .zero),
                      liquidity: .stableSwap(pool), gasUnits: 120_000)
    }

    static func stableBook(_ venue: VenueSpec, bids: [(String, String)], asks: [(String, String)]) -> Market {
        Market(venue: venue,
               instrument: InstrumentSpec(symbol: usdtUSDC, tickSize: d("0.0001"), lotSize: d("1"), minNotional: d("1")),
               liquidity: .book(OrderBook(bids: bids.map { BookLevel(price: d($0.0), quantity: d($0.1)) },
                                          asks: asks.map { BookLevel(price: d($0.0), quantity: d($0.1)) })))
    }

    static func state(_ markets: [Market], gasGwei: String = "10") -> MarketState {
        MarketState(markets: markets, gas: [GasQuote(chain: "ethereum", token: "ETH", price: d(gasGwei), updatedAt: .zero)])
    }

    /// Plenty of everything on every account named.
    static func inventory(_ accounts: [AccountId], eth: String = "1000", usdc: String = "10000000") -> Inventory {
        var inventory = Inventory()
        for account in accounts {
            inventory.credit("ETH", d(eth), at: account)
            inventory.credit("USDC", d(usdc), at: account)
        }
        return inventory
    }

    static let policy = DetectionPolicy(minNetUSD: FixedDecimal(raw: FixedDecimal.unit / 100),
                                        maxNotionalUSD: FixedDecimal(10_000_000))
}
