@testable import DexterEVM
import Testing

/// How a pushed head or a poll request reaches the feed waiting for it: the newest head only, a poll before any head,
/// nothing when nothing came.
struct HeadSignalTests {
    func header(_ number: UInt64) -> BlockHeader {
        BlockHeader(number: number, hash: Array(repeating: UInt8(number), count: 32), parentHash: Array(repeating: 0, count: 32))
    }

    @Test func headsPostedWhileNobodyWaitsConflateToTheNewest() async {
        let signal = HeadSignal()
        signal.post(header(1))
        signal.post(header(2))
        #expect(await signal.next(within: .seconds(3600)) == .head(header(2)))
    }

    @Test func aPollOutranksAHeadEitherWay() async {
        let signal = HeadSignal()
        signal.post(header(1))
        signal.nudge()
        signal.post(header(2))
        #expect(await signal.next(within: .seconds(3600)) == .poll)
    }

    @Test func aWaiterIsWokenByTheHeadPostedWhileItWaits() async {
        let signal = HeadSignal()
        async let woken = signal.next(within: .seconds(3600))
        // Posted until taken: the waiter may not be waiting yet when the first post lands (then it finds it pending).
        signal.post(header(7))
        #expect(await woken == .head(header(7)))
    }

    @Test func nothingCameIsNil() async {
        let signal = HeadSignal()
        #expect(await signal.next(within: .milliseconds(20)) == nil)
    }

    @Test func aCancelledWaitEndsWithNil() async {
        let signal = HeadSignal()
        let waiting = Task { await signal.next(within: .seconds(3600)) }
        waiting.cancel()
        #expect(await waiting.value == nil)
    }
}
