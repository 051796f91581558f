import DexterCore
import DexterDetect
import DexterMarket
import DexterVenues

// The values desk events carry, beyond the rooms' own types. Their words are in `DeskEvent+Text.swift`.

/// Why an opportunity cannot be approved right now (before any pre-trade check runs).
public enum ApprovalRefusal: Sendable, Hashable {
    case halted(reason: String)
    /// Its base asset is stopped out by its stop-loss.
    case stoppedOut(Asset)
    case quoteStale(expiredAt: Timestamp)
    /// A leg's venue is not live.
    case venueNotTradable(VenueId, ConnectionState)
    /// A leg's venue takes no more orders for now: it said to wait (a 429, a ban) or a budget is spent.
    case venueRateLimited(VenueId, String)
    case routeInFlight
}

/// Why an order may not leave for its venue, whatever sent it (`Engine.orderCheck`).
public enum OrderRefusal: Sendable, Hashable {
    case ledgerCannotBeWritten
    case halted(reason: String)
    case reducing(reason: String)
    case venueNotTradable(VenueId, ConnectionState)
    case noExecutionClient(VenueId)
    /// An on-chain order's wallet cannot cover its gas cap beside what orders out already hold back.
    case gasShort(VenueId, token: Asset, needed: FixedDecimal, free: FixedDecimal)
}

/// An address an on-chain leg touches that is on the deny list: a pool, the router a swap pays, or the wallet that
/// would receive.
public struct DenyListMatch: Sendable, Hashable {
    public enum Holder: Sendable, Hashable {
        case pool(VenueId, Symbol)
        case router(VenueId)
        case wallet(name: String, chain: ChainId)
    }

    public let address: String
    public let holder: Holder
}

extension DeskEvent {
    /// How the trader knows an execution: an arbitrage by its number and route, anything else by what it was sent
    /// for, its instrument and venues.
    public struct ExecutionName: Sendable, Hashable {
        public let purpose: ExecutionPurpose
        /// The approved arbitrage behind it (an arbitrage, or a correction of one).
        public let opportunityId: UInt64?
        public let route: Route?
        public let symbol: Symbol
        public let venues: [VenueId]
        /// A cycle behind it: "cycle #3 USDT→ETH@binance→BTC@okx→USDT@binance".
        public let cycle: String?

        public init(purpose: ExecutionPurpose, opportunityId: UInt64?, route: Route?, symbol: Symbol,
                    venues: [VenueId], cycle: String? = nil) {
            self.cycle = cycle
            self.purpose = purpose
            self.opportunityId = opportunityId
            self.route = route
            self.symbol = symbol
            self.venues = venues
        }
    }

    /// A committed booking.
    public struct Booking: Sendable, Hashable {
        public let id: String
        public let execution: ExecutionName
        public let status: BookingStatus
        public let realisedUSD: FixedDecimal
        /// The approved estimate, where an arbitrage is behind the execution.
        public let estimatedNetUSD: FixedDecimal?

        public init(id: String, execution: ExecutionName, status: BookingStatus, realisedUSD: FixedDecimal,
                    estimatedNetUSD: FixedDecimal?) {
            self.id = id
            self.execution = execution
            self.status = status
            self.realisedUSD = realisedUSD
            self.estimatedNetUSD = estimatedNetUSD
        }
    }

    /// What uneven legs left: `excess` of `asset`, positive when bought and not sold (on `venue`, the buy leg's),
    /// negative when sold and not bought (on the sell leg's).
    public struct LegExposure: Sendable, Hashable {
        public let asset: Asset
        public let excess: FixedDecimal
        public let venue: VenueId
    }

    /// Some of an asset at one account.
    public struct Holding: Sendable, Hashable {
        public let quantity: FixedDecimal
        public let account: AccountId
    }

    /// One closing order a stop-loss sent: `order` counts the orders this account has had for the stop.
    public struct StopLossSale: Sendable, Hashable {
        public let quantity: FixedDecimal
        public let venue: VenueId
        public let limit: FixedDecimal
        public let order: Int
    }

    /// What a stop-loss did not sell at an account, and why.
    public struct StopLossKept: Sendable, Hashable {
        public enum Why: Sendable, Hashable {
            /// A chain wallet keeps enough of its gas token for a few swaps.
            case gasReserve
            case noDollarMarket
            case notSold(afterOrders: Int)
            /// The best market took only part of it now.
            case marketTooThin
        }

        public let quantity: FixedDecimal
        public let account: AccountId
        public let why: Why
    }

    /// An account whose margin ratio reached the buffer.
    public struct MarginBreach: Sendable, Hashable {
        public let account: AccountId
        public let ratio: Double
        public let reduceAt: Double
        public let equity: FixedDecimal
        public let maintenanceMargin: FixedDecimal
    }

    /// One cut of a margin-buffer reduction: an order sent, or a position no book could take.
    public enum MarginCut: Sendable, Hashable {
        case sent(OrderRequest)
        case noBook(Symbol, venue: VenueId, quantity: FixedDecimal)
    }

    /// An execution the last session left in flight, as the restart settled it.
    public struct RecoveredArbitrage: Sendable, Hashable {
        public enum Outcome: Sendable, Hashable {
            case booked(BookingStatus, explanation: String)
            /// Its approval was not on disk: the orders were settled, nothing was booked.
            case approvalMissing
        }

        public let arbitrageId: String
        public let outcome: Outcome
    }

    /// A part of the configuration a reload changed.
    public enum ConfigPart: Sendable, Hashable {
        case limits, automaticHalts, venueExposureCap, positionVaRBudget, stopLosses, marginBuffer
        case denyList(addresses: Int)
    }

    /// A ledger write that failed: where the desk was, and the ledger's error.
    public struct FundingBooked: Sendable, Hashable {
        public let venue: VenueId
        public let symbol: Symbol
        /// Signed, in `asset`: received positive, paid negative.
        public let amount: FixedDecimal
        public let asset: Asset
        public let amountUSD: FixedDecimal
        public let rate: FixedDecimal?
        public let positionSize: FixedDecimal?
        /// The venue reported it (true) or the desk settled it from the venue's quote (false).
        public let reported: Bool

        public init(venue: VenueId, symbol: Symbol, amount: FixedDecimal, asset: Asset, amountUSD: FixedDecimal,
                    rate: FixedDecimal?, positionSize: FixedDecimal?, reported: Bool) {
            self.venue = venue
            self.symbol = symbol
            self.amount = amount
            self.asset = asset
            self.amountUSD = amountUSD
            self.rate = rate
            self.positionSize = positionSize
            self.reported = reported
        }
    }

    public struct LedgerFailure: Sendable, Hashable {
        public enum Write: Sendable, Hashable {
            /// An approval's record, before its orders: nothing was sent.
            case approval(opportunityId: UInt64)
            /// A cycle's approval record, before its first leg: nothing was sent.
            case cycleApproval(cycleId: UInt64)
            case booking(id: String)
            case audit(action: String)
            case orderEvent(clientOrderId: String)
            /// The record of a margin cut, before its orders: nothing was sent.
            case marginCut(AccountId)
            /// The record of a stop-loss's closing order: nothing more was sent.
            case stopLoss(Asset)
            /// A funding payment: not booked, and the desk halts, as for any booking.
            case funding(venue: VenueId, id: String)
        }

        public let write: Write
        public let error: String

        init(_ write: Write, _ error: any Error) {
            self.write = write
            self.error = "\(error)"
        }
    }
}
