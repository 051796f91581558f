import DexterCore
import DexterMarket
import Testing

@Suite struct OrderBookTests {
    func d(_ text: String) -> FixedDecimal { FixedDecimal(text)! }

    var book: OrderBook {
        OrderBook(bids: [BookLevel(price: d("99.5"), quantity: d("2")), BookLevel(price: d("99.9"), quantity: d("1"))],
                  asks: [BookLevel(price: d("100.4"), quantity: d("3")), BookLevel(price: d("100.1"), quantity: d("1.5"))])
    }

    @Test func sortsBestFirst() {
        #expect(book.bestBid?.price == d("99.9"))
        #expect(book.bestAsk?.price == d("100.1"))
        #expect(!book.isCrossed)
    }

    @Test func walksLevelsExactly() {
        let walk = book.walk(.buy, quantity: d("2"))
        #expect(walk.filled == d("2"))
        #expect(walk.notional == d("200.35"))
        #expect(walk.worstPrice == d("100.4"))
        #expect(walk.averagePrice == d("100.175"))
        let sell = book.walk(.sell, quantity: d("1.25"))
        #expect(sell.notional == d("124.775")) // 1 × 99.9 + 0.25 × 99.5
    }

    @Test func stopsAtTheLimitAndAtTheBottom() {
        let limited = book.walk(.buy, quantity: d("4"), limit: d("100.2"))
        #expect(limited.filled == d("1.5"))
        let thin = book.walk(.sell, quantity: d("10"))
        #expect(thin.filled == d("3"))
    }

    @Test func consumesWhatAFillTakes() {
        var copy = book
        copy.consume(.buy, quantity: d("2"))
        #expect(copy.asks.map(\.quantity) == [d("2.5")])
        #expect(copy.asks.first?.price == d("100.4"))
    }

    @Test func screensInDoubleConsistentlyWithTheExactWalk() {
        let exact = book.walk(.buy, quantity: d("2.7")).notional.doubleValue
        #expect(abs(book.screenNotional(.buy, quantity: 2.7) - exact) < 1e-9)
        #expect(book.screenNotional(.buy, quantity: 5) == .infinity)
        #expect(book.screenMarginalPrice(.buy, after: 1.6) == 100.4)
    }
}
