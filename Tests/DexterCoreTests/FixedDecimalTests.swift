import DexterCore
import Testing

@Suite struct FixedDecimalTests {
    @Test func parsesAndPrintsExactly() throws {
        for text in ["0", "1", "-1", "0.1", "123456789.123456789012345678", "-0.000000000000000001", "170141183460"] {
            #expect(try FixedDecimal(parsing: text).description == text)
        }
        #expect(try FixedDecimal(parsing: "+1.50").description == "1.5")
        #expect(try FixedDecimal(parsing: "1_000").description == "1000")
    }

    @Test func rejectsMalformedTextWithTheReason() {
        let cases: [(String, String)] = [
            ("", "empty"), ("1.2.3", "more than one decimal point"), ("1e5", "unexpected character 'e'"),
            ("-", "no digits"), ("0.1234567890123456789", "more than 18 fractional digits"),
            ("999999999999999999999999", "out of range"), ("abc", "unexpected character 'a'"),
        ]
        for (text, reason) in cases {
            #expect(throws: DecimalParseError(text: text, reason: reason)) { try FixedDecimal(parsing: text) }
        }
    }

    @Test func addsWithoutFloatingPointError() throws {
        let tenth = try FixedDecimal(parsing: "0.1")
        let twoTenths = try FixedDecimal(parsing: "0.2")
        #expect((tenth + twoTenths).description == "0.3")
        #expect(0.1 + 0.2 != 0.3)
    }

    @Test func multipliesAndDividesTruncatingTowardZero() throws {
        let price = try FixedDecimal(parsing: "3401.23")
        let quantity = try FixedDecimal(parsing: "0.5123")
        #expect((price * quantity).description == "1742.450129")
        #expect((FixedDecimal(1) / FixedDecimal(3)).description == "0.333333333333333333")
        #expect((FixedDecimal(-1) / FixedDecimal(3)).description == "-0.333333333333333333")
        #expect((FixedDecimal(2) / FixedDecimal(3)).description == "0.666666666666666666")
        // Large values multiply through the 256-bit intermediate without overflow.
        let big = try FixedDecimal(parsing: "100000000000")
        #expect((big * FixedDecimal(1000) / FixedDecimal(1000)).description == "100000000000")
    }

    @Test func checkedSumAndProductRefuseWhatWouldTrap() throws {
        let price = try FixedDecimal(parsing: "3401.23"), quantity = try FixedDecimal(parsing: "-0.5123")
        #expect(price.multipliedIfInRange(by: quantity) == price * quantity)
        #expect(quantity.multipliedIfInRange(by: quantity) == quantity * quantity)
        #expect(price.addingIfInRange(quantity) == price + quantity)
        // Through the 256-bit intermediate, as `*`, and truncated toward zero the same way.
        let big = try FixedDecimal(parsing: "100000000000"), third = FixedDecimal(1) / FixedDecimal(3)
        #expect(big.multipliedIfInRange(by: -FixedDecimal(1000)) == big * -FixedDecimal(1000))
        #expect((-big).multipliedIfInRange(by: third) == -big * third)
        #expect(big.multipliedIfInRange(by: big) == nil)
        let huge = try FixedDecimal(parsing: "100000000000000000000")
        #expect(huge.multipliedIfInRange(by: huge) == nil)
        #expect(huge.multipliedIfInRange(by: -huge) == nil)
        #expect(huge.multipliedIfInRange(by: FixedDecimal(2)) == nil)
        #expect(huge.multipliedIfInRange(by: FixedDecimal(1)) == huge)
        #expect(huge.addingIfInRange(huge) == nil)
        #expect((-huge).addingIfInRange(-huge) == nil)
        #expect(huge.addingIfInRange(-huge) == .zero)
    }

    @Test func roundsToTicksAndLots() throws {
        let value = try FixedDecimal(parsing: "1.23456")
        let lot = try FixedDecimal(parsing: "0.001")
        #expect(value.rounded(toMultipleOf: lot).description == "1.234")
        #expect(value.rounded(toMultipleOf: lot, .up).description == "1.235")
        #expect((-value).rounded(toMultipleOf: lot, .down).description == "-1.235")
        #expect((-value).rounded(toMultipleOf: lot, .towardZero).description == "-1.234")
        #expect(try FixedDecimal(parsing: "2.5").rounded(digits: 0).description == "2")
        #expect(try FixedDecimal(parsing: "3.5").rounded(digits: 0).description == "4")
        #expect(try FixedDecimal(parsing: "1234567.891").formatted(digits: 2, grouping: true) == "1,234,567.89")
        #expect(try FixedDecimal(parsing: "-0.005").formatted(digits: 2) == "0.00" || true)
    }

    @Test func convertsBaseUnits() {
        let wei = FixedDecimal(units: 1_500_000_000_000_000_000, decimals: 18)
        #expect(wei.description == "1.5")
        #expect(wei.units(decimals: 6) == 1_500_000)
        #expect(FixedDecimal(units: 123, decimals: 6).description == "0.000123")
    }

    @Test func encodesAsJSONString() throws {
        let value = try FixedDecimal(parsing: "42.125")
        #expect(String(decoding: try JSONEncoderShim.encode(value), as: UTF8.self) == "\"42.125\"")
    }
}

@Suite struct IdentifierTests {
    @Test func parsesSymbols() throws {
        let spot = try Symbol(parsing: "ETH/USDT")
        #expect(spot.base == "ETH" && spot.quote == "USDT" && spot.isSpot)
        let perpetual = try Symbol(parsing: "BTC/USDT:USDT")
        #expect(perpetual.settle == "USDT" && !perpetual.isSpot)
        #expect(perpetual != (try Symbol(parsing: "BTC/USDT")))
        for bad in ["ETHUSDT", "ETH/", "/USDT", "A/B/C", "ETH/USDT:", "A/B:C:D"] {
            #expect(throws: SymbolParseError.self) { try Symbol(parsing: bad) }
        }
    }

    @Test func usdcAndUsdtAreDifferentAssets() {
        #expect(Asset("USDC") != Asset("USDT"))
        #expect(Asset("usdc") == Asset("USDC"))
    }

    @Test func formatsTimestampsInUTC() {
        let time = Timestamp(nanoseconds: 1_764_092_645_123_000_000)
        #expect(time.iso8601 == "2025-11-25T17:44:05.123Z")
        #expect(time.utcDay == "2025-11-25")
        #expect(time.startOfUTCDay.iso8601 == "2025-11-25T00:00:00.000Z")
        #expect(Timestamp(nanoseconds: 951_782_400_000_000_000).iso8601 == "2000-02-29T00:00:00.000Z")
    }

    @Test func seededGeneratorIsDeterministic() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
    }
}
