import DexterCore
import DexterDetect
import Foundation

/// One opportunity as a JSON object: exact amounts as decimal strings, times as ISO 8601. The NDJSON stream of
/// `dexter scan` and the ledger's detail column both use it.
public enum OpportunityJSON {
    public static func encode(_ opportunity: Opportunity, event: String? = nil, at now: Timestamp? = nil,
                              marketSeconds: Double? = nil) -> String {
        var object: [String: Any] = [
            "id": opportunity.id,
            "pair": opportunity.symbol.description,
            "basis": opportunity.isBasis,
            "buy_venue": opportunity.buy.venue.name,
            "sell_venue": opportunity.sell.venue.name,
            "quantity": opportunity.quantity.description,
            "gross": opportunity.gross.description,
            "fees": opportunity.fees.description,
            "gas": opportunity.gasCost.description,
            "funding": opportunity.funding.description,
            "slippage": opportunity.slippage.description,
            "net": opportunity.net.description,
            "net_bps": opportunity.netBps.rounded(digits: 4).description,
            "net_usd": opportunity.netUSD.description,
            "quote_asset": opportunity.symbol.quote.code,
            "detected_at": opportunity.detectedAt.iso8601,
            "expires_at": opportunity.expiresAt.iso8601,
            "legs": opportunity.legs.map { leg -> [String: Any] in
                var legObject: [String: Any] = [
                    "venue": leg.venue.name, "side": leg.side.rawValue, "instrument": leg.symbol.description,
                    "quantity": leg.quantity.description, "average_price": leg.averagePrice.description,
                    "worst_price": leg.worstPrice.description, "notional": leg.notional.description,
                    "fee": leg.fee.description, "gas": leg.gas.description,
                    "venue_time": leg.venueTime.iso8601, "received_at": leg.receivedAt.iso8601,
                    "quote_age_ms": Double(leg.quoteAge(at: now ?? opportunity.detectedAt).nanosecondsClamped) / 1e6,
                ]
                if let token = leg.gasToken { legObject["gas_token"] = token.code }
                return legObject
            },
        ]
        if let event { object["event"] = event }
        if let marketSeconds { object["market_seconds"] = marketSeconds }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
