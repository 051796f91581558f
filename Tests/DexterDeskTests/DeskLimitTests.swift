import DexterCore
import DexterDesk
import DexterEngine
import Foundation
import Logging
import Testing
import TestServers

/// The desk-wide daily volume, reserved in a real PostgreSQL: boxes racing for the last of it cannot both get it,
/// three trading boxes together never pass it, and a box cut off from the desk trades only within what it holds.
@Suite(.serialized) struct DeskLimitTests {
    let logger = Logger(label: "test.desk")

    @Test func boxesRacingForTheLastOfTheLimitCannotBothGetIt() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let limit = FixedDecimal(1_000_000)
        let boxes = ["tokyo", "london", "virginia"].map {
            DeskVolume(box: $0, database: desk, allowance: DeskAllowance(), limit: limit, slice: .zero, logger: logger)
        }
        // Twenty days, each with $990,000 of the limit gone and three boxes asking for the last $10,000 at once.
        for round in 1...20 {
            let day = "2026-01-\(String(format: "%02d", round))"
            #expect(try await boxes[0].reserve(atLeast: FixedDecimal(990_000), preferably: FixedDecimal(990_000), on: day)
                    == FixedDecimal(990_000))
            let grants = await withTaskGroup(of: FixedDecimal.self) { group in
                for box in boxes {
                    group.addTask { (try? await box.reserve(atLeast: FixedDecimal(10_000), preferably: FixedDecimal(10_000), on: day)) ?? FixedDecimal(-1) }
                }
                return await group.reduce(into: [FixedDecimal]()) { $0.append($1) }
            }
            #expect(grants.sorted() == [.zero, .zero, FixedDecimal(10_000)], "day \(day): \(grants)")
            // Nothing more for anyone, and the desk's books balance to the cent.
            #expect(try await boxes[1].reserve(atLeast: FixedDecimal("0.01")!, preferably: FixedDecimal(1), on: day) == .zero)
            let used = try postgres.psql("SELECT used FROM desk_usage WHERE day = '\(day)'")
            let granted = try postgres.psql("SELECT sum(granted) FROM desk_grants WHERE day = '\(day)'")
            #expect(FixedDecimal(used) == limit && FixedDecimal(granted) == limit, "used \(used), granted \(granted)")
        }
        // A smaller ask still fits what is left of a day partly used; an ask larger than what is left gets nothing.
        #expect(try await boxes[2].reserve(atLeast: FixedDecimal(600_000), preferably: FixedDecimal(600_000), on: "2026-02-01")
                == FixedDecimal(600_000))
        #expect(try await boxes[0].reserve(atLeast: FixedDecimal(500_000), preferably: FixedDecimal(500_000), on: "2026-02-01") == .zero)
        #expect(try await boxes[1].reserve(atLeast: FixedDecimal("399999.99")!, preferably: FixedDecimal(500_000), on: "2026-02-01")
                == FixedDecimal(400_000))
        for box in boxes { await box.close() }
    }

    @Test func threeBoxesTradeWithinOneDailyVolumeAndOneCutOffTradesOnlyWithinWhatItHolds() async throws {
        let postgres = try LocalPostgres()
        let desk = try DeskDatabase(url: postgres.url)
        let limit = FixedDecimal(150_000), slice = FixedDecimal(20_000)
        let boxes = [try await Box("tokyo", desk: desk, seed: 5, deskVolume: (limit, slice)),
                     try await Box("london", desk: desk, seed: 6, deskVolume: (limit, slice)),
                     try await Box("virginia", desk: desk, seed: 7, deskVolume: (limit, slice))]
        for box in boxes { await box.start() }
        func used(_ box: Box) async -> FixedDecimal { await box.engine.deskVolume?.current.used ?? .zero }
        #expect(await Box.eventually { for box in boxes where await used(box) == .zero { return false }; return true },
                "every box trades on its share")

        // Tokyo loses the desk: it trades on within what it holds, no further.
        let tokyo = boxes[0]
        await tokyo.unlink()
        let held = await tokyo.engine.deskVolume?.current
        try await Task.sleep(for: .seconds(3))
        let cutOff = await tokyo.engine.deskVolume?.current
        #expect((cutOff?.used ?? .zero) - (held?.used ?? .zero) <= (held?.held ?? .zero), "\(String(describing: held)) → \(String(describing: cutOff))")
        #expect((cutOff?.held ?? -1) >= .zero)

        // The others use the rest of the day's limit; together the boxes never pass it.
        #expect(await Box.eventually(seconds: 60) {
            let desk = FixedDecimal((try? postgres.psql("SELECT coalesce(max(used), 0) FROM desk_usage")) ?? "0") ?? .zero
            return desk > limit - FixedDecimal(10_000)
        }, "the desk's limit is reached")
        try await Task.sleep(for: .seconds(1))
        for box in boxes { await box.stop() }
        var approved = FixedDecimal.zero, holding = FixedDecimal.zero
        for box in boxes {
            approved += await used(box)
            holding += await box.engine.deskVolume?.current.held ?? .zero
        }
        let deskUsed = FixedDecimal(try postgres.psql("SELECT used FROM desk_usage")) ?? .zero
        print("desk-wide volume: limit \(limit), approved \(approved), held unused \(holding), reserved at the desk \(deskUsed)")
        #expect(approved <= limit)
        #expect(deskUsed <= limit)
        #expect(approved + holding == deskUsed, "every reservation is either used or held")
    }
}
