#if canImport(Glibc)
import Glibc
#endif
import DexterEngine
import Metrics
import Prometheus

/// The desk's metrics as Prometheus scrapes them (GET /metrics, text format 0.0.4).
///
/// swift-metrics has one backend per process, chosen once: `bootstrap()` chooses this registry the first time and
/// returns the same one after. Metrics bind to the backend when they are made, so `dexter serve` bootstraps before
/// it opens the engine; without it (the desk on a terminal, the benches) every metric is a no-op.
public enum DeskMetrics {
    /// The text format's content type, for the response's header.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Bootstraps swift-metrics with the Prometheus registry (once per process; later calls return the same one).
    @discardableResult
    public static func bootstrap() -> PrometheusCollectorRegistry { bootstrapped.registry }

    /// Every metric now, in the text format; process memory is read at this moment. Bootstraps if nothing did.
    public static func exposition() -> String {
        let process = bootstrapped
        if let memory = ProcessMemory.now() {
            process.resident.set(to: Double(memory.residentBytes))
            process.virtual.set(to: Double(memory.virtualBytes))
        }
        return process.registry.emitToString()
    }

    /// Made on first use, once: Swift runs a static's initialiser exactly once, whichever thread asks first.
    private static let bootstrapped: Bootstrapped = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DeskMetricsFactory(registry: registry))
        return Bootstrapped(registry: registry)
    }()

    private struct Bootstrapped: Sendable {
        let registry: PrometheusCollectorRegistry
        /// Set when scraped, straight on the registry: nothing in the desk moves them.
        let resident: Prometheus.Gauge
        let virtual: Prometheus.Gauge

        init(registry: PrometheusCollectorRegistry) {
            self.registry = registry
            func gauge(_ metric: DeskMetric) -> Prometheus.Gauge {
                registry.makeGauge(descriptor: MetricNameDescriptor(metricName: metric.name, unitName: "", helpText: metric.help))
            }
            resident = gauge(MetricCatalog.residentMemory)
            virtual = gauge(MetricCatalog.virtualMemory)
        }
    }
}

/// The process's memory as Linux reports it in /proc/self/statm (sizes in pages: total, then resident).
enum ProcessMemory {
    static func now() -> (residentBytes: Int, virtualBytes: Int)? {
        #if os(Linux)
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ").compactMap { Int($0.trimmingSuffixNewline) }
        guard fields.count >= 2 else { return nil }
        let page = sysconf(Int32(_SC_PAGESIZE))
        return (fields[1] * page, fields[0] * page)
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// A /proc file's text (a /proc file reports no size, so it is read until the end).
    private static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}

private extension Substring {
    var trimmingSuffixNewline: Substring { last == "\n" ? dropLast() : self }
}
