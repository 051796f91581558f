import DexterCore
import Foundation

/// An error as Binance answers it: `{"code": -1121, "msg": "Invalid symbol."}` (errors.md); on the WebSocket API
/// also `data.retryAfter` (epoch ms) and `data.serverTime` after a rate limit.
public struct BinanceErrorBody: Sendable, Hashable {
    public let code: Int
    public let message: String
    public let retryAfter: Timestamp?
    public let serverTime: Timestamp?

    public init(code: Int, message: String, retryAfter: Timestamp? = nil, serverTime: Timestamp? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.serverTime = serverTime
    }
}

/// A WebSocket API answer (web-socket-api.md, "Response format"): `{"id", "status", "result" | "error",
/// "rateLimits"}`. `result` is kept as bytes for the parser of the method that was called (an order, an account…).
public struct BinanceWebSocketResponse: Sendable, Hashable {
    /// The request's id as sent (a number is given as its digits); nil for `null`.
    public let id: String?
    /// HTTP-like: 200, 4XX, 5XX (5XX: the outcome is unknown — query before anything is sent again).
    public let status: Int
    public let result: [UInt8]?
    public let error: BinanceErrorBody?
    public let rateLimits: [BinanceRateLimit]
}

/// One frame on a WebSocket API connection: an answer to a request, or a user data event of a subscription.
public enum BinanceWebSocketFrame: Sendable, Hashable {
    case response(BinanceWebSocketResponse)
    case event(subscriptionId: Int64?, BinanceUserEvent)
}

extension BinanceTrading {
    public static func errorBody(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceErrorBody {
        try WireReader.read(bytes, venue: venue, message: "error body") { reader throws(WireParseError) in
            try errorBody(&reader)
        }
    }

    public static func webSocketFrame(_ bytes: some ContiguousBytes) throws(WireParseError) -> BinanceWebSocketFrame {
        try WireReader.read(bytes, venue: venue, message: "WebSocket API frame") { reader throws(WireParseError) in
            try reader.openObject()
            var id: String?, status: Int?, result: [UInt8]?, error: BinanceErrorBody?, rateLimits: [BinanceRateLimit] = []
            var subscriptionId: Int64?, event: BinanceUserEvent?
            var first = true
            while let key = try reader.nextKey(&first) {
                switch key {
                case "id": id = try requestId(&reader)
                case "status": status = Int(exactly: try reader.integer("status"))
                case "result": result = try reader.rawValue("result")
                case "error": error = try errorBody(&reader)
                case "rateLimits": rateLimits = try BinanceMarketData.rateLimits(&reader)
                case "subscriptionId": subscriptionId = try reader.integer("subscriptionId")
                case "event":
                    event = try userEventObject(&reader)
                    reader.message = "WebSocket API frame"
                default: try reader.skipValue(key)
                }
            }
            if let event { return .event(subscriptionId: subscriptionId, event) }
            guard let status else { throw reader.failure("status", "neither a response (status) nor an event") }
            if status != 200, error == nil { throw reader.failure("error", "status \(status) without an error") }
            return .response(BinanceWebSocketResponse(id: id, status: status, result: result, error: error,
                                                      rateLimits: rateLimits))
        }
    }

    /// A request id: an int64, a string of up to 36 characters, or null.
    static func requestId(_ reader: inout WireReader) throws(WireParseError) -> String? {
        if reader.null() { return nil }
        if reader.scanner.peek() == UInt8(ascii: "\"") { return try reader.string("id") }
        return String(try reader.integer("id"))
    }

    static func errorBody(_ reader: inout WireReader) throws(WireParseError) -> BinanceErrorBody {
        try reader.openObject("error")
        var code: Int?, message: String?, retryAfter: Timestamp?, serverTime: Timestamp?
        var first = true
        while let key = try reader.nextKey(&first) {
            switch key {
            case "code": code = Int(exactly: try reader.integer("code"))
            case "msg": message = try reader.string("msg")
            case "data":
                try reader.openObject("data")
                var firstData = true
                while let dataKey = try reader.nextKey(&firstData) {
                    switch dataKey {
                    case "retryAfter": retryAfter = try reader.milliseconds("retryAfter")
                    case "serverTime": serverTime = try reader.milliseconds("serverTime")
                    default: try reader.skipValue(dataKey)
                    }
                }
            default: try reader.skipValue(key)
            }
        }
        guard let code else { throw reader.missing("code") }
        guard let message else { throw reader.missing("msg") }
        return BinanceErrorBody(code: code, message: message, retryAfter: retryAfter, serverTime: serverTime)
    }
}
