/// The documented JSON shapes of the answers read (solana.com/docs/rpc), as they come: converted into dexter's
/// types by the readers in SolanaRPCTypes.swift, which check what the shapes cannot.
enum SolanaWire {
    /// A u64 read exactly from its JSON number. Foundation's decoder reports a negative or oversized number as "not
    /// valid JSON" with no path; read through this, it is a type mismatch at its field.
    struct U64: Decodable, Equatable {
        let value: UInt64

        init(from decoder: Decoder) throws {
            let json = try SolanaJSON(from: decoder)
            switch json {
            case .integer(let number) where number >= 0: value = UInt64(number)
            case .unsigned(let number): value = number
            default:
                throw DecodingError.typeMismatch(UInt64.self, .init(codingPath: decoder.codingPath,
                                                                    debugDescription: "\(json) is not a u64"))
            }
        }
    }

    struct Context: Decodable { let slot: U64 }
    struct WithContext<Value: Decodable>: Decodable {
        let context: Context
        let value: Value
    }
    struct Blockhash: Decodable {
        let blockhash: String
        let lastValidBlockHeight: U64
    }
    struct Account: Decodable {
        let lamports: U64
        let owner: String
        /// `[text, encoding]`: base64 asked.
        let data: [String]
        let executable: Bool
    }
    struct TokenAmount: Decodable {
        let amount: String
        let decimals: UInt8
    }
    struct TokenBalance: Decodable {
        let accountIndex: Int
        let mint: String
        let owner: String?
        let uiTokenAmount: TokenAmount
    }
    struct Simulation: Decodable {
        let err: SolanaJSON?
        let logs: [String]?
        let unitsConsumed: U64?
        let fee: U64?
        let replacementBlockhash: Blockhash?
        let preTokenBalances: [TokenBalance]?
        let postTokenBalances: [TokenBalance]?
    }
    struct SignatureStatus: Decodable {
        let slot: U64
        let confirmations: U64?
        let err: SolanaJSON?
        let confirmationStatus: String?
    }
    struct PrioritizationFee: Decodable {
        let slot: U64
        let prioritizationFee: U64
    }
}
