import DexterCrypto

/// The pool families followed by reading them whole (Curve, Balancer): a log says which pool changed, and that pool
/// alone is read again at the new head — a few words per pool, once per block that touched it.
extension PoolFollower {
    /// The watched Curve or Balancer pool a log changes; nil for any other log.
    func readWholeAfter(_ log: ChainLog) -> EthereumAddress? {
        guard let topic = log.topics.first else { return nil }
        if curve[log.address] != nil { return CurveEvents.topics.contains(topic) ? log.address : nil }
        if balancer[log.address] != nil, BalancerEvents.poolTopics.contains(topic) { return log.address }
        guard BalancerEvents.vaultTopics.contains(topic), log.topics.count > 1 else { return nil }
        return balancer.values.first {
            $0.poolId == log.topics[1] && balancerVault(of: $0.address) == log.address
        }?.address
    }

    private func balancerVault(of pool: EthereumAddress) -> EthereumAddress? {
        balancerWatches.first { $0.address == pool }?.reader.vault
    }

    /// The Curve and Balancer pools at `latest`: those `changed` and the Curve pools ramping A read again there; the
    /// others as held, now known to stand at `latest` too.
    func wholeStates(at latest: BlockHeader, changed: Set<EthereumAddress>) async throws(FollowError)
        -> (curve: [EthereumAddress: CurvePoolState], balancer: [EthereumAddress: BalancerPoolState]) {
        var curve = self.curve, balancer = self.balancer
        do throws(PoolReadError) {
            for watch in curveWatches {
                guard let held = curve[watch.address] else { continue }
                let ramping = held.rampEnds > 0 && (latest.timestamp.map { $0 <= held.rampEnds } ?? true)
                if changed.contains(watch.address) || ramping {
                    curve[watch.address] = try await watch.reader.read(watch.address, at: latest.number,
                                                                       decimals: held.decimals)
                } else {
                    curve[watch.address]!.block = latest.number
                }
            }
            for watch in balancerWatches {
                guard let held = balancer[watch.address] else { continue }
                if changed.contains(watch.address) {
                    balancer[watch.address] = try await watch.reader.read(
                        watch.address, poolId: held.poolId, at: latest.number, decimals: held.decimals)
                } else {
                    balancer[watch.address]!.block = latest.number
                }
            }
        } catch {
            throw .pool(error)
        }
        return (curve, balancer)
    }
}
