import DexterCore
import DexterDetect
import DexterMarket
import Testing

extension CrossVenueDetectorTests {
    /// A pool's gas units measured again on chain (`.gasUnits`) are the gas line of the next detection: 100 000 units
    /// at 10 gwei cost 0.001 ETH, 200 000 cost 0.002.
    @Test func gasUnitsMeasuredAgainMoveTheCostWaterfall() throws {
        let exchange = B.exchange("cex")
        var state = B.state([
            B.book(exchange, bids: [("2990", "1")], asks: [("3000", "2"), ("3001", "3"), ("3002", "10")], lot: "0.001"),
            B.v2Pool("uni", baseReserve: "1000", quoteReserve: "3060000"),
        ])
        let inventory = B.inventory([exchange.account, .wallet("ethereum")])
        #expect(try #require(detect(state, inventory).first).sell.gas == B.d("0.001"))
        #expect(state.apply(.gasUnits(state.markets[1].key, 200_000)) == 1)
        #expect(state.markets[1].gasUnits == 200_000)
        #expect(try #require(detect(state, inventory).first).sell.gas == B.d("0.002"))
        #expect(state.apply(.gasUnits(MarketKey(venue: "elsewhere", symbol: B.ethUSDC), 1)) == nil)
    }
}
