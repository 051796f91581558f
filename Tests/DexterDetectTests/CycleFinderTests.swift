import DexterCore
import DexterDetect
import Foundation
import SharedTestData
import Testing

@Suite struct CycleFinderTests {
    static func algs4() throws -> [String: Any] {
        let file = try JSONSerialization.jsonObject(with: Shared.data("vectors/arbitrage/algs4_rates.json")) as? [String: Any] ?? [:]
        return file["algs4"] as? [String: Any] ?? [:]
    }

    // Source: kevin-wayne/algs4 Arbitrage.java (rates table and sample run), via ../shared/vectors/arbitrage/algs4_rates.json
    /// The algs4 currency table: its best cycle is USD→EUR→CAD→USD (×1.00714497), and the 30 profitable simple
    /// cycles are exactly those the file lists.
    @Test func findsTheKnownBestCycleAndEveryProfitableOne() throws {
        let table = try Self.algs4()
        let currencies = table["currencies"] as? [String] ?? []
        let rates = table["rates"] as? [[Double]] ?? []
        var graph = RateGraph(assetCount: currencies.count)
        for i in rates.indices { for j in rates[i].indices where i != j { graph.setRate(from: i, to: j, rates[i][j]) } }
        let all = CycleFinder.allCycles(in: graph, maxLegs: 5)
        let expected = (table["allProfitableSimpleCycles"] as? [[String: Any]] ?? []).map { entry -> [String] in
            (entry["cycle"] as? [String] ?? []).dropLast()
        }
        #expect(all.count == 30 && expected.count == 30)
        #expect(Set(all.map { $0.assets.map { currencies[$0] } }) == Set(expected))
        let best = try #require(all.first)
        #expect(best.assets.map { currencies[$0] } == ["USD", "EUR", "CAD"])
        #expect(abs(best.product - 1.00714497) < 1e-12)
        #expect(abs(best.product - (table["expectedProduct"] as? Double ?? 0)) < 1e-12)
    }

    /// Random graphs against brute force: every ordered sequence of 2…5 distinct assets, closed, kept when profitable.
    @Test func matchesBruteForceOnRandomGraphs() {
        var random = SeededGenerator(seed: 31)
        for _ in 0..<20 {
            let n = 7
            var graph = RateGraph(assetCount: n)
            var rates = Array(repeating: Array(repeating: Double?.none, count: n), count: n)
            for i in 0..<n { for j in 0..<n where i != j && random.chance(0.6) {
                let rate = 0.97 + 0.06 * random.unit()
                rates[i][j] = rate
                graph.setRate(from: i, to: j, rate)
            } }
            var brute = Set<[Int]>()
            func walk(_ path: [Int], _ product: Double) {
                if path.count >= 2, let back = rates[path.last!][path[0]], product * back > 1, path[0] == path.min() {
                    brute.insert(path)
                }
                guard path.count < 5 else { return }
                for next in 0..<n where !path.contains(next) {
                    if let rate = rates[path.last!][next] { walk(path + [next], product * rate) }
                }
            }
            for start in 0..<n { walk([start], 1) }
            let found = CycleFinder.allCycles(in: graph, maxLegs: 5)
            #expect(Set(found.map(\.assets)) == brute)
            // The incremental search from one edge finds exactly the cycles through it.
            for from in 0..<n { for to in 0..<n where rates[from][to] != nil {
                let through = Set(CycleFinder.cycles(through: (from, to), in: graph).map(\.assets))
                let expected = Set(found.filter { cycle in cycle.edges.contains { $0 == (from, to) } }.map(\.assets))
                #expect(through == expected, "edge \(from)→\(to)")
            } }
        }
    }

    // Source: kevin-wayne/algs4 Arbitrage.java (rates table and sample run), via ../shared/vectors/arbitrage/algs4_rates.json
    @Test func bestCyclesShareNoMarket() throws {
        let table = try Self.algs4()
        let rates = table["rates"] as? [[Double]] ?? []
        var graph = RateGraph(assetCount: rates.count)
        for i in rates.indices { for j in rates[i].indices where i != j { graph.setRate(from: i, to: j, rates[i][j]) } }
        let best = CycleFinder.best(CycleFinder.allCycles(in: graph), count: 3)
        #expect(!best.isEmpty && best[0].assets == [0, 1, 4])
        var edges = Set<[Int]>()
        for cycle in best { for edge in cycle.edges { #expect(edges.insert([edge.0, edge.1]).inserted) } }
    }
}
