import DexterRisk
import Testing

@Suite struct DenyListTests {
    @Test func readsLinesAndCSVAndMatchesEVMInAnyCase() throws {
        let text = """
            # OFAC extract
            0x8589427373D6D84E98730D7795D8f6f8731FDA16
            name,address,listed
            "Tornado Cash","0x722122dF12D4e14e13Ac3b6895a86e84145b6967",2022-08-08
            9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM

            """
        let list = try DenyList(text: text)
        #expect(list.count == 3)
        #expect(list.contains("0x8589427373d6d84e98730d7795d8f6f8731fda16"))
        #expect(list.contains("0x722122DF12D4E14E13AC3B6895A86E84145B6967"))
        #expect(list.contains("9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"))
        // Solana addresses are case-sensitive.
        #expect(!list.contains("9wzdxwbbmkg8ztbnmquxvqrayrzzdsgydlvl9zytawwm"))
        #expect(!list.contains("0x0000000000000000000000000000000000000000"))
    }

    @Test func aLineThatIsNotAnAddressIsNamed() {
        do {
            _ = try DenyList(text: "0x8589427373D6D84E98730D7795D8f6f8731FDA16\n0x1234\n")
            Issue.record("a malformed line was accepted")
        } catch {
            #expect(error.description == "line 2: \"0x1234\" is not an EVM (0x + 40 hex) or Solana (base58) address")
        }
    }
}
