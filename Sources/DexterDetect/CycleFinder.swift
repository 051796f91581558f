import Foundation

/// Exchange rates between assets, fees included: `rate(i, j)` units of asset j for one unit of asset i.
/// A cycle of trades is profitable when the product of its rates exceeds 1, i.e. when the sum of −ln(rate) along it
/// is negative: a negative cycle.
public struct RateGraph: Sendable {
    public let assetCount: Int
    /// −ln(rate) per edge; nil where there is no market.
    private(set) var weights: [[Double?]]
    private(set) var outgoing: [[Int]]
    /// The smallest edge weight (most favourable rate): the bound that prunes paths which can no longer close
    /// into a profitable cycle.
    private(set) var minimumWeight = Double.infinity

    public init(assetCount: Int) {
        self.assetCount = assetCount
        weights = Array(repeating: Array(repeating: nil, count: assetCount), count: assetCount)
        outgoing = Array(repeating: [], count: assetCount)
    }

    /// Sets (or, with nil, removes) the rate from `from` to `to`: the effective price after the venue's fee.
    public mutating func setRate(from: Int, to: Int, _ rate: Double?) {
        precondition(from != to, "a rate needs two assets")
        let old = weights[from][to]
        if let rate, rate > 0 {
            let weight = -log(rate)
            weights[from][to] = weight
            if old == nil { outgoing[from].append(to) }
            minimumWeight = min(minimumWeight, weight)
        } else {
            weights[from][to] = nil
            if old != nil { outgoing[from].removeAll { $0 == to } }
        }
        // The minimum left with the edge that held it: recompute.
        if let old, old <= minimumWeight, weights[from][to] != old {
            minimumWeight = weights.lazy.flatMap { $0.lazy.compactMap { $0 } }.min() ?? .infinity
        }
    }

    public func rate(from: Int, to: Int) -> Double? { weights[from][to].map { exp(-$0) } }
}

/// A closed sequence of trades: assets[0] → assets[1] → … → assets[0].
public struct Cycle: Sendable, Hashable, CustomStringConvertible {
    /// The assets in order, without repeating the first at the end; rotated so the smallest index is first.
    public let assets: [Int]
    /// What one unit of the first asset becomes after the whole cycle.
    public let product: Double

    public var legs: Int { assets.count }
    public var edges: [(Int, Int)] { assets.indices.map { (assets[$0], assets[($0 + 1) % assets.count]) } }
    public var description: String { assets.map(String.init).joined(separator: "→") + "→\(assets[0]) ×\(product)" }

    init(assets: [Int], product: Double) {
        let start = assets.indices.min { assets[$0] < assets[$1] } ?? 0
        self.assets = Array(assets[start...] + assets[..<start])
        self.product = product
    }

    public static func == (lhs: Cycle, rhs: Cycle) -> Bool { lhs.assets == rhs.assets }
    public func hash(into hasher: inout Hasher) { hasher.combine(assets) }
}

/// Negative cycles of up to `maxLegs` trades by bounded depth-first search over simple paths. After one rate
/// changes only the cycles through that edge can have changed, so `cycles(through:)` searches from it alone.
public enum CycleFinder {
    /// Every profitable simple cycle of 2…maxLegs legs that uses the edge from → to.
    public static func cycles(through edge: (from: Int, to: Int), in graph: RateGraph, maxLegs: Int = 5,
                              minProduct: Double = 1) -> [Cycle] {
        guard let first = graph.weights[edge.from][edge.to] else { return [] }
        let threshold = -log(minProduct)
        var found: [Cycle] = []
        var path = [edge.from, edge.to]
        var onPath = [Bool](repeating: false, count: graph.assetCount)
        onPath[edge.from] = true
        onPath[edge.to] = true
        // No edge is better than the best one: a path this far behind cannot close into a profitable cycle.
        let best = min(graph.minimumWeight, 0)
        func extend(_ node: Int, _ weight: Double) {
            // Close the cycle back to the edge's start.
            if let back = graph.weights[node][edge.from], weight + back < threshold {
                found.append(Cycle(assets: path, product: exp(-(weight + back))))
            }
            guard path.count < maxLegs else { return }
            let remaining = Double(maxLegs - path.count + 1)
            for next in graph.outgoing[node] where !onPath[next] {
                guard let step = graph.weights[node][next], weight + step + best * (remaining - 1) < threshold else { continue }
                path.append(next)
                onPath[next] = true
                extend(next, weight + step)
                path.removeLast()
                onPath[next] = false
            }
        }
        extend(edge.to, first)
        return found
    }

    /// Every profitable simple cycle of 2…maxLegs legs in the graph, each once.
    public static func allCycles(in graph: RateGraph, maxLegs: Int = 5, minProduct: Double = 1) -> [Cycle] {
        var seen = Set<Cycle>()
        var all: [Cycle] = []
        for from in 0..<graph.assetCount {
            for to in graph.outgoing[from] {
                for cycle in cycles(through: (from, to), in: graph, maxLegs: maxLegs, minProduct: minProduct)
                where seen.insert(cycle).inserted {
                    all.append(cycle)
                }
            }
        }
        return all.sorted { $0.product != $1.product ? $0.product > $1.product : $0.assets.lexicographicallyPrecedes($1.assets) }
    }

    /// The best few cycles that share no market (edge): taking one does not spend the liquidity another relies on.
    public static func best(_ cycles: [Cycle], count: Int) -> [Cycle] {
        var used = Set<[Int]>()
        var chosen: [Cycle] = []
        for cycle in cycles.sorted(by: { $0.product > $1.product }) where chosen.count < count {
            let edges = cycle.edges.map { [$0.0, $0.1] }
            guard edges.allSatisfy({ !used.contains($0) }) else { continue }
            used.formUnion(edges)
            chosen.append(cycle)
        }
        return chosen
    }
}
