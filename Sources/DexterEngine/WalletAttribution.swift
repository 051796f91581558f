/// Which wallet holds which balance: the simulated (and later, connected) accounts mapped onto the trader's wallets.
public enum WalletAttribution {
    /// An exchange balance belongs to the exchange account for that venue; a chain balance to the first wallet that
    /// can sign on that chain. Balances no configured wallet can hold stay with the embedded market's paper accounts,
    /// shown after the trader's own wallets.
    public static func group(_ rows: [BalanceRow], wallets: [WalletLabel], source: String) -> [WalletBalances] {
        var result = wallets.map { wallet in
            WalletBalances(wallet: wallet, isPaper: false,
                           chains: wallet.chains.map { ChainBalances(chain: $0, assets: [], source: nil) })
        }
        var byAccount: [(account: String, chain: String?, rows: [BalanceRow])] = []
        for row in rows where !row.amount.isZero {
            if let index = byAccount.firstIndex(where: { $0.account == row.account }) {
                byAccount[index].rows.append(row)
            } else {
                byAccount.append((row.account, row.chain, [row]))
            }
        }
        for (account, chain, accountRows) in byAccount {
            let place = chain ?? account
            let owner = chain == nil
                ? result.firstIndex { $0.wallet.kind == .cex && $0.wallet.address == account }
                : result.firstIndex { $0.wallet.canSign && $0.wallet.chains.contains(place) }
            let index: Int
            if let owner {
                index = owner
            } else if chain != nil, let paper = result.firstIndex(where: { $0.isPaper && $0.wallet.kind == .evm }) {
                result[paper].wallet.chains.append(place)
                result[paper].chains.append(ChainBalances(chain: place, assets: [], source: nil))
                index = paper
            } else {
                let label = chain == nil
                    ? WalletLabel(name: account, kind: .cex, address: account, chains: [account])
                    : WalletLabel(name: "paper", kind: .evm, address: "simulated", chains: [place])
                result.append(WalletBalances(wallet: label, isPaper: true, chains: [ChainBalances(chain: place, assets: [], source: nil)]))
                index = result.count - 1
            }
            guard let slot = result[index].chains.firstIndex(where: { $0.chain == place }) else { continue }
            result[index].chains[slot].assets += accountRows
            result[index].chains[slot].assets.sort { ($0.usdValue ?? 0, $1.asset) > ($1.usdValue ?? 0, $0.asset) }
            result[index].chains[slot].source = source
        }
        return result
    }
}
