import Foundation

/// What the PubSub socket says, as far as the feed cares: a subscription made, refused, or an account changed.
enum SolanaPubSubMessage: Sendable, Hashable {
    case subscribed(id: Int, subscription: UInt64)
    case refused(id: Int?, message: String)
    case accountChanged(subscription: UInt64)
    /// Anything else of the protocol (an unsubscribe's answer, another notification).
    case other

    private struct Wire: Decodable {
        let id: SolanaJSON?
        let result: SolanaJSON?
        let error: SolanaRPCAnswer.ErrorObject?
        let method: String?
        let params: Params?
    }

    private struct Params: Decodable {
        let subscription: UInt64
    }

    init(decoding bytes: [UInt8]) throws {
        let wire = try JSONDecoder().decode(Wire.self, from: Data(bytes))
        let id: Int? = switch wire.id {
        case .integer(let value)?: Int(exactly: value)
        case .unsigned(let value)?: Int(exactly: value)
        default: nil
        }
        if let error = wire.error {
            self = .refused(id: id, message: "\(error.code) \(error.message)")
        } else if let id, let result = wire.result {
            let subscription: UInt64? = switch result {
            case .integer(let value): UInt64(exactly: value)
            case .unsigned(let value): value
            default: nil
            }
            self = subscription.map { .subscribed(id: id, subscription: $0) } ?? .other
        } else if wire.method == "accountNotification" {
            guard let params = wire.params else { throw SolanaPubSubError.noParams }
            self = .accountChanged(subscription: params.subscription)
        } else {
            self = .other
        }
    }
}

enum SolanaPubSubError: Error, CustomStringConvertible {
    case noParams
    var description: String { "an accountNotification without params.subscription" }
}
