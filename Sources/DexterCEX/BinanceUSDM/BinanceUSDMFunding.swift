import DexterCore
import DexterVenues
import Logging

/// The funding Binance USDⓈ-M books on the account's positions, told to the desk once per payment. The user data
/// stream's ACCOUNT_UPDATE with reason FUNDING_FEE carries only the new wallet balance, so each one (and every
/// reconnect, whose gap may have hidden one) reads `GET /fapi/v1/income?incomeType=FUNDING_FEE` from the newest
/// payment already told (inclusive: rows of one millisecond are told by `tranId`, each once) and posts one
/// `FundingPayment` per new row: id = `tranId`, the symbol as dexter's, the signed income in its asset.
actor BinanceUSDMFundingReader {
    private let execution: BinanceUSDMExecution
    private let logger: Logger
    /// From when income is read: the newest payment told, else where the session started (or was told to).
    private var since: Timestamp?
    private var told: Set<Int64> = []

    init(execution: BinanceUSDMExecution, since: Timestamp?, logger: Logger) {
        self.execution = execution
        self.since = since
        self.logger = logger
    }

    /// Starts reading from now (the venue's time) unless a start was given.
    func startIfUnset(at time: Timestamp) {
        if since == nil { since = time }
    }

    /// Reads the payments since the newest told and posts the new ones; returns them.
    @discardableResult
    func poll(into inbox: VenueInbox?) async -> [FundingPayment] {
        let rows: [BinanceUSDMIncome]
        do { rows = try await execution.income(type: "FUNDING_FEE", since: since) } catch {
            logger.warning("\(execution.settings.venue): funding income could not be read now: \(error)")
            return []
        }
        var payments: [FundingPayment] = []
        for row in rows where row.type == "FUNDING_FEE" && told.insert(row.tranId).inserted {
            guard let symbol = execution.venueSymbol(row.symbol) else {
                logger.error("\(execution.settings.venue): funding on \(row.symbol) (tranId \(row.tranId)), a symbol dexter cannot name")
                continue
            }
            let payment = FundingPayment(id: String(row.tranId), venue: execution.settings.venue, symbol: symbol,
                                         amount: row.income, asset: row.asset, at: row.time)
            payments.append(payment)
            inbox?.post(payment)
            since = max(since ?? row.time, row.time)
        }
        return payments
    }
}
