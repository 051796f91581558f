import BigInt
import DexterCrypto
import Foundation
import SharedTestData
import Testing

enum Fixture {
    /// A vector file kept in Fixtures/: not in ../shared (see Fixtures/SOURCES.md).
    static func data(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    /// A `.json.gz` vector file in ../shared, inflated by the system gzip (Foundation has no inflater on Linux).
    static func gzippedJSON(shared path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let url = try Shared.url(path, sourceLocation: sourceLocation)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }
}

@Suite struct KeccakTests {
    // Source: ethers-io/ethers.js testcases/hashes.json.gz, via ../shared/vectors/eth/keccak256.json
    @Test func matchesEveryEthersVector() throws {
        let cases = try JSONSerialization.jsonObject(with: Shared.data("vectors/eth/keccak256.json")) as? [[String: String]] ?? []
        #expect(cases.count == 257)
        for vector in cases {
            let input = try Hex.decode(vector["data"] ?? "")
            #expect(Hex.encode(Keccak256.hash(input)) == vector["keccak256"], "input \(vector["data"] ?? "")")
        }
    }

    @Test func handlesInputsAcrossTheRateBoundary() {
        // 135, 136 and 137 bytes straddle one absorbed block; each must differ and be stable.
        let hashes = [135, 136, 137, 272].map { Keccak256.hash([UInt8](repeating: 0x61, count: $0)) }
        #expect(Set(hashes.map { Hex.encode($0) }).count == 4)
        #expect(Hex.encode(Keccak256.hash(Array("".utf8))) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }
}

@Suite struct RLPTests {
    /// The ethereum/tests input forms: a string (its bytes), an integer, "#<decimal>" for a big integer, or a list.
    func item(_ value: Any) -> RLPItem {
        if let text = value as? String {
            if text.hasPrefix("#"), let big = BigUInt(text.dropFirst(), radix: 10) { return .bytes(Array(big.serialize())) }
            return .bytes(Array(text.utf8))
        }
        if let number = value as? Int { return .integer(number) }
        if let list = value as? [Any] { return .list(list.map(item)) }
        return .bytes([])
    }

    // Source: ethereum/tests RLPTests/rlptest.json, via ../shared/vectors/eth/rlp.json
    @Test func encodesAndDecodesEveryValidVector() throws {
        let cases = try JSONSerialization.jsonObject(with: Shared.data("vectors/eth/rlp.json")) as? [String: [String: Any]] ?? [:]
        #expect(cases.count == 28)
        for (name, vector) in cases {
            let expected = vector["out"] as? String ?? ""
            let value = item(vector["in"] as Any)
            #expect(Hex.encode(RLP.encode(value)) == expected.lowercased(), "\(name)")
            #expect(try RLP.decode(Hex.decode(expected)) == value, "\(name)")
        }
    }

    // Source: ethereum/tests RLPTests/invalidRLPTest.json, via ../shared/vectors/eth/rlp_invalid.json
    @Test func rejectsEveryInvalidVector() throws {
        let cases = try JSONSerialization.jsonObject(with: Shared.data("vectors/eth/rlp_invalid.json")) as? [String: [String: Any]] ?? [:]
        #expect(cases.count == 26)
        for (name, vector) in cases {
            let bytes = try Hex.decode(vector["out"] as? String ?? "")
            #expect(throws: RLPError.self, "\(name) must be rejected") { try RLP.decode(bytes) }
        }
    }

    @Test func saysWhatIsWrong() {
        #expect(throws: RLPError.leadingZerosInLength(offset: 0)) { try RLP.decode([0xB8, 0x00]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, 0x00]) }
        #expect(throws: RLPError.trailingBytes(offset: 1)) { try RLP.decode([0x01, 0x02]) }
        #expect(throws: RLPError.truncated(offset: 0)) { try RLP.decode([0x83, 0x61]) }
    }
}

@Suite struct AddressTests {
    // Source: the `to` addresses (checksummed by ethers.js) of the first 64 cases of ethers-io/ethers.js
    // testcases/transactions.json.gz, via ../shared/vectors/eth/transactions.json.gz; and the EIP-55 specification's
    // own examples (ethereum/EIPs EIPS/eip-55.md, CC0) in Fixtures/eip55.json.
    @Test func checksumsAsEIP55AndEthersDo() throws {
        let file = try JSONSerialization.jsonObject(with: Fixture.data("eip55")) as? [String: Any] ?? [:]
        let transactions = try Fixture.gzippedJSON(shared: "vectors/eth/transactions.json.gz")
        let ethers = transactions.compactMap { ($0["transaction"] as? [String: Any])?["to"] as? String }.prefix(64)
        #expect(ethers.count == 64)
        for address in ethers + (file["eip55"] as? [String] ?? []) {
            let parsed = try EthereumAddress(parsing: address.lowercased())
            #expect(parsed.checksummed == address || address == address.lowercased() || address == "0x" + address.dropFirst(2).uppercased())
            #expect(try EthereumAddress(parsing: parsed.checksummed) == parsed)
        }
        #expect(try EthereumAddress(parsing: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").checksummed
            == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    }

    @Test func refusesAMistypedChecksum() {
        #expect(throws: EthereumAddress.ParseError.self) {
            try EthereumAddress(parsing: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")
        }
        #expect(throws: EthereumAddress.ParseError.self) { try EthereumAddress(parsing: "0x1234") }
    }
}
