import BigInt
import DexterCrypto
import Foundation
import Testing

/// ethers.js's ABI vectors: every case encoded from its typed tree and decoded back, byte for byte.
@Suite struct ABIVectorTests {
    struct VectorError: Error, CustomStringConvertible {
        let description: String
    }

    /// Builds the value from the vector's `verbose` tree, guided by the parsed type.
    func value(_ node: [String: Any], _ type: ABIType) throws -> ABIValue {
        let raw = node["value"]
        switch type {
        case .uint:
            guard let text = raw as? String, let number = BigUInt(text, radix: 10) else { throw VectorError(description: "uint \(String(describing: raw))") }
            return .uint(number)
        case .int:
            guard let text = raw as? String, let number = BigInt(text, radix: 10) else { throw VectorError(description: "int \(String(describing: raw))") }
            return .int(number)
        case .address:
            return .address(try EthereumAddress(parsing: raw as? String ?? ""))
        case .bool:
            guard let flag = raw as? Bool else { throw VectorError(description: "bool \(String(describing: raw))") }
            return .bool(flag)
        case .fixedBytes:
            return .fixedBytes(try Hex.decode(raw as? String ?? ""))
        case .bytes:
            return .bytes(try Hex.decode(raw as? String ?? ""))
        case .string:
            return .string(raw as? String ?? "")
        case .array(let element, _):
            let items = raw as? [[String: Any]] ?? []
            return .array(try items.map { try value($0, element) })
        case .tuple(let members):
            let items = raw as? [[String: Any]] ?? []
            guard items.count == members.count else { throw VectorError(description: "tuple arity") }
            return .tuple(try zip(items, members).map { try value($0, $1) })
        }
    }

    // Source: ethers-io/ethers.js testcases/abi.json.gz, via ../shared/vectors/eth/abi.json.gz
    @Test func encodesAndDecodesEveryEthersCase() throws {
        let cases = try Fixture.gzippedJSON(shared: "vectors/eth/abi.json.gz")
        #expect(cases.count == 1024)
        var checked = 0
        for vector in cases {
            let name = vector["name"] as? String ?? "?"
            let type = try ABIType(parsing: vector["type"] as? String ?? "")
            let expected = try Hex.decode(vector["encoded"] as? String ?? "")
            let typed = try value(vector["verbose"] as? [String: Any] ?? [:], type)
            let encoded = try ABI.encode([typed], as: [type])
            #expect(encoded == expected, "encode \(name)")
            let decoded = try ABI.decode(expected, as: [type])
            #expect(decoded == [typed], "decode \(name)")
            #expect(try ABIType(parsing: type.description) == type, "canonical text of \(name)")
            checked += 1
        }
        #expect(checked == 1024)
    }

    @Test func parsesCanonicalTypesAndRejectsMalformedOnes() throws {
        #expect(try ABIType(parsing: "uint") == .uint(bits: 256))
        #expect(try ABIType(parsing: "(address,uint256)[2][]").description == "(address,uint256)[2][]")
        #expect(try ABIType(parsing: "bytes32[]").isDynamic)
        #expect(!(try ABIType(parsing: "(bool,bytes4)[3]").isDynamic))
        for bad in ["uint7", "uint264", "bytes33", "bytes0", "(uint256", "uint256[", "uint256[0]", "foo", "(uint256,)", ""] {
            #expect(throws: ABIType.ParseError.self, "\(bad)") { try ABIType(parsing: bad) }
        }
    }

    /// The Solidity documentation's worked example for `f(uint256,uint32[],bytes10,bytes)`.
    @Test func matchesTheSolidityDocsExample() throws {
        let types = try ["uint256", "uint32[]", "bytes10", "bytes"].map { try ABIType(parsing: $0) }
        let call = try ABI.call("f", types, [
            .uint(0x123), .array([.uint(0x456), .uint(0x789)]),
            .fixedBytes(Array("1234567890".utf8)), .bytes(Array("Hello, world!".utf8)),
        ])
        let expected = "0x8be65246"
            + "0000000000000000000000000000000000000000000000000000000000000123"
            + "0000000000000000000000000000000000000000000000000000000000000080"
            + "3132333435363738393000000000000000000000000000000000000000000000"
            + "00000000000000000000000000000000000000000000000000000000000000e0"
            + "0000000000000000000000000000000000000000000000000000000000000002"
            + "0000000000000000000000000000000000000000000000000000000000000456"
            + "0000000000000000000000000000000000000000000000000000000000000789"
            + "000000000000000000000000000000000000000000000000000000000000000d"
            + "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"
        #expect(Hex.encode(call) == expected)
        #expect(Hex.encode(ABI.selector("transfer(address,uint256)")) == "0xa9059cbb")
    }

    @Test func refusesValuesThatDoNotFitAndDataThatLies() throws {
        #expect(throws: ABIError.self) { try ABI.encode([.uint(256)], as: [.uint(bits: 8)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.int(-129)], as: [.int(bits: 8)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.fixedBytes([1, 2])], as: [.fixedBytes(3)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.bool(true)], as: [.uint(bits: 256)]) }
        let two = [UInt8](repeating: 0, count: 31) + [2]
        #expect(throws: ABIError.self) { try ABI.decode(two, as: [.bool]) }
        #expect(throws: ABIError.self) { try ABI.decode([UInt8](repeating: 0, count: 31), as: [.uint(bits: 256)]) }
        // A string whose offset points past the end, and one whose length is enormous.
        let pastEnd = [UInt8](repeating: 0, count: 31) + [0x40]
        #expect(throws: ABIError.self) { try ABI.decode(pastEnd, as: [.string]) }
        let huge = [UInt8](repeating: 0, count: 31) + [0x20] + [UInt8](repeating: 0xff, count: 32)
        #expect(throws: ABIError.self) { try ABI.decode(huge, as: [.bytes]) }
        #expect(throws: ABIError.self) { try ABI.decode(huge, as: [.array(.uint(bits: 8), count: nil)]) }
        let negative = try ABI.encode([.int(-1)], as: [.int(bits: 16)])
        #expect(negative == [UInt8](repeating: 0xff, count: 32))
        #expect(try ABI.decode(negative, as: [.int(bits: 16)]) == [.int(-1)])
        #expect(throws: ABIError.self) { try ABI.decode(negative, as: [.uint(bits: 16)]) }
    }
}
