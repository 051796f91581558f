import DexterCore
import DexterNet
import Testing

@Suite struct BackoffTests {
    @Test func growsByDoublingUpToItsCapWithJitterInsideEachStep() {
        let backoff = Backoff(first: .milliseconds(250), cap: .seconds(30), jitter: 0.5)
        #expect(backoff.delay(attempt: 0, random: 1) == .milliseconds(250))
        #expect(backoff.delay(attempt: 0, random: 0) == .milliseconds(125))
        #expect(backoff.delay(attempt: 3, random: 1) == .seconds(2))
        #expect(backoff.delay(attempt: 20, random: 1) == .seconds(30), "capped")
        #expect(backoff.delay(attempt: 20, random: 0) == .seconds(15), "half of the cap at least: never a storm of instant retries")
        for attempt in 0..<12 {
            let delay = backoff.delay(attempt: attempt)
            #expect(delay >= backoff.delay(attempt: attempt, random: 0) && delay <= backoff.delay(attempt: attempt, random: 1))
        }
    }
}

@Suite struct RateLimitGateTests {
    let start = Timestamp(utcYear: 2026, month: 11, day: 30, hour: 1, minute: 2, second: 0)

    @Test func spendsUpToItsHeadroomThenWaitsForTheNextWindow() {
        let gate = RateLimitGate(limits: .init(weight: 100, window: .seconds(60), headroom: 0.9))
        for _ in 0..<9 { #expect(gate.admit(weight: 10, at: start) == .go) }
        #expect(gate.admit(weight: 10, at: start.adding(.seconds(5))) == .waitUntil(start.adding(.seconds(60))))
        #expect(gate.admit(weight: 10, at: start.adding(.seconds(60))) == .go, "a new minute, a new budget")
    }

    @Test func theVenuesCountIsTheTruth() {
        let gate = RateLimitGate(limits: .init(weight: 6000))
        #expect(gate.admit(weight: 20, at: start) == .go)
        gate.observe(usedWeight: 5390, at: start)
        #expect(gate.used(at: start) == 5390)
        #expect(gate.admit(weight: 20, at: start) == .waitUntil(start.adding(.seconds(60))))
    }

    @Test func afterATooManyNothingIsSentUntilRetryAfter() {
        let gate = RateLimitGate(limits: .init(weight: 6000))
        gate.stop(for: .seconds(30), reason: "429 too many requests", at: start)
        #expect(gate.admit(weight: 1, at: start.adding(.seconds(29))) == .stoppedUntil(start.adding(.seconds(30)),
                                                                                        reason: "429 too many requests"))
        #expect(gate.admit(weight: 1, at: start.adding(.seconds(30))) == .go)
    }
}
