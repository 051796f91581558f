import DexterCrypto
import Foundation
import SharedTestData
import Testing

/// A JSON file kept in Fixtures/: not in ../shared (see Fixtures/SOURCES.md).
func fixtureObject(_ name: String) throws -> Any { try JSONSerialization.jsonObject(with: Fixture.data(name)) }

/// A JSON vector file in ../shared, by its path there.
func sharedObject(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
    try JSONSerialization.jsonObject(with: Shared.data(path, sourceLocation: sourceLocation))
}

@Suite struct SolanaTests {
    // Source: bitcoin/bitcoin src/test/data/base58_encode_decode.json, via ../shared/vectors/solana/base58.json
    @Test func base58MatchesEveryVector() throws {
        let cases = try sharedObject("vectors/solana/base58.json") as? [[String]] ?? []
        #expect(cases.count == 21)
        for pair in cases {
            let bytes = try Hex.decode(pair[0])
            #expect(Base58.encode(bytes) == pair[1], "\(pair[0])")
            #expect(try Base58.decode(pair[1]) == bytes, "\(pair[1])")
        }
        #expect(throws: Base58.DecodeError.self) { try Base58.decode("0OIl") }
    }

    // Source: RFC 8032 section 7.1 (as in openssl's evppkey_ecx.txt), via ../shared/vectors/solana/ed25519_rfc8032.json
    @Test func ed25519MatchesRFC8032() throws {
        let file = try sharedObject("vectors/solana/ed25519_rfc8032.json") as? [String: Any] ?? [:]
        let cases = file["cases"] as? [[String: Any]] ?? []
        #expect(cases.count == 5)
        for vector in cases {
            let seed = try Hex.decode(vector["secretKey"] as? String ?? "")
            let message = try Hex.decode(vector["message"] as? String ?? "")
            #expect(Hex.encode(try OpenSSL.ed25519PublicKey(seed: seed), prefix: false) == vector["publicKey"] as? String)
            let signature = try OpenSSL.ed25519Sign(seed: seed, message: message)
            #expect(Hex.encode(signature, prefix: false) == vector["signature"] as? String, "\(vector["name"] ?? "")")
            #expect(OpenSSL.ed25519Verify(publicKey: try OpenSSL.ed25519PublicKey(seed: seed), message: message, signature: signature))
            #expect(!OpenSSL.ed25519Verify(publicKey: try OpenSSL.ed25519PublicKey(seed: seed), message: message + [1], signature: signature))
        }
    }

    // Source: kevinheavey/solders tests/test_shortvec_encoding.py, via ../shared/vectors/solana/shortvec.json
    @Test func shortVecMatchesSolders() throws {
        let file = try sharedObject("vectors/solana/shortvec.json") as? [String: Any] ?? [:]
        for vector in file["encode"] as? [[String: Any]] ?? [] {
            #expect(try ShortVec.encode(vector["value"] as? Int ?? -1) == (vector["bytes"] as? [Int] ?? []).map(UInt8.init))
        }
        for vector in file["decode"] as? [[String: Any]] ?? [] {
            let bytes = (vector["bytes"] as? [Int] ?? []).map(UInt8.init)
            guard !bytes.isEmpty else { continue }  // solders reads an empty input as 0; a length must have a byte here
            let decoded = try ShortVec.decode(bytes[...])
            #expect(decoded.value == vector["value"] as? Int && decoded.length == vector["length"] as? Int)
        }
        for vector in file["decodeErrors"] as? [[String: Any]] ?? [] {
            let bytes = (vector["bytes"] as? [Int] ?? []).map(UInt8.init)
            #expect(throws: ShortVec.Failure.self) { try ShortVec.decode(bytes[...]) }
        }
        for vector in file["encodeErrors"] as? [[String: Any]] ?? [] {
            #expect(throws: ShortVec.Failure.self) { try ShortVec.encode(vector["value"] as? Int ?? -1) }
        }
    }

    // Source: solana-labs/solana web3.js/test/transaction.test.ts, via ../shared/vectors/solana/transfer_tx.json
    @Test func transferMatchesWeb3js() throws {
        let file = try sharedObject("vectors/solana/transfer_tx.json") as? [String: Any] ?? [:]
        let keypair = try SolanaKeypair(seed: [UInt8](repeating: 8, count: 32))
        #expect(keypair.publicKey.description == file["fromPubkey"] as? String)
        let transaction = SolanaTransaction(
            feePayer: keypair.publicKey, recentBlockhash: try Base58.decode(file["recentBlockhash"] as? String ?? ""),
            instructions: [.transfer(from: keypair.publicKey, to: try SolanaPublicKey(base58: file["toPubkey"] as? String ?? ""),
                                     lamports: 49)])
        #expect(Data(try transaction.unsignedWire()).base64EncodedString() == file["expectedUnsignedTxBase64"] as? String)
        #expect(Data(try transaction.signed(by: [keypair])).base64EncodedString() == file["expectedSignedTxBase64"] as? String)
        #expect(throws: SolanaError.self) { try transaction.signed(by: []) }
    }

    @Test func keygenFilesRoundTripAndAreChecked() throws {
        let keypair = try SolanaKeypair(seed: [UInt8](repeating: 8, count: 32))
        let reread = try SolanaKeypair(keygenJSON: keypair.keygenJSON)
        #expect(reread.publicKey == keypair.publicKey)
        var tampered = try JSONSerialization.jsonObject(with: keypair.keygenJSON) as? [Int] ?? []
        tampered[40] ^= 1
        #expect(throws: SolanaError.self) { try SolanaKeypair(keygenJSON: JSONSerialization.data(withJSONObject: tampered)) }
        #expect(!"\(keypair)".contains("8, 8, 8"))
    }
}

@Suite struct ExchangeSigningTests {
    // Source: binance/binance-spot-api-docs rest-api.md, "HMAC Keys" example, via ../shared/vectors/exchanges/signing.json
    @Test func binanceMatchesItsDocumentedExample() throws {
        let file = try sharedObject("vectors/exchanges/signing.json") as? [String: Any] ?? [:]
        let cases = file["binance"] as? [[String: Any]] ?? []
        #expect(!cases.isEmpty)
        for vector in cases {
            #expect(ExchangeSigning.binance(secret: vector["secretKey"] as? String ?? "", payload: vector["payload"] as? String ?? "")
                == vector["expectedSignatureHex"] as? String, "\(vector["name"] ?? "")")
        }
    }

    // Source: Kraken's documented REST authentication example, via ../shared/vectors/exchanges/signing.json
    @Test func krakenMatchesItsDocumentedExample() throws {
        let file = try sharedObject("vectors/exchanges/signing.json") as? [String: Any] ?? [:]
        for vector in file["kraken"] as? [[String: Any]] ?? [] {
            #expect(try ExchangeSigning.kraken(secretBase64: vector["secretBase64"] as? String ?? "",
                                               uriPath: vector["uriPath"] as? String ?? "", nonce: vector["nonce"] as? String ?? "",
                                               postData: vector["postData"] as? String ?? "")
                == vector["expectedApiSign"] as? String)
        }
        #expect(throws: ExchangeSigning.SigningError.self) {
            try ExchangeSigning.kraken(secretBase64: "not base64!", uriPath: "/", nonce: "1", postData: "")
        }
    }

    // Source: OKX API v5 docs, REST Authentication example inputs; expected signatures ours (Fixtures/okx_signing.json)
    @Test func okxMatchesItsDocumentedExampleInputs() throws {
        let file = try fixtureObject("okx_signing") as? [String: Any] ?? [:]
        let cases = file["cases"] as? [[String: String]] ?? []
        #expect(cases.count == 2)
        for vector in cases {
            #expect(ExchangeSigning.okx(secret: vector["secret"] ?? "", timestamp: vector["timestamp"] ?? "",
                                        method: vector["method"] ?? "", requestPath: vector["requestPath"] ?? "",
                                        body: vector["body"] ?? "") == vector["expectedSign"])
        }
    }
}
