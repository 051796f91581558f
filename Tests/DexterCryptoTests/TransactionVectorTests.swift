import BigInt
import DexterCrypto
import Foundation
import Testing

/// Every case of ethers.js's transaction vectors: serialised, hashed and signed byte for byte, in all four types.
@Suite struct TransactionVectorTests {
    // Source: ethers-io/ethers.js testcases/transactions.json.gz, via ../shared/vectors/eth/transactions.json.gz
    static func cases() throws -> [[String: Any]] { try Fixture.gzippedJSON(shared: "vectors/eth/transactions.json.gz") }

    func quantity(_ object: [String: Any], _ key: String) -> BigUInt {
        if let number = object[key] as? Int { return BigUInt(number) }
        guard let text = object[key] as? String, text.hasPrefix("0x") else { return 0 }
        return BigUInt(text.dropFirst(2), radix: 16) ?? 0
    }

    func transaction(_ fields: [String: Any], kind: EthereumTransaction.Kind) throws -> EthereumTransaction {
        let accessList = try (fields["accessList"] as? [[String: Any]] ?? []).map { entry in
            EthereumTransaction.AccessListEntry(
                address: try EthereumAddress(parsing: entry["address"] as? String ?? ""),
                storageKeys: try (entry["storageKeys"] as? [String] ?? []).map { try Hex.decode($0) })
        }
        return EthereumTransaction(
            kind: kind, chainId: kind == .legacy ? 0 : quantity(fields, "chainId"), nonce: quantity(fields, "nonce"),
            gasPrice: quantity(fields, "gasPrice"), maxPriorityFeePerGas: quantity(fields, "maxPriorityFeePerGas"),
            maxFeePerGas: quantity(fields, "maxFeePerGas"), gasLimit: quantity(fields, "gasLimit"),
            to: try (fields["to"] as? String).map { try EthereumAddress(parsing: $0) }, value: quantity(fields, "value"),
            data: try Hex.decode(fields["data"] as? String ?? "0x"), accessList: accessList)
    }

    @Test func everyTransactionTypeMatchesEthers() throws {
        let cases = try Self.cases()
        #expect(cases.count == 3200)
        var checked = 0
        for vector in cases {
            let name = vector["name"] as? String ?? ""
            let key = try EthereumPrivateKey(bytes: Hex.decode(vector["privateKey"] as? String ?? ""))
            let fields = vector["transaction"] as? [String: Any] ?? [:]
            for (kind, suffix) in [(EthereumTransaction.Kind.legacy, "Legacy"), (.eip155, "Eip155"), (.eip2930, "Berlin"),
                                   (.eip1559, "London")] {
                guard let unsigned = vector["unsigned\(suffix)"] as? String, !unsigned.isEmpty else { continue }
                let tx = try transaction(fields, kind: kind)
                #expect(Hex.encode(tx.unsignedSerialization) == unsigned, "\(name) \(suffix) unsigned")
                let (signature, raw) = try tx.sign(with: key)
                let expected = vector["signature\(suffix)"] as? [String: String] ?? [:]
                #expect(Hex.encode(signature.r) == expected["r"], "\(name) \(suffix) r")
                #expect(Hex.encode(signature.s) == expected["s"], "\(name) \(suffix) s")
                #expect("0x" + String(tx.v(parity: signature.recoveryId), radix: 16) == expected["v"], "\(name) \(suffix) v")
                #expect(Hex.encode(raw) == vector["signed\(suffix)"] as? String, "\(name) \(suffix) signed")
                // The signer is recoverable from the signature: what a node does to find the sender.
                if checked % 97 == 0 {
                    let recovered = try Secp256k1.recover(hash: tx.signingHash, signature: signature)
                    #expect(EthereumAddress(publicKey: recovered) == key.address, "\(name) \(suffix) recovery")
                }
                checked += 1
            }
        }
        #expect(checked > 11_000)
    }

    @Test func personalSignMatchesTheKnownSignature() throws {
        // The private key 0x…01 signing "hello": a fixed, widely published example (any RFC 6979 signer agrees).
        let key = try EthereumPrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [1])
        #expect(key.address.checksummed == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        let signature = try PersonalMessage.sign(Array("hello".utf8), with: key)
        #expect(signature.count == 65 && (signature[64] == 27 || signature[64] == 28))
        let recovered = try Secp256k1.recover(
            hash: PersonalMessage.hash(Array("hello".utf8)),
            signature: Secp256k1.Signature(r: Array(signature[0..<32]), s: Array(signature[32..<64]),
                                           recoveryId: Int(signature[64]) - 27))
        #expect(EthereumAddress(publicKey: recovered) == key.address)
    }

    @Test func keysNeverPrintTheirSecret() throws {
        let secret = "2bf558dce44ca98616ee629199215ae5401c97040664637c48e3b74e66bcb3ae"
        let key = try EthereumPrivateKey(bytes: Hex.decode(secret))
        for text in ["\(key)", String(describing: key), String(reflecting: key)] {
            #expect(!text.contains(secret) && !text.lowercased().contains(String(secret.prefix(16))))
        }
        #expect(throws: Secp256k1.Failure.invalidPrivateKey) { try EthereumPrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: Secp256k1.Failure.invalidPrivateKey) { try EthereumPrivateKey(bytes: [UInt8](repeating: 0xFF, count: 32)) }
    }
}
