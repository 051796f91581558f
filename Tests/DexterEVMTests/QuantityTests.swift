import BigInt
@testable import DexterEVM
import Testing

/// The examples of execution-apis' "Value encoding" section, both ways.
struct QuantityTests {
    @Test func quantitiesAreReadAndWrittenAsTheSpecSpellsThem() throws {
        #expect(try Quantity.parse("0x41") == 65)
        #expect(try Quantity.parse("0x400") == 1024)
        #expect(try Quantity.parse("0x0") == 0)
        #expect(Quantity.format(0) == "0x0")
        #expect(Quantity.format(1024) == "0x400")
        let max = BigUInt(1) << 256 - 1
        #expect(try Quantity.parse(Quantity.format(max)) == max)
    }

    @Test func badQuantitiesNameTheirFault() {
        for (text, problem) in [("0x", "no digits (zero is 0x0)"), ("0x0400", "leading zero"), ("ff", "no 0x prefix"),
                                ("0xfg", "not a hex digit"), ("0x1" + String(repeating: "0", count: 64), "more than 256 bits")] {
            #expect(throws: Quantity.Malformed(text: text, problem: problem)) { try Quantity.parse(text) }
        }
    }

    @Test func dataKeepsItsLeadingZeros() throws {
        #expect(try HexData.parse("0x") == [])
        #expect(try HexData.parse("0x004200") == [0x00, 0x42, 0x00])
        #expect(HexData.format([0x00, 0x42]) == "0x0042")
        #expect(throws: HexData.Malformed(text: "0xf0f", problem: "an odd number of digits")) { try HexData.parse("0xf0f") }
        #expect(throws: HexData.Malformed(text: "004200", problem: "no 0x prefix")) { try HexData.parse("004200") }
    }
}
