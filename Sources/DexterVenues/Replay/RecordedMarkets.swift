import DexterCore
import DexterMarket

/// A recording read message by message into the markets it holds, each as it stands after the last message read.
/// The one reading of a recording: the replay report (`ReplayRun`) detects on it, the replay venue (`ReplayVenue`)
/// publishes from it and fills paper orders against it. A market joins the moment the recording first names it.
public struct RecordedMarkets: Sendable {
    /// What one message did.
    public struct Change: Sendable {
        /// Its receive time.
        public let time: Timestamp
        /// No message after it has its receive time: the instant is complete (see `ReplayUpdate.endsInstant`).
        public let endsInstant: Bool
        /// The market it changed, by index in `state`; nil when it changed none (a trade, a diff before the snapshot).
        public let market: Int?
        /// The market the recording named for the first time, by index in `state`.
        public let added: Int?
    }

    public private(set) var feed: ReplayFeed
    public private(set) var state: MarketState
    // Consecutive messages mostly touch the same market: the key lookup is skipped then.
    private var lastKey: MarketKey?
    private var lastIndex = 0

    /// `markets`: markets known before reading (a survey's), so their indices hold from the start.
    public init(feed: ReplayFeed, markets: [Market] = []) {
        self.feed = feed
        self.state = MarketState(markets: markets, gas: [])
    }

    /// The receive time of the message read next; nil at the end of the recording.
    public var nextTime: Timestamp? { feed.nextTime }

    /// Reads and applies the next message; nil when every file is done.
    public mutating func next() throws(ReplayError) -> Change? {
        guard let update = try feed.next() else { return nil }
        var added: Int?
        if let market = update.newMarket, state.indexByKey[market.key] == nil {
            added = state.markets.count
            state.add(market)
        }
        guard case .liquidity(let key, let liquidity, let venueTime, let receivedAt)? = update.event else {
            return Change(time: update.time, endsInstant: update.endsInstant, market: nil, added: added)
        }
        let index: Int
        if key == lastKey {
            index = lastIndex
        } else if let found = state.indexByKey[key] {
            index = found
            lastKey = key
            lastIndex = found
        } else {
            return Change(time: update.time, endsInstant: update.endsInstant, market: nil, added: added)
        }
        state.update(index, liquidity: liquidity, venueTime: venueTime, receivedAt: receivedAt)
        return Change(time: update.time, endsInstant: update.endsInstant, market: index, added: added)
    }

    /// Sets a market's liquidity until the recording next changes it: what a paper fill left of a book.
    public mutating func replace(_ index: Int, with liquidity: Liquidity, at time: Timestamp) {
        state.update(index, liquidity: liquidity, venueTime: time, receivedAt: time)
    }

    /// What a whole recording holds, learnt by reading it through once.
    public struct Survey: Sendable {
        /// Every market it names, in the order it first names them, each with an empty book.
        public var markets: [Market] = []
        /// Each market as first quoted (with both sides of its book), by the order of `markets`: what a desk prices
        /// its opening stake at, never what it trades on before that quote's time.
        public var firstQuotes: [Market] = []
        /// The receive times of its first and last messages.
        public var first: Timestamp?
        public var last: Timestamp?
    }

    /// Reads a recording not yet read through a copy of `feed`, which itself does not move.
    public static func survey(_ feed: ReplayFeed) throws(ReplayError) -> Survey {
        var reading = RecordedMarkets(feed: feed)
        var survey = Survey()
        var quoted = Set<Int>()
        while let change = try reading.next() {
            if let added = change.added {
                let market = reading.state.markets[added]
                survey.markets.append(Market(venue: market.venue, instrument: market.instrument,
                                             liquidity: .book(OrderBook(bids: [], asks: []))))
            }
            if let index = change.market, !quoted.contains(index), reading.state.markets[index].mid != nil {
                quoted.insert(index)
                survey.firstQuotes.append(reading.state.markets[index])
            }
        }
        let order = Dictionary(uniqueKeysWithValues: survey.markets.enumerated().map { ($1.key, $0) })
        survey.firstQuotes.sort { order[$0.key, default: 0] < order[$1.key, default: 0] }
        survey.first = reading.feed.statistics.firstTime
        survey.last = reading.feed.statistics.lastTime
        return survey
    }
}
