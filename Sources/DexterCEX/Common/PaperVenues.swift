import DexterVenues

/// The exchanges whose market data can hand a paper order its book.
extension BinanceMarketFeed: PaperMarketFeed {}
extension OKXMarketFeed: PaperMarketFeed {}
extension KrakenMarketFeed: PaperMarketFeed {}
extension CoinbaseMarketFeed: PaperMarketFeed {}
extension BinanceUSDMMarketFeed: PaperMarketFeed {}

/// Binance in PAPER mode.
public typealias BinancePaperVenue = PaperVenue<BinanceMarketFeed>
/// OKX in PAPER mode.
public typealias OKXPaperVenue = PaperVenue<OKXMarketFeed>
/// Kraken in PAPER mode.
public typealias KrakenPaperVenue = PaperVenue<KrakenMarketFeed>
/// Coinbase Advanced Trade in PAPER mode.
public typealias CoinbasePaperVenue = PaperVenue<CoinbaseMarketFeed>
/// Binance USDⓈ-M futures in PAPER mode.
public typealias BinanceUSDMPaperVenue = PaperVenue<BinanceUSDMMarketFeed>
