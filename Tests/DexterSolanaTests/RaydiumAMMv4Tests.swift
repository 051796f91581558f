import DexterCore
import DexterCrypto
import DexterMarket
import DexterVenues
import Foundation
import TestServers
import Testing

@testable import DexterSolana

/// Raydium AMM v4 from its AmmInfo account (raydium-amm `state.rs` layout) and its swap as `processor.rs` and
/// `math.rs` compute it. No run of the deployed program is in ../shared/vectors, so the expected numbers here were
/// computed apart (Python, from the program's formulas: `checked_ceil_div` with its round-half-up below one): this
/// checks the layout and the arithmetic against the source, not against the program executing.
@Suite struct RaydiumAMMv4Tests {
    static let coinMint = SolanaPublicKey(bytes: [UInt8](repeating: 3, count: 32))
    static let pcMint = SolanaPublicKey(bytes: [UInt8](repeating: 4, count: 32))
    static let coinVault = SolanaPublicKey(bytes: [UInt8](repeating: 5, count: 32))
    static let pcVault = SolanaPublicKey(bytes: [UInt8](repeating: 6, count: 32))

    /// An AmmInfo: status, decimals 9 / 6, swap fee 25/10,000, profit to take 1,000 coin and 2,000 pc, vaults, mints.
    static func account(status: UInt64 = 6, openTime: UInt64 = 0, fee: (UInt64, UInt64) = (25, 10_000)) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 752)
        func put(_ value: UInt64, _ offset: Int) {
            for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        put(status, 0); put(9, 32); put(6, 40); put(fee.0, 176); put(fee.1, 184); put(1_000, 192); put(2_000, 200)
        put(openTime, 224)
        for (key, offset) in [(coinVault, 336), (pcVault, 368), (coinMint, 400), (pcMint, 432)] {
            bytes.replaceSubrange(offset..<offset + 32, with: key.bytes)
        }
        return bytes
    }

    @Test func theAccountDecodesFieldForField() throws {
        let pool = try RaydiumAMMv4Pool(decoding: Self.account())
        #expect(pool.status == 6 && pool.coinDecimals == 9 && pool.pcDecimals == 6)
        #expect(pool.swapFeeNumerator == 25 && pool.swapFeeDenominator == 10_000)
        #expect(pool.needTakePnlCoin == 1_000 && pool.needTakePnlPc == 2_000)
        #expect(pool.coinVault == Self.coinVault && pool.pcVault == Self.pcVault)
        #expect(pool.coinMint == Self.coinMint && pool.pcMint == Self.pcMint)
        #expect(throws: AccountDecodeError.self) { try RaydiumAMMv4Pool(decoding: Array(Self.account().dropLast())) }
        #expect(throws: AccountDecodeError.self) { try RaydiumAMMv4Pool(decoding: Self.account(fee: (10_000, 10_000))) }
    }

    @Test func swapsAreTheProgramsArithmetic() throws {
        let pool = try RaydiumAMMv4Pool(decoding: Self.account())
        let (coin, pc): (UInt64, UInt64) = (1_000_000_000_000, 500_000_000_000)
        #expect(try pool.quote(1_000_000, exactIn: true, coinIn: true, coinVault: coin, pcVault: pc, clock: 0) == 498_749)
        #expect(try pool.quote(1_000_000, exactIn: true, coinIn: false, coinVault: coin, pcVault: pc, clock: 0) == 1_994_996)
        #expect(try pool.quote(400_000, exactIn: false, coinIn: true, coinVault: coin, pcVault: pc, clock: 0) == 802_007)
        // The fee of a tiny input: a quarter unit rounds to nothing, a half to one.
        #expect(RaydiumAMMv4Pool.ceilDiv(100 * 25, 10_000) == 0 && RaydiumAMMv4Pool.ceilDiv(200 * 25, 10_000) == 1)
        // An empty reserve with nothing paid in: the program's division aborts (fuzz finding 11).
        #expect(throws: RaydiumAMMv4Error.self) {
            try pool.quote(0, exactIn: true, coinIn: true, coinVault: 1_000, pcVault: 500_000, clock: 0)
        }
        #expect(RaydiumAMMv4Pool.ceilDiv(10_001, 10_000) == 2 && RaydiumAMMv4Pool.ceilDiv(20_000, 10_000) == 2)
    }

    @Test func aPoolNotTradingOrOnTheOrderBookIsRefused() throws {
        let onBook = try RaydiumAMMv4Pool(decoding: Self.account(status: 1))
        #expect(throws: RaydiumAMMv4Error.orderBookEnabled) {
            try onBook.quote(1_000, exactIn: true, coinIn: true, coinVault: 1_000_000, pcVault: 1_000_000, clock: 0)
        }
        let waiting = try RaydiumAMMv4Pool(decoding: Self.account(status: 7, openTime: 1_000))
        #expect(throws: RaydiumAMMv4Error.notTrading("the pool opens at 1000")) {
            try waiting.quote(1_000, exactIn: true, coinIn: true, coinVault: 1_000_000, pcVault: 1_000_000, clock: 999)
        }
        #expect(try waiting.quote(1_000, exactIn: true, coinIn: true, coinVault: 1_000_000, pcVault: 1_000_000, clock: 1_000) > 0)
        let disabled = try RaydiumAMMv4Pool(decoding: Self.account(status: 2))
        #expect(throws: RaydiumAMMv4Error.notTrading("status 2 takes no swaps")) {
            try disabled.quote(1_000, exactIn: true, coinIn: true, coinVault: 1_000_000, pcVault: 1_000_000, clock: 0)
        }
    }

    @Test func theFeedReadsItsVaultsIntoTheDesksModel() async throws {
        let node = try LocalSolanaRuntime()
        defer { node.stop() }
        let owner = SolanaPoolKind.raydiumAMMv4.program.description, token = SolanaPoolFixtures.tokenProgram
        let pool = SolanaPublicKey(bytes: [UInt8](repeating: 7, count: 32))
        try await node.setAccount(pubkey: Self.coinMint.description, owner: token, data: SolanaPoolFixtures.mint(decimals: 9))
        try await node.setAccount(pubkey: Self.pcMint.description, owner: token, data: SolanaPoolFixtures.mint(decimals: 6))
        try await node.setAccount(pubkey: Self.coinVault.description, owner: token,
                                  data: SolanaPoolFixtures.tokenAccount(mint: Self.coinMint, owner: pool, amount: 1_000_000_000_000))
        try await node.setAccount(pubkey: Self.pcVault.description, owner: token,
                                  data: SolanaPoolFixtures.tokenAccount(mint: Self.pcMint, owner: pool, amount: 500_000_000_000))
        try await node.setAccount(pubkey: pool.description, owner: owner, data: Self.account())
        let spec = VenueSpec(id: "raydium-v4", kind: .dex(chain: "solana"), takerFee: .zero, stalenessBound: .seconds(30))
        let symbol = Symbol(base: "SOL", quote: "USDC")
        let feed = try SolanaPoolFeed(pools: [.init(venue: spec, symbol: symbol, kind: .raydiumAMMv4, address: pool,
                                                    baseMint: Self.coinMint)], rpcURLs: [node.rpcURL], pollInterval: .seconds(60))
        defer { feed.stop() }
        _ = try await feed.instruments()
        let market = try #require(feed.market(MarketKey(venue: spec.id, symbol: symbol)))
        #expect(market.liquidity == .constantProduct(ConstantProductPool(
            reserveBase: 999_999_999_000, reserveQuote: 499_999_998_000, feeBps: 25, baseDecimals: 9, quoteDecimals: 6)))
    }
}
