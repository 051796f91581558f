import DexterCore
import DexterNet
import DexterVenues

/// Bybit's per-UID, per-endpoint budgets as its answers state them (`X-Bapi-Limit`: the endpoint's limit per second,
/// `X-Bapi-Limit-Status`: what is left of this window, `X-Bapi-Limit-Reset-Timestamp`: when the window frees a
/// request), and the hold after a refusal: 10006 holds every request until the reset it named (sending earlier is
/// what earns the IP ban), an HTTP 403 (IP limit or ban) holds them ten minutes (docs: "at least 10 minutes").
struct BybitRateLimits: Sendable {
    struct Window: Sendable {
        var limit: Int
        var left: Int
        /// Local time the window frees a request (the venue's timestamp less the clock offset).
        var reset: Timestamp
        var seen: Timestamp
    }

    static let ipBan: Duration = .seconds(600)
    private(set) var windows: [String: Window] = [:]
    private(set) var heldUntil: Timestamp?
    private(set) var holdReason = ""

    /// Reads an answer's headers for `path`; `offsetMillis` turns Bybit's times into local ones.
    mutating func observe(_ answer: HTTPAnswer, path: String, offsetMillis: Int64, at now: Timestamp) {
        guard let stated = answer.header("X-Bapi-Limit").flatMap(Int.init),
              let remaining = answer.header("X-Bapi-Limit-Status").flatMap(Int.init) else { return }
        // Clamped to sense (Bybit's limits are tens a second), so no arithmetic on them can overflow.
        let limit = min(max(stated, 0), 1_000_000), left = min(max(remaining, 0), limit)
        let reset = answer.header("X-Bapi-Limit-Reset-Timestamp").flatMap(Int64.init)
            .flatMap { $0 > 0 && $0 < 9_000_000_000_000 ? Timestamp(milliseconds: $0 - offsetMillis) : nil } ?? now
        windows[path] = Window(limit: limit, left: left, reset: reset, seen: now)
    }

    /// 10006 on `path`: nothing is sent before its window's reset (a second from now when no header said).
    mutating func tooManyVisits(path: String, at now: Timestamp) {
        let reset = windows[path].map { max($0.reset, now) } ?? now.adding(.seconds(1))
        hold(until: reset.adding(.milliseconds(50)), reason: "Bybit answered 10006 (too many visits) on \(path)")
    }

    mutating func banned(at now: Timestamp) {
        hold(until: now.adding(Self.ipBan), reason: "Bybit answered HTTP 403 (IP rate limit or ban)")
    }

    private mutating func hold(until time: Timestamp, reason: String) {
        if heldUntil.map({ time > $0 }) ?? true { heldUntil = time }
        holdReason = reason
    }

    /// Why nothing may be sent now, or nil.
    func hold(at now: Timestamp) -> (until: Timestamp, reason: String)? {
        guard let heldUntil, heldUntil > now else { return nil }
        return (heldUntil, holdReason)
    }

    /// The order budget (`/v5/order/create`) and the fullest other endpoint's, for the Risk panel. A window seen
    /// more than its second ago is empty again.
    func usage(at now: Timestamp) -> [RateLimitUsage] {
        let held = hold(at: now)?.until
        func used(_ window: Window) -> Int {
            now.duration(since: window.seen) > .seconds(1) && window.reset <= now ? 0 : window.limit - window.left
        }
        let order = windows["/v5/order/create"]
        let others = windows.filter { $0.key != "/v5/order/create" }.values
        let fullest = others.max { a, b in used(a) * b.limit < used(b) * a.limit }
        return [RateLimitUsage(name: "api", used: fullest.map(used) ?? 0, limit: fullest?.limit ?? 50, heldUntil: held),
                RateLimitUsage(name: "ord", used: order.map(used) ?? 0, limit: order?.limit ?? 10, heldUntil: held)]
    }
}

/// A request dexter did not send because Bybit's rate limit holds it: it never reached Bybit.
public struct BybitRateLimitHold: Error, Sendable, CustomStringConvertible {
    public let request: String
    public let until: Timestamp
    public let reason: String

    public var description: String { "Bybit \(request): not sent, \(reason); held until \(until)" }
}
