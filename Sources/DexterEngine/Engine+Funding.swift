import DexterCore
import DexterLedger
import DexterMarket
import DexterVenues

/// Funding on perpetual positions: booked as a venue reports it (a live perpetual venue), or settled by the desk at
/// each funding time on venues that do not report it (paper trading, the simulator) — the position held at that
/// instant times the mark and the rate of the venue's last quote before it, as the venue itself would charge it.
extension Engine {
    /// Venues whose funding the desk settles itself: perpetual venues whose execution does not report funding.
    func settlesFunding(on venue: VenueId) -> Bool {
        !(venues.execution[venue] is any FundingReporting)
    }

    /// Before a batch's funding quotes replace the ones held: a quote whose funding time is now past (the next one
    /// announces a later time) is settled first, with the rate and mark it announced.
    func settleFundingAnnouncedBefore(_ events: [MarketEvent], at now: Timestamp) {
        for event in events {
            guard case .funding(let next) = event, let held = pipeline.state.funding[next.market],
                  held.nextFundingTime < next.nextFundingTime, held.nextFundingTime <= max(now, next.receivedAt) else { continue }
            settleFunding(held)
        }
    }

    /// Fundings whose time has come by the desk's clock.
    func settleDueFunding(at now: Timestamp) {
        for quote in pipeline.state.funding.values where quote.nextFundingTime <= now {
            settleFunding(quote)
        }
    }

    /// Settles one funding time of one perpetual, once: what the position held then pays or receives.
    private func settleFunding(_ quote: FundingQuote) {
        let key = quote.market
        guard settlesFunding(on: key.venue), fundingSettled[key].map({ $0 < quote.nextFundingTime }) ?? true,
              let market = pipeline.state[key], let settle = key.symbol.settle else { return }
        fundingSettled[key] = quote.nextFundingTime
        let position = portfolio.inventory.position(key.symbol, at: market.venue.account)
        guard !position.size.isZero else { return }
        let payment = FundingPayment(
            id: "\(key.symbol)@\(quote.nextFundingTime.nanoseconds / 1_000_000)", venue: key.venue, symbol: key.symbol,
            amount: FundingQuote.payment(size: position.size, mark: quote.markPrice, rate: quote.rate), asset: settle,
            rate: quote.rate, positionSize: position.size, markPrice: quote.markPrice, at: quote.nextFundingTime)
        bookFunding(payment, reported: false)
    }

    /// Books a funding payment and moves the collateral and today's P&L by it, once per venue and id.
    func bookFunding(_ payment: FundingPayment, reported: Bool) {
        let now = clock.now()
        guard let venue = pipeline.state.venues.first(where: { $0.id == payment.venue }) else {
            logger.warning("funding \(payment.id) from \(payment.venue), a venue this desk does not trade: not booked")
            return
        }
        let usd = pipeline.state.usdValue(of: payment.asset) ?? 0
        let record = FundingRecord(
            venue: payment.venue.name, id: payment.id, account: venue.account.description, symbol: payment.symbol.description,
            amount: payment.amount, asset: payment.asset.code,
            amountUSD: (payment.amount * FixedDecimal(approximating: usd)).rounded(digits: 9, .down),
            rate: payment.rate, positionSize: payment.positionSize, markPrice: payment.markPrice, user: config.user,
            at: payment.at)
        do {
            guard try committing(.funding, { try ledger.book(record) }) else { return }
        } catch {
            haltOnLedgerFailure(.init(.funding(venue: payment.venue, id: payment.id), error), at: now)
            publish(force: true)
            return
        }
        portfolio.apply(record)
        inventoryChanged()
        notify(.fundingBooked(.init(venue: payment.venue, symbol: payment.symbol, amount: payment.amount, asset: payment.asset,
                                    amountUSD: record.amountUSD, rate: payment.rate, positionSize: payment.positionSize,
                                    reported: reported)), at: now)
        publish(force: true)
    }
}
