/// An asset by its ticker: "BTC", "ETH", "USDC". USDC and USDT are different assets with a market rate between
/// them; nothing here treats two tickers as one because their names look alike.
public struct Asset: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let code: String
    public init(_ code: String) { self.code = code.uppercased() }
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { code }
    public static func < (lhs: Asset, rhs: Asset) -> Bool { lhs.code < rhs.code }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// A blockchain by its config name: "ethereum", "bsc", "solana".
public struct ChainId: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { name }
    public static func < (lhs: ChainId, rhs: ChainId) -> Bool { lhs.name < rhs.name }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A venue by its config name: "binance", "uniswap-v2".
public struct VenueId: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { name }
    public static func < (lhs: VenueId, rhs: VenueId) -> Bool { lhs.name < rhs.name }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A CCXT-style instrument symbol: `BASE/QUOTE` for spot, `BASE/QUOTE:SETTLE` for a derivative. A spot market and
/// a perpetual on the same coin are different symbols, so their basis is never mistaken for an arbitrage.
public struct Symbol: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let base: Asset
    public let quote: Asset
    public let settle: Asset?

    public init(base: Asset, quote: Asset, settle: Asset? = nil) {
        self.base = base
        self.quote = quote
        self.settle = settle
    }

    /// Parses "ETH/USDT" or "BTC/USDT:USDT".
    public init(parsing text: String) throws {
        let (pair, settle): (Substring, Substring?) = {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            return (parts[0], parts.count > 1 ? parts[1] : nil)
        }()
        let assets = pair.split(separator: "/", omittingEmptySubsequences: false)
        guard assets.count == 2, !assets[0].isEmpty, !assets[1].isEmpty, settle.map({ !$0.isEmpty }) ?? true,
              text.split(separator: ":", omittingEmptySubsequences: false).count <= 2 else {
            throw SymbolParseError(text: text)
        }
        self.init(base: Asset(String(assets[0])), quote: Asset(String(assets[1])), settle: settle.map { Asset(String($0)) })
    }

    public var isSpot: Bool { settle == nil }
    /// The spot pair a linear perpetual (settled in its quote) tracks, so that spot and perpetual meet in one basis
    /// trade; a spot pair is its own, and an inverse contract (settled in its base) has none but itself.
    public var underlying: Symbol { settle == quote ? Symbol(base: base, quote: quote) : self }
    public var description: String { settle.map { "\(base)/\(quote):\($0)" } ?? "\(base)/\(quote)" }
    public static func < (lhs: Symbol, rhs: Symbol) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws { try self.init(parsing: try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public struct SymbolParseError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not a symbol: expected BASE/QUOTE or BASE/QUOTE:SETTLE, like ETH/USDT" }
}

/// Buy or sell, from the trader's side.
public enum Side: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case buy, sell
    public var description: String { rawValue }
    public var opposite: Side { self == .buy ? .sell : .buy }
}
