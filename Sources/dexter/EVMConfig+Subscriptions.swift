import DexterCrypto
import DexterEVM

/// `[chains.NAME]`'s keys for pushed heads and estimated gas:
///   ws_url = "wss://…"               eth_subscribe("newHeads") there; polling (poll_ms) only while it fails
///   ws_urls = ["wss://…", "wss://…"] instead of ws_url: several, the next tried at once when one fails
///   ws_silence_ms = 60000            a subscription silent this long is taken for dead
///   estimate_from = "0x…"            gas units from eth_estimateGas of each pool's router swap sent from this address
///   estimate_every_blocks = 50       estimated again every N blocks
///   estimate_margin_percent = 10     added to the estimate (a real trade crosses more ticks than the probe)
extension DeskConfig {
    static let evmChainPushKeys: Set<String> = ["ws_url", "ws_urls", "ws_silence_ms", "estimate_from",
                                                "estimate_every_blocks", "estimate_margin_percent"]

    static func parseHeadSubscription(_ chain: ConfigReader) throws -> HeadSubscriptionSettings? {
        if chain.has("ws_url"), chain.has("ws_urls") {
            throw chain.error("ws_urls", "give ws_url (one) or ws_urls (a list), not both")
        }
        let key = chain.has("ws_urls") ? "ws_urls" : "ws_url"
        let urls: [String]
        if key == "ws_urls" {
            urls = try chain.strings(key)
            guard !urls.isEmpty else { throw chain.error(key, "list at least one ws:// or wss:// URL") }
        } else if let url = try chain.optionalString(key) {
            urls = [url]
        } else {
            if chain.has("ws_silence_ms") { throw chain.error("ws_silence_ms", "there is no ws_url to subscribe at") }
            return nil
        }
        for url in urls where (try? RPCEndpoint(webSocket: url)) == nil {
            throw chain.error(key, "expected a ws:// or wss:// URL, found \"\(redactedURL(url))\"")
        }
        guard Set(urls).count == urls.count else { throw chain.error(key, "a URL is listed twice") }
        return HeadSubscriptionSettings(
            urls: urls, silence: .milliseconds(try chain.optionalInt("ws_silence_ms", range: 1_000...3_600_000) ?? 60_000))
    }

    static func parseGasEstimate(_ chain: ConfigReader) throws -> GasEstimateSettings? {
        guard let text = try chain.optionalString("estimate_from") else {
            for key in ["estimate_every_blocks", "estimate_margin_percent"] where chain.has(key) {
                throw chain.error(key, "there is no estimate_from address to estimate gas from")
            }
            return nil
        }
        let from: EthereumAddress
        do { from = try EthereumAddress(parsing: text) } catch {
            throw chain.error("estimate_from", "\(error) (an EIP-55 checksummed address, like the trading wallet's)")
        }
        // A wallet address is copied, not typed: all one case carries no checksum, so a slip would go unseen.
        guard text == from.checksummed else {
            throw chain.error("estimate_from", "write the address EIP-55 checksummed (mixed case, as wallets show it), "
                              + "not all \(text.dropFirst(2) == text.dropFirst(2).lowercased() ? "lower" : "upper") case")
        }
        return GasEstimateSettings(
            from: from, everyBlocks: UInt64(try chain.optionalInt("estimate_every_blocks", range: 1...100_000) ?? 50),
            marginPercent: try chain.optionalInt("estimate_margin_percent", range: 0...100) ?? 10)
    }
}
