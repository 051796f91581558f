/// A decimal string that does not denote a `FixedDecimal`.
public struct DecimalParseError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public let reason: String
    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
    public var description: String { "\"\(text)\" is not a decimal number: \(reason)" }
}

extension FixedDecimal: CustomStringConvertible, LosslessStringConvertible {
    /// The shortest exact decimal form: "1.5", "-0.000001", "42".
    public var description: String {
        let negative = raw < 0
        let magnitude = raw.magnitude
        let unit = UInt128(Self.unit)
        let integer = magnitude / unit
        var fraction = magnitude % unit
        var text = negative ? "-" : ""
        text += String(integer)
        if fraction != 0 {
            var digits = Self.fractionDigits
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    /// Parses a plain decimal ("12", "-0.5", "+3.25"); returns nil for anything else.
    public init?(_ description: String) {
        guard let value = try? FixedDecimal(parsing: description) else { return nil }
        self = value
    }

    /// Parses a plain decimal, saying exactly what is wrong with a malformed one. More than 18
    /// fractional digits is an error, not a silent rounding.
    public init(parsing text: String) throws {
        var bytes = Substring(text).utf8[...]
        guard !bytes.isEmpty else { throw DecimalParseError(text: text, reason: "empty") }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var integer: Int128 = 0
        var fraction: Int128 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digitCount = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw DecimalParseError(text: text, reason: "more than one decimal point") }
                seenPoint = true
                continue
            }
            if byte == UInt8(ascii: "_") { continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw DecimalParseError(text: text, reason: "unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
            let digit = Int128(byte - UInt8(ascii: "0"))
            digitCount += 1
            if seenPoint {
                fractionDigits += 1
                guard fractionDigits <= Self.fractionDigits else {
                    throw DecimalParseError(text: text, reason: "more than \(Self.fractionDigits) fractional digits")
                }
                fraction = fraction * 10 + digit
            } else {
                let (shifted, overflow1) = integer.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(digit)
                guard !overflow1, !overflow2, sum <= Int128.max / Self.unit else {
                    throw DecimalParseError(text: text, reason: "out of range")
                }
                integer = sum
            }
        }
        guard digitCount > 0 else { throw DecimalParseError(text: text, reason: "no digits") }
        let raw = integer * Self.unit + fraction * Self.pow10(Self.fractionDigits - fractionDigits)
        self.raw = negative ? -raw : raw
    }

    /// Fixed-point text with exactly `digits` fractional digits, rounded half to even; for display.
    public func formatted(digits: Int, grouping: Bool = false) -> String {
        let rounded = self.rounded(digits: digits)
        let negative = rounded.raw < 0
        let magnitude = rounded.raw.magnitude
        let unit = UInt128(Self.unit)
        var integerText = String(magnitude / unit)
        if grouping && integerText.count > 3 {
            var grouped = ""
            for (index, character) in integerText.enumerated() {
                if index > 0 && (integerText.count - index) % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            integerText = grouped
        }
        var text = (negative ? "-" : "") + integerText
        if digits > 0 {
            let fraction = (magnitude % unit) / UInt128(Self.pow10(Self.fractionDigits - digits))
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }
}

extension FixedDecimal: Codable {
    /// Encoded as its exact decimal string, so that JSON never turns money into a float.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = try FixedDecimal(parsing: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension FixedDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
