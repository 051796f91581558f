import DexterCore

/// Where a venue's liquidity lives: an exchange's order books or pools on a chain.
public enum VenueKind: Sendable, Hashable {
    case exchange
    case dex(chain: ChainId)

    public var chain: ChainId? {
        if case .dex(let chain) = self { return chain }
        return nil
    }
}

/// What the desk knows about a venue that does not change tick to tick.
public struct VenueSpec: Sendable, Hashable {
    public let id: VenueId
    public let kind: VenueKind
    /// Taker fee as a fraction of notional (0.001 = 0.10 %). Pools carry their own fee instead.
    public let takerFee: FixedDecimal
    /// A quote older than this is stale and cannot be traded on.
    public let stalenessBound: Duration

    public init(id: VenueId, kind: VenueKind, takerFee: FixedDecimal, stalenessBound: Duration) {
        self.id = id
        self.kind = kind
        self.takerFee = takerFee
        self.stalenessBound = stalenessBound
    }

    /// The account that holds this venue's inventory: the exchange account, or the wallet on the DEX's chain.
    public var account: AccountId {
        switch kind {
        case .exchange: return .exchange(id)
        case .dex(let chain): return .wallet(chain)
        }
    }
}

/// Where inventory sits: an exchange account, or a wallet on a chain shared by that chain's DEXs.
public enum AccountId: Sendable, Hashable, Comparable, CustomStringConvertible {
    case exchange(VenueId)
    case wallet(ChainId)

    public var description: String {
        switch self {
        case .exchange(let venue): return venue.name
        case .wallet(let chain): return "wallet@\(chain.name)"
        }
    }

    public static func < (lhs: AccountId, rhs: AccountId) -> Bool { lhs.description < rhs.description }
}

/// Trading rules of one instrument on one venue.
public struct InstrumentSpec: Sendable, Hashable {
    public let symbol: Symbol
    public let tickSize: FixedDecimal
    public let lotSize: FixedDecimal
    public let minNotional: FixedDecimal
    /// A perpetual's margin rules; nil for spot. Kept out of line: every market carries its instrument on the
    /// detection hot path, and inline terms made each copy of a spot market 49 bytes longer (p50 +40 %).
    public var margin: MarginTerms? {
        get { extras?.margin }
        set { extras = InstrumentExtras.make(margin: newValue, minQuantity: minQuantity) }
    }
    /// The least base quantity the venue accepts in one order (Binance LOT_SIZE `minQty`, OKX `minSz`, Kraken
    /// `ordermin`, Coinbase `base_min_size`); zero where the venue sets none. Out of line with the margin terms, for
    /// the same reason: read once per sized opportunity, never per level.
    public var minQuantity: FixedDecimal {
        get { extras?.minQuantity ?? .zero }
        set { extras = InstrumentExtras.make(margin: margin, minQuantity: newValue) }
    }
    /// nil while both are at their defaults (spot, no minimum), so most instruments carry no reference at all.
    private var extras: InstrumentExtras?

    public init(symbol: Symbol, tickSize: FixedDecimal, lotSize: FixedDecimal, minNotional: FixedDecimal,
                minQuantity: FixedDecimal = .zero) {
        precondition(tickSize.isPositive && lotSize.isPositive, "tick and lot sizes must be positive for \(symbol)")
        self.symbol = symbol
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
        extras = InstrumentExtras.make(margin: nil, minQuantity: minQuantity)
    }
}

/// One instrument on one venue: the unit the market state is keyed by.
public struct MarketKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let venue: VenueId
    public let symbol: Symbol

    public init(venue: VenueId, symbol: Symbol) {
        self.venue = venue
        self.symbol = symbol
    }

    public var description: String { "\(venue.name):\(symbol)" }
    public static func < (lhs: MarketKey, rhs: MarketKey) -> Bool { (lhs.venue, lhs.symbol) < (rhs.venue, rhs.symbol) }
}

extension AccountId {
    /// Parses the form `description` prints: "wallet@ethereum" or an exchange's name.
    public init(parsing text: String) {
        if text.hasPrefix("wallet@") {
            self = .wallet(ChainId(String(text.dropFirst("wallet@".count))))
        } else {
            self = .exchange(VenueId(text))
        }
    }
}

/// The rarely read rules of an instrument behind one reference (immutable: a change makes a new one), so the spec
/// stays as small as a spot market's always was.
final class InstrumentExtras: Sendable, Hashable {
    let margin: MarginTerms?
    let minQuantity: FixedDecimal

    private init(margin: MarginTerms?, minQuantity: FixedDecimal) {
        self.margin = margin
        self.minQuantity = minQuantity
    }

    /// nil when there is nothing to keep. A negative minimum (a venue's nonsense) is no minimum.
    static func make(margin: MarginTerms?, minQuantity: FixedDecimal) -> InstrumentExtras? {
        let minQuantity = FixedDecimal.max(.zero, minQuantity)
        return margin == nil && minQuantity.isZero ? nil : InstrumentExtras(margin: margin, minQuantity: minQuantity)
    }

    static func == (lhs: InstrumentExtras, rhs: InstrumentExtras) -> Bool {
        lhs.margin == rhs.margin && lhs.minQuantity == rhs.minQuantity
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(margin)
        hasher.combine(minQuantity)
    }
}
