import Metrics
import DexterEngine
import Prometheus

/// swift-metrics → the Prometheus registry, with what swift-metrics cannot carry taken from the desk's catalog: each
/// metric's HELP line (promtool's lint wants one) and its histogram buckets. swift-prometheus's own factory passes
/// neither; this one is otherwise the same.
struct DeskMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    /// The catalog's entry, or a stand-in for a metric a library made (it still gets a HELP line).
    private func describe(_ label: String) -> (descriptor: MetricNameDescriptor, buckets: [Double]) {
        let known = MetricCatalog.named(label)
        let help = known?.help ?? "\(label), made by a library dexter uses."
        return (MetricNameDescriptor(metricName: label, unitName: "", helpText: help), known?.buckets ?? [])
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: describe(label).descriptor, labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: describe(label).descriptor, labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: describe(label).descriptor, labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (descriptor, buckets) = describe(label)
        guard aggregate else { return registry.makeGauge(descriptor: descriptor, labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor, labels: dimensions,
                                           buckets: buckets.isEmpty ? Self.defaultValueBuckets : buckets)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (descriptor, buckets) = describe(label)
        let bounds = buckets.isEmpty ? Self.defaultDurationBuckets : buckets
        return registry.makeDurationHistogram(descriptor: descriptor, labels: dimensions,
                                              buckets: bounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) })
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        switch handler {
        case let gauge as Prometheus.Gauge: registry.unregisterGauge(gauge)
        case let histogram as ValueHistogram: registry.unregisterValueHistogram(histogram)
        default: break
        }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }

    /// swift-prometheus's defaults, for a library's metric the catalog does not know.
    static let defaultDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let defaultValueBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
}
