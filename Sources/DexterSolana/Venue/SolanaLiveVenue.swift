import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation
import Synchronization

/// How a venue's orders may be routed through Jupiter.
public enum SolanaRouting: Sendable, Hashable {
    /// Wherever Jupiter finds the best price (the "jupiter" venue).
    case aggregated
    /// Only through the venue's own pool of each pair: Jupiter is asked for that DEX alone and one pool, and a route
    /// through any other pool is refused before anything is signed (a pool venue: "orca-whirlpool", "raydium-cpmm").
    case pool(label: String, pools: [Symbol: SolanaPublicKey])
}

/// A Solana venue traded for real from one keypair (LIVE): its market data (Jupiter's quotes, or a pool read from its
/// accounts), and each order a Jupiter swap — quoted for exactly the order (a sell spends its quantity, ExactIn; a buy receives it, ExactOut),
/// bounded on chain by the order's limit (the quote's threshold may only be tighter), simulated and checked against
/// that bound before it is signed, journaled signed before it is sent, then followed to its end at `confirmed`:
/// landed (the fill from the transaction's own token balances, its fee and any rent as gas), failed with the
/// program's error (the fee is still paid), or expired past its blockhash — then quoted and signed again with a fresh
/// blockhash only while the order's bound still holds.
public final class SolanaLiveVenue: MarketDataClient, ExecutionClient, Sendable {
    public let feed: any PaperMarketFeed
    public let chain: SolanaChainSettings
    let rpc: SolanaRPCClient
    let jupiter: JupiterClient
    let routing: SolanaRouting
    let keypair: SolanaKeypair
    let journal: SolanaOrderJournal
    let clock: any Clock
    /// Waits between status polls; a test passes one that advances its node.
    let pause: @Sendable () async throws -> Void
    /// How many transactions one order may sign, each only after the one before it expired.
    let maxAttempts: Int
    private let inbox = Mutex<VenueInbox?>(nil)
    /// Mints' decimals, read from their accounts once.
    private let mintDecimals = Mutex<[SolanaPublicKey: Int]>([:])

    public init(feed: any PaperMarketFeed, chain: SolanaChainSettings, rpc: SolanaRPCClient, routing: SolanaRouting = .aggregated,
                keypair: SolanaKeypair, journal: SolanaOrderJournal, clock: any Clock = WallClock(),
                maxAttempts: Int = 3, pause: (@Sendable () async throws -> Void)? = nil) {
        self.feed = feed
        self.chain = chain
        self.rpc = rpc
        self.routing = routing
        jupiter = JupiterClient(baseURL: chain.jupiterURL)
        self.keypair = keypair
        self.journal = journal
        self.clock = clock
        self.maxAttempts = max(1, maxAttempts)
        let interval = min(chain.pollInterval, .milliseconds(400))
        self.pause = pause ?? { try await Task.sleep(for: interval) }
    }

    public var wallet: SolanaPublicKey { keypair.publicKey }

    // MARK: Market data: the venue's feed

    public var venueIds: [VenueId] { feed.venueIds }
    public func instruments() async throws -> [VenueInstrument] { try await feed.instruments() }
    public func currentGas() async throws -> [GasQuote] { try await feed.currentGas() }
    public func subscribe(_ keys: [MarketKey], into inbox: VenueInbox) async throws { try await feed.subscribe(keys, into: inbox) }
    public func unsubscribe(_ keys: [MarketKey]) async { await feed.unsubscribe(keys) }

    // MARK: Execution

    public func connect(_ inbox: VenueInbox) async throws { self.inbox.withLock { $0 = inbox } }

    public func submit(_ order: OrderRequest) { Task { await self.run(order) } }

    /// A swap is never canceled once signed: it lands or expires with its blockhash. Told so at once.
    public func cancel(_ clientOrderId: String, on venue: VenueId) {
        post(OrderUpdate(clientOrderId: clientOrderId, venue: venue,
                         kind: .cancelRejected(reason: "a signed Solana transaction cannot be canceled; it lands or expires with its blockhash"),
                         at: clock.now()))
    }

    public func openOrders(on venue: VenueId) async throws -> [ExecutionReport] {
        var open: [ExecutionReport] = []
        for entry in journal.unsettled(on: venue.name) {
            if case .found(let report) = try await query(entry.clientOrderId, on: venue), !report.isDone { open.append(report) }
        }
        return open
    }

    public func cancelOpenOrders(on venue: VenueId) async throws -> [String] { [] }

    /// SOL counts the native lamports and the wrapped SOL in token accounts together (both 9 decimals); every other
    /// asset is the sum of the wallet's token accounts of its mint, classic SPL Token and Token-2022.
    public func balances(on venue: VenueId) async throws -> [Asset: FixedDecimal] {
        var byMint: [SolanaPublicKey: (amount: UInt128, decimals: Int)] = [:]
        for program in [SolanaPublicKey.tokenProgram, .token2022Program] {
            for account in try await rpc.tokenAccounts(owner: wallet, programId: program, .confirmed).accounts {
                byMint[account.mint, default: (0, account.decimals)].amount += UInt128(account.amount)
            }
        }
        let lamports = try await rpc.balance(wallet, .confirmed).lamports
        var held: [Asset: FixedDecimal] = [:]
        for (asset, mint) in chain.tokens {
            var units = byMint[mint]?.amount ?? 0
            var decimals = byMint[mint]?.decimals ?? mintDecimals.withLock { $0[mint] } ?? 9
            if mint == SolanaChainSettings.wrappedSOL {
                units += UInt128(lamports)
                decimals = 9
            }
            held[asset] = FixedDecimal(units: Int128(units), decimals: decimals)
        }
        if held[chain.gasToken] == nil { held[chain.gasToken] = FixedDecimal(units: Int128(lamports), decimals: 9) }
        return held
    }

    func post(_ update: OrderUpdate) { inbox.withLock { $0 }?.post(update) }

    func mint(_ asset: Asset) throws(SolanaVenueError) -> SolanaPublicKey {
        guard let mint = chain.tokens[asset] else { throw .noMint(asset, chain: chain.chain) }
        return mint
    }

    /// A mint's decimals, from its account the first time.
    func decimals(of mint: SolanaPublicKey) async throws -> Int {
        if let known = mintDecimals.withLock({ $0[mint] }) { return known }
        guard let account = try await rpc.accountInfo(mint, .confirmed).account else { throw SolanaVenueError.mintMissing(mint) }
        let decimals = try JupiterMarketFeed.mintDecimals(account, mint: mint)
        mintDecimals.withLock { $0[mint] = decimals }
        return decimals
    }

    func reject(_ order: OrderRequest, code: String, _ failureClass: ExecutionFailure.Class, _ reason: String) {
        post(OrderUpdate(clientOrderId: order.clientOrderId, venue: order.venue,
                         kind: .rejected(ExecutionFailure(code: code, failureClass: failureClass, reason: reason)), at: clock.now()))
    }

    /// A signature as the Orders panel shows it.
    static func shown(_ signature: String) -> String { "tx \(signature.prefix(6))…\(signature.suffix(4))" }
}
