#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds since the Unix epoch. Venue times, receive times and ledger times all use it.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(milliseconds: Int64) { self.nanoseconds = milliseconds * 1_000_000 }
    public init(seconds: Double) { self.nanoseconds = Int64(seconds * 1e9) }

    public static let zero = Timestamp(nanoseconds: 0)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public func adding(_ duration: Duration) -> Timestamp {
        Timestamp(nanoseconds: nanoseconds + duration.nanosecondsClamped)
    }

    public func duration(since earlier: Timestamp) -> Duration { .nanoseconds(nanoseconds - earlier.nanoseconds) }

    public var secondsSinceEpoch: Double { Double(nanoseconds) / 1e9 }

    /// ISO 8601 in UTC with milliseconds: 2026-11-25T17:44:05.123Z.
    public var iso8601: String {
        let (seconds, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        let wholeSeconds = remainder < 0 ? seconds - 1 : seconds
        let millis = (remainder < 0 ? remainder + 1_000_000_000 : remainder) / 1_000_000
        let civil = CivilTime(unixSeconds: wholeSeconds)
        return civil.dateText + "T" + civil.timeText + "." + Self.pad(Int(millis), 3) + "Z"
    }

    /// The UTC calendar day, "2026-11-25".
    public var utcDay: String { CivilTime(unixSeconds: nanoseconds / 1_000_000_000).dateText }

    /// Midnight UTC at the start of this timestamp's day.
    public var startOfUTCDay: Timestamp {
        let day: Int64 = 86_400 * 1_000_000_000
        let floored = nanoseconds >= 0 ? nanoseconds / day : (nanoseconds - day + 1) / day
        return Timestamp(nanoseconds: floored * day)
    }

    /// "17:44:05" in UTC.
    public var utcClock: String { CivilTime(unixSeconds: nanoseconds / 1_000_000_000).timeText }

    public var description: String { iso8601 }

    /// The instant a Gregorian UTC date and time names (Howard Hinnant's days-from-civil); fields are not checked.
    public init(utcYear year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = Int64(era * 146_097 + dayOfEra - 719_468)
        self.init(nanoseconds: (((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60 + Int64(second)) * 1_000_000_000)
    }

    /// Reads an RFC 3339 UTC time as venues send it: "2023-10-06T17:35:55.440295Z", 0 to 9 fraction digits (more
    /// are cut), "Z" or "+00:00". Nil for anything else, and for dates outside 1970…2262.
    public init?(rfc3339 text: some StringProtocol) {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ at: Int, is character: Character) -> Bool { at < bytes.count && bytes[at] == character.asciiValue! }
        guard let year = number(0, 4), byte(4, is: "-"), let month = number(5, 2), byte(7, is: "-"),
              let day = number(8, 2), byte(10, is: "T") || byte(10, is: "t") || byte(10, is: " "),
              let hour = number(11, 2), byte(13, is: ":"), let minute = number(14, 2), byte(16, is: ":"),
              let second = number(17, 2),
              (1970...2261).contains(year), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61
        else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if byte(index, is: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 9 { fraction = fraction * 10 + Int64(bytes[index] - 0x30); digits += 1 }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        guard rest == "Z" || rest == "z" || rest == "+00:00" else { return nil }
        let whole = Timestamp(utcYear: year, month: month, day: day, hour: hour, minute: minute, second: second)
        self.init(nanoseconds: whole.nanoseconds + fraction)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// Gregorian UTC fields from Unix seconds (Howard Hinnant's days-from-civil inverse), so that formatting a
/// timestamp needs neither Foundation nor the process time zone.
struct CivilTime {
    var year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64

    init(unixSeconds: Int64) {
        var days = unixSeconds / 86_400
        var secondsOfDay = unixSeconds % 86_400
        if secondsOfDay < 0 { secondsOfDay += 86_400; days -= 1 }
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    var dateText: String {
        Timestamp.pad(Int(year), 4) + "-" + Timestamp.pad(Int(month), 2) + "-" + Timestamp.pad(Int(day), 2)
    }
    var timeText: String {
        Timestamp.pad(Int(hour), 2) + ":" + Timestamp.pad(Int(minute), 2) + ":" + Timestamp.pad(Int(second), 2)
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to Int64.
    public var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product + attoseconds / 1_000_000_000
    }

    public var secondsDouble: Double { Double(nanosecondsClamped) / 1e9 }
}

/// Where "now" comes from. The engine and the simulator read time only through a clock, so tests advance
/// time by hand and the simulated market stays deterministic.
public protocol Clock: Sendable {
    func now() -> Timestamp
}

/// The system's real-time clock.
public struct WallClock: Clock {
    public init() {}
    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

/// Another time's clock, running at `speed` times the wall clock from when it is made: a recorded day replayed at
/// its own pace (speed 1) or faster. Read from the monotonic clock, so a wall-clock step does not jump it.
public struct PacedClock: Clock {
    public let start: Timestamp
    public let speed: Double
    private let wallStart: UInt64

    public init(start: Timestamp, speed: Double = 1) {
        precondition(speed > 0 && speed.isFinite, "a paced clock runs forward")
        self.start = start
        self.speed = speed
        self.wallStart = monotonicNanoseconds()
    }

    public func now() -> Timestamp {
        let elapsed = Double(monotonicNanoseconds() - wallStart) * speed
        return Timestamp(nanoseconds: start.nanoseconds + Int64(min(elapsed, Double(Int64.max / 2))))
    }
}

/// Monotonic nanoseconds for measuring intervals (benchmarks, latency), never for timestamps.
public func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
