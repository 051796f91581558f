/// A failed transaction in words for the trader: the runtime's error and the programs' last log line.
enum SolanaFailureText {
    static func describe(_ error: SolanaTransactionError, logs: [String]) -> String {
        let last = logs.last(where: { $0.contains("failed") || $0.contains("Error") || $0.contains("error") })
        return "\(error)" + (last.map { " (\($0.prefix(160)))" } ?? "")
    }
}
