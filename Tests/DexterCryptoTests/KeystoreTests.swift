import DexterCrypto
import Foundation
import Testing

@Suite struct KeystoreTests {
    // Source: ethereum/tests KeyStoreTests/basic_tests.json and ethers-io/ethers.js testcases/wallets.json.gz,
    // via ../shared/vectors/eth/keystore_v3.json
    var file: [String: Any] { (try? sharedObject("vectors/eth/keystore_v3.json") as? [String: Any]) ?? [:] }

    @Test func decryptsEveryEthereumTestsKeystore() throws {
        let cases = file["ethereum_tests_basic"] as? [String: [String: Any]] ?? [:]
        #expect(cases.count == 5)
        for (name, vector) in cases {
            let json = try JSONSerialization.data(withJSONObject: vector["json"] ?? [:])
            let key = try Keystore.decrypt(json, password: Array((vector["password"] as? String ?? "").utf8))
            let expected = try EthereumPrivateKey(bytes: Hex.decode(vector["priv"] as? String ?? ""))
            #expect(key.address == expected.address, "\(name)")
        }
    }

    @Test func decryptsEveryEthersKeystoreToItsAddress() throws {
        let wallets = (file["ethers_wallets"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "keystore" }
        #expect(wallets.count == 7)
        for wallet in wallets {
            let key = try Keystore.decrypt(Data((wallet["content"] as? String ?? "").utf8),
                                           password: Hex.decode(wallet["password"] as? String ?? "0x"))
            #expect(key.address.checksummed == wallet["address"] as? String, "\(wallet["name"] ?? "")")
        }
    }

    @Test func roundTripsAndRefusesAWrongPasswordOrATamperedFile() throws {
        let key = try EthereumPrivateKey(bytes: Hex.decode("0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"))
        let light = Keystore.ScryptParameters(n: 1 << 10, r: 8, p: 1)
        let exported = try Keystore.encrypt(key, password: Array("correct horse".utf8), parameters: light)
        #expect(try Keystore.decrypt(exported, password: Array("correct horse".utf8)).address == key.address)
        #expect(!String(decoding: exported, as: UTF8.self).contains("7a28b5ba57c53603"), "the secret is not in the file")
        #expect(throws: Keystore.Failure.wrongPasswordOrDamaged) {
            try Keystore.decrypt(exported, password: Array("wrong horse".utf8))
        }
        var object = try JSONSerialization.jsonObject(with: exported) as? [String: Any] ?? [:]
        var crypto = object["crypto"] as? [String: Any] ?? [:]
        var ciphertext = try Hex.decode(crypto["ciphertext"] as? String ?? "")
        ciphertext[5] ^= 0x01
        crypto["ciphertext"] = Hex.encode(ciphertext, prefix: false)
        object["crypto"] = crypto
        #expect(throws: Keystore.Failure.wrongPasswordOrDamaged) {
            try Keystore.decrypt(JSONSerialization.data(withJSONObject: object), password: Array("correct horse".utf8))
        }
        #expect(throws: Keystore.Failure.self) { try Keystore.decrypt(Data("{}".utf8), password: []) }
    }
}
