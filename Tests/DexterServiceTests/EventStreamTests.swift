import DexterCore
import DexterEngine
@testable import DexterService
import Foundation
import Testing

/// The desk's event stream: numbered without a gap, resumed from a number after a reconnect, and honest when what a
/// client missed is gone.
@Suite struct EventJournalTests {
    @Test func aReconnectResumesAfterTheLastNumberSeen() async throws {
        let journal = EventJournal(capacity: 100)
        for index in 1...10 { journal.append { #"{"seq":\#($0),"n":\#(index)}"# } }
        let resumed = journal.subscribe(after: 7)
        #expect(!resumed.gap)
        #expect(resumed.backlog.map(\.sequence) == [8, 9, 10])
        journal.append { #"{"seq":\#($0)}"# }
        var live = resumed.live.makeAsyncIterator()
        #expect(await live.next()?.sequence == 11)
        journal.unsubscribe(resumed)
        #expect(journal.subscriberCount == 0)
    }

    @Test func whatWasDroppedIsSaidNotSkipped() {
        let journal = EventJournal(capacity: 4)
        for _ in 1...10 { journal.append { #"{"seq":\#($0)}"# } }
        let late = journal.subscribe(after: 2)
        #expect(late.gap)
        #expect(late.backlog.map(\.sequence) == [7, 8, 9, 10])
        let current = journal.subscribe(after: 10)
        #expect(!current.gap && current.backlog.isEmpty)
        let fresh = journal.subscribe(after: nil)
        #expect(!fresh.gap && fresh.backlog.isEmpty)
    }

    @Test func aSubscriberTooFarBehindIsEndedNotSilentlySkipped() async {
        let journal = EventJournal(capacity: 1000, subscriberBuffer: 3)
        let slow = journal.subscribe(after: nil)
        for _ in 1...5 { journal.append { #"{"seq":\#($0)}"# } }
        var received: [UInt64] = []
        for await entry in slow.live { received.append(entry.sequence) }
        // It got what fitted, then its stream ended: its client reconnects with after=3 and reads 4 and 5 back.
        #expect(received == [1, 2, 3])
        #expect(journal.subscribe(after: 3).backlog.map(\.sequence) == [4, 5])
    }
}

@Suite(.serialized) struct EventStreamTests {
    /// A client reads the stream, drops the connection, reconnects with the last number it saw and continues without
    /// a gap or a repeat; opportunities arrive as new / update / gone, with their legs.
    @Test func aClientThatReconnectsResumesWithoutGaps() async throws {
        let desk = try await ServedDesk.open()
        do {
            let token = try #require(desk.tokens["ann"])
            var seen: [UInt64] = []
            var types: Set<String> = []
            func read(after: UInt64?, count: Int) async throws {
                let socket = try await DeskSocket.open(.unix(desk.socket), path: "/v1/events" + (after.map { "?after=\($0)" } ?? ""),
                                                       token: token)
                try await socket.run { texts, _ in
                    var got = 0
                    for try await text in texts {
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                        let type = try #require(object["type"] as? String)
                        #expect(type != "resync", "nothing was dropped: \(text)")
                        types.insert(type)
                        if type.hasPrefix("opportunity.new") {
                            let opportunity = try #require(object["opportunity"] as? [String: Any])
                            #expect((opportunity["legs"] as? [Any])?.count == 2)
                            #expect(opportunity["netUSD"] is String)
                        }
                        seen.append(try #require((object["seq"] as? NSNumber)?.uint64Value))
                        got += 1
                        if got == count { return }
                    }
                }
            }
            try await read(after: 0, count: 40)
            // Events keep coming while the client is away.
            try await Task.sleep(for: .milliseconds(300))
            try await read(after: seen.last, count: 40)
            #expect(seen == Array(1...UInt64(seen.count)), "numbers run on without a gap or a repeat: \(seen)")
            #expect(types.contains("desk.event") && types.contains("opportunity.new"))
            #expect(types.contains("opportunity.update") || types.contains("opportunity.gone"))
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
    }

    @Test func theStreamNeedsAToken() async throws {
        let desk = try await ServedDesk.open()
        await #expect(throws: DeskSocket.Refused.self) {
            _ = try await DeskSocket.open(.unix(desk.socket), path: "/v1/events", token: desk.tokens["revoked"] ?? "")
        }
        await desk.stop()
    }

    /// A kill switch through the API is on the stream as the desk event and the state change, in that order.
    @Test func aHaltIsStreamedAsItsEventAndTheNewState() async throws {
        let desk = try await ServedDesk.open()
        do {
            let start = desk.service.journal.nextSequence - 1
            let answer = try await desk.request(.POST, "/v1/desk/halt", token: desk.tokens["rita"], body: #"{"reason":"test"}"#)
            #expect(answer.status == 200 && answer.body.contains(#""tradingState":"halted""#) || answer.body.contains(#""tradingState" : "halted""#))
            let backlog = desk.service.journal.subscribe(after: start).backlog.map(\.text)
            let halted = try #require(backlog.firstIndex { $0.contains(#""kind":"halted""#) })
            let state = try #require(backlog.firstIndex { $0.contains(#""type":"desk.state","at""#) && $0.contains(#""tradingState":"halted""#) })
            #expect(halted < state)
        } catch {
            await desk.stop()
            throw error
        }
        await desk.stop()
    }
}
