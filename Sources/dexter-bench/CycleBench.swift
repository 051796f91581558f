import DexterCore
import DexterDetect
import Foundation

/// Cyclic detection after one edge update on a 500-asset, 5,000-edge graph: the cycles (up to 5 legs) through the
/// changed edge, against networkx's `find_negative_cycle` (Bellman-Ford from the edge's source) on the same graph,
/// run by python3 in the same benchmark. Skipped, with a note, when python3 has no networkx.
enum CycleBenchmark {
    static func run() throws {
        let assets = 500, edgeCount = 5_000, updates = 200
        var random = SeededGenerator(seed: 77)
        var graph = RateGraph(assetCount: assets)
        var edges: [(Int, Int, Double)] = []
        var present = Set<Int>()
        while edges.count < edgeCount {
            let from = Int(random.next() % UInt64(assets)), to = Int(random.next() % UInt64(assets))
            guard from != to, present.insert(from * assets + to).inserted else { continue }
            // Every rate loses a little: no cycle is profitable until an update makes one.
            let rate = exp(-(0.0005 + 0.002 * random.unit()))
            edges.append((from, to, rate))
            graph.setRate(from: from, to: to, rate)
        }
        var latencies: [UInt64] = []
        var found = 0
        for index in 0..<updates {
            let (from, to, rate) = edges[(index * 97) % edges.count]
            graph.setRate(from: from, to: to, rate * 1.01)
            let start = monotonicNanoseconds()
            found += CycleFinder.cycles(through: (from, to), in: graph, maxLegs: 5).count
            latencies.append(monotonicNanoseconds() - start)
            graph.setRate(from: from, to: to, rate)
        }
        latencies.sort()
        let p50 = Double(latencies[updates / 2]) / 1000, p99 = Double(latencies[updates * 99 / 100]) / 1000
        print("cycles: \(assets) assets, \(edgeCount) edges, one edge made profitable per update (\(updates) updates): "
              + "p50 \(String(format: "%.1f", p50)) µs, p99 \(String(format: "%.1f", p99)) µs, \(found) cycles found")

        // networkx on the same graph with the first update applied.
        let (from, to, rate) = edges[0]
        var lines = edges.map { "\($0.0) \($0.1) \(-log($0.0 == from && $0.1 == to ? rate * 1.01 : $0.2))" }
        lines.insert("\(from)", at: 0)
        let path = NSTemporaryDirectory() + "dexter-cycles-\(UUID().uuidString).txt"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
            import sys, time
            try:
                import networkx as nx
            except ImportError:
                print("none"); sys.exit(0)
            rows = open(sys.argv[1]).read().split("\\n")
            source = int(rows[0]); G = nx.DiGraph()
            for r in rows[1:]:
                u, v, w = r.split(); G.add_edge(int(u), int(v), weight=float(w))
            times = []
            for _ in range(5):
                t = time.perf_counter(); nx.find_negative_cycle(G, source); times.append(time.perf_counter() - t)
            times.sort(); print(times[2] * 1e6)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        process.waitUntilExit()
        guard let networkx = Double(output) else {
            print("  networkx: not available to python3 (pip install networkx) — no ratio")
            return
        }
        print("  networkx find_negative_cycle on the same graph: median \(String(format: "%.0f", networkx)) µs; "
              + "dexter is \(String(format: "%.0f", networkx / p50))× faster at p50")
    }
}
