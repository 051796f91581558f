import DexterCore
import DexterCrypto
import DexterMarket

extension SolanaPoolFeed {
    /// The most accounts getMultipleAccounts takes in one call.
    static let accountsPerCall = 100

    /// Reads these pools and what their markets are made of, each pool with its accounts at one slot. Which tick
    /// arrays, mints, config and vaults a pool needs is known only from the pool account, so a read names the accounts
    /// the pool needed last time beside it, and reads again (at most twice more) the pools whose account now asks
    /// for others: a Whirlpool whose price moved into another tick array, or a pool read for the first time.
    func readMarkets(_ indexes: [Int], at now: Timestamp) async throws -> [Int: Market] {
        var markets: [Int: Market] = [:]
        var pending = indexes
        for _ in 0..<3 where !pending.isEmpty {
            let planned = held.withLock { held in pending.map { (index: $0, dependents: held.dependents[$0]) } }
            var again: [Int] = []
            for batch in batches(planned) {
                let keys = batch.flatMap { [pools[$0.index].address] + ($0.dependents ?? []) }
                let (_, accounts) = try await client.multipleAccounts(keys, commitment)
                var offset = 0
                for (index, dependents) in batch {
                    let pool = pools[index]
                    let count = 1 + (dependents?.count ?? 0)
                    let read = Array(accounts[offset..<offset + count])
                    offset += count
                    guard let account = read[0] else {
                        throw SolanaPoolFeedError(pool: pool.name, reason: "no account at the pool's address")
                    }
                    let needed = try self.dependents(of: pool, account)
                    guard needed == dependents else {
                        held.withLock { $0.dependents[index] = needed }
                        again.append(index)
                        continue
                    }
                    markets[index] = try Self.market(pool, account, dependents: Array(read.dropFirst()),
                                                     addresses: needed, at: now)
                }
            }
            pending = again
        }
        if let moving = pending.first {
            throw SolanaPoolFeedError(pool: pools[moving].name, reason: "its accounts changed under three reads in a row")
        }
        return markets
    }

    /// Pools grouped so that each call reads at most 100 accounts, a pool's accounts always in one call.
    private func batches(_ planned: [(index: Int, dependents: [SolanaPublicKey]?)])
        -> [[(index: Int, dependents: [SolanaPublicKey]?)]] {
        var batches: [[(index: Int, dependents: [SolanaPublicKey]?)]] = [[]]
        var size = 0
        for entry in planned {
            let count = 1 + (entry.dependents?.count ?? 0)
            if size + count > Self.accountsPerCall, !batches[batches.count - 1].isEmpty {
                batches.append([])
                size = 0
            }
            batches[batches.count - 1].append(entry)
            size += count
        }
        return batches
    }

    /// The accounts a pool's market is made of besides the pool, as the pool account names them: a Whirlpool's two
    /// mints (for their decimals) and the tick arrays around its price, a CPMM pool's AmmConfig and two vaults.
    func dependents(of pool: WatchedPool, _ account: SolanaAccount) throws -> [SolanaPublicKey] {
        try Self.checkOwner(pool, account, pool.kind.program, what: "the pool account")
        switch pool.kind {
        case .whirlpool:
            let state = try Self.decoded(pool) { () throws(AccountDecodeError) in try WhirlpoolState(decoding: account.data) }
            return [state.tokenMintA, state.tokenMintB] + (try Self.tickArrayStarts(state).map { start in
                try tickArrayAddress(pool.address, start: start)
            })
        case .raydiumCPMM:
            let state = try Self.decoded(pool) { () throws(AccountDecodeError) in try RaydiumCPMMPool(decoding: account.data) }
            return [state.ammConfig, state.token0Vault, state.token1Vault]
        case .raydiumAMMv4:
            let state = try Self.decoded(pool) { () throws(AccountDecodeError) in try RaydiumAMMv4Pool(decoding: account.data) }
            return [state.coinVault, state.pcVault]
        }
    }

    /// The array holding the current tick and two on each side: what a swap of either direction reads first.
    package static func tickArrayStarts(_ state: WhirlpoolState) -> [Int] {
        let span = WhirlpoolTickArray.ticksPerArray * Int(state.tickSpacing)
        let holding = WhirlpoolTickArray.startIndex(holding: Int(state.tickCurrentIndex), tickSpacing: state.tickSpacing)
        return (-2...2).map { holding + $0 * span }
    }

    /// The tick array's PDA: seeds "tick_array", the pool, the start index in decimal (derived once per array).
    private func tickArrayAddress(_ pool: SolanaPublicKey, start: Int) throws -> SolanaPublicKey {
        let key = TickArrayKey(pool: pool, start: start)
        if let known = held.withLock({ $0.tickArrayAddresses[key] }) { return known }
        let address = try SolanaPublicKey.findProgramAddress(
            seeds: [Array("tick_array".utf8), pool.bytes, Array(String(start).utf8)], program: SolanaPoolKind.whirlpoolProgram).address
        held.withLock { $0.tickArrayAddresses[key] = address }
        return address
    }

    /// The pool's market from its accounts as read, `dependents` in the order `dependents(of:)` named them (nil where
    /// no account exists).
    package static func market(_ pool: WatchedPool, _ account: SolanaAccount, dependents: [SolanaAccount?],
                               addresses: [SolanaPublicKey], at now: Timestamp) throws -> Market {
        func required(_ position: Int, _ what: String, owner: SolanaPublicKey?) throws -> SolanaAccount {
            guard let found = dependents[position] else {
                throw SolanaPoolFeedError(pool: pool.name, reason: "\(what) \(addresses[position]) has no account")
            }
            if let owner { try checkOwner(pool, found, owner, what: "\(what) \(addresses[position])") }
            return found
        }
        let liquidity: Liquidity, baseDecimals: Int, quoteDecimals: Int
        switch pool.kind {
        case .whirlpool:
            let state = try decoded(pool) { () throws(AccountDecodeError) in try WhirlpoolState(decoding: account.data) }
            let baseIsA = try baseIsFirst(pool, state.tokenMintA, state.tokenMintB)
            let mintAccounts = (try required(0, "token_mint_a", owner: nil), try required(1, "token_mint_b", owner: nil))
            let mintA = try decoded(pool) { () throws(AccountDecodeError) in try SPLMint(decoding: mintAccounts.0.data) }
            let mintB = try decoded(pool) { () throws(AccountDecodeError) in try SPLMint(decoding: mintAccounts.1.data) }
            var arrays: [WhirlpoolTickArray] = []
            for (offset, start) in tickArrayStarts(state).enumerated() {
                guard let found = dependents[2 + offset] else {
                    arrays.append(WhirlpoolTickArray(absentAt: Int32(start)))
                    continue
                }
                try checkOwner(pool, found, SolanaPoolKind.whirlpoolProgram, what: "tick array \(start)")
                let array = try decoded(pool) { () throws(AccountDecodeError) in try WhirlpoolTickArray(decoding: found.data) }
                guard Int(array.startTickIndex) == start, array.whirlpool == pool.address else {
                    throw SolanaPoolFeedError(pool: pool.name, reason: "tick array \(addresses[2 + offset]) starts at "
                        + "\(array.startTickIndex) of \(array.whirlpool?.description ?? "no pool"), not \(start) of this pool")
                }
                arrays.append(array)
            }
            let concentrated = SolanaPoolModels.concentrated(state, tickArrays: arrays, decimalsA: Int(mintA.decimals),
                                                             decimalsB: Int(mintB.decimals), baseIsA: baseIsA)
            (liquidity, baseDecimals, quoteDecimals) = (.concentrated(concentrated), concentrated.baseDecimals,
                                                        concentrated.quoteDecimals)
        case .raydiumCPMM:
            let state = try decoded(pool) { () throws(AccountDecodeError) in try RaydiumCPMMPool(decoding: account.data) }
            let baseIsToken0 = try baseIsFirst(pool, state.token0Mint, state.token1Mint)
            let configAccount = try required(0, "amm_config", owner: SolanaPoolKind.raydiumCPMMProgram)
            let config = try decoded(pool) { () throws(AccountDecodeError) in try RaydiumCPMMConfig(decoding: configAccount.data) }
            var vaults: [UInt64] = []
            for (position, mint) in [(1, state.token0Mint), (2, state.token1Mint)] {
                let vaultAccount = try required(position, "token_\(position - 1)_vault", owner: nil)
                let vault = try decoded(pool) { () throws(AccountDecodeError) in try SPLTokenAccount(decoding: vaultAccount.data) }
                guard vault.mint == mint else {
                    throw SolanaPoolFeedError(pool: pool.name, reason: "vault \(addresses[position]) holds mint "
                                              + "\(vault.mint), not the pool's token \(position - 1) \(mint)")
                }
                vaults.append(vault.amount)
            }
            let constantProduct: ConstantProductPool
            do {
                constantProduct = try SolanaPoolModels.constantProduct(state, config: config, vault0: vaults[0],
                                                                       vault1: vaults[1], baseIsToken0: baseIsToken0)
            } catch {
                throw SolanaPoolFeedError(pool.name, error)
            }
            (liquidity, baseDecimals, quoteDecimals) = (.constantProduct(constantProduct), constantProduct.baseDecimals,
                                                        constantProduct.quoteDecimals)
        case .raydiumAMMv4:
            let state = try decoded(pool) { () throws(AccountDecodeError) in try RaydiumAMMv4Pool(decoding: account.data) }
            let baseIsCoin = try baseIsFirst(pool, state.coinMint, state.pcMint)
            var vaults: [UInt64] = []
            for (position, mint, name) in [(0, state.coinMint, "coin_vault"), (1, state.pcMint, "pc_vault")] {
                let vaultAccount = try required(position, name, owner: nil)
                let vault = try decoded(pool) { () throws(AccountDecodeError) in try SPLTokenAccount(decoding: vaultAccount.data) }
                guard vault.mint == mint else {
                    throw SolanaPoolFeedError(pool: pool.name, reason: "\(name) \(addresses[position]) holds mint \(vault.mint), not \(mint)")
                }
                vaults.append(vault.amount)
            }
            let constantProduct: ConstantProductPool
            do {
                constantProduct = try SolanaPoolModels.constantProduct(state, coinVault: vaults[0], pcVault: vaults[1],
                                                                       baseIsCoin: baseIsCoin)
            } catch {
                throw SolanaPoolFeedError(pool.name, error)
            }
            (liquidity, baseDecimals, quoteDecimals) = (.constantProduct(constantProduct), constantProduct.baseDecimals,
                                                        constantProduct.quoteDecimals)
        }
        let instrument = SolanaPoolModels.instrument(pool.symbol, baseDecimals: baseDecimals, quoteDecimals: quoteDecimals)
        return Market(venue: pool.venue, instrument: instrument, liquidity: liquidity,
                      gasUnits: Int(SolanaFees.signatureLamports), venueTime: now,
                      receivedAt: now)
    }

    /// Whether the configured base mint is the pool's first token (Whirlpool's A, CPMM's 0); one of the two it must be.
    private static func baseIsFirst(_ pool: WatchedPool, _ first: SolanaPublicKey, _ second: SolanaPublicKey) throws -> Bool {
        guard pool.baseMint == first || pool.baseMint == second else {
            throw SolanaPoolFeedError(pool: pool.name, reason: "the base mint \(pool.baseMint) is neither of the pool's "
                                      + "tokens \(first) and \(second)")
        }
        return pool.baseMint == first
    }

    private static func checkOwner(_ pool: WatchedPool, _ account: SolanaAccount, _ owner: SolanaPublicKey,
                                   what: String) throws {
        guard account.owner == owner else {
            throw SolanaPoolFeedError(pool: pool.name, reason: "\(what) is owned by \(account.owner), not \(owner)")
        }
    }

    private static func decoded<T>(_ pool: WatchedPool, _ decode: () throws(AccountDecodeError) -> T) throws -> T {
        do { return try decode() } catch { throw SolanaPoolFeedError(pool: pool.name, reason: error.description) }
    }
}

extension SolanaAccount {
    /// An account as given, not read (dexter-bench decodes vector bytes through the feed's own path).
    package init(lamports: UInt64, owner: SolanaPublicKey, data: [UInt8]) {
        self.lamports = lamports
        self.owner = owner
        self.data = data
        executable = false
    }
}
