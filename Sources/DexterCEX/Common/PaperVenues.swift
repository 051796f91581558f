import DexterVenues

/// The exchanges whose market data can hand a paper order its book.
extension BinanceMarketFeed: OneVenueMarketFeed {}
extension OKXMarketFeed: OneVenueMarketFeed {}
extension KrakenMarketFeed: OneVenueMarketFeed {}
extension CoinbaseMarketFeed: OneVenueMarketFeed {}
extension BinanceUSDMMarketFeed: OneVenueMarketFeed {}

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
