import Foundation
import HotlineSimulator
import Testing

@Suite("Erlang C and Erlang A")
struct ErlangTests {
    @Test("Erlang B and C against hand-computed values")
    func knownValues() {
        // B(3, 2) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19; C(3, 2) = 4/9.
        #expect(abs(Erlang.blocking(agents: 3, load: 2) - 4.0 / 19.0) < 1e-12)
        #expect(abs(Erlang.probabilityOfWaiting(agents: 3, load: 2) - 4.0 / 9.0) < 1e-12)
        // 2 erlangs (120 calls/h × 60 s), 3 agents: ASA = C·AHT/(N−A) = 4/9 · 60 = 26.67 s.
        let f = Erlang.c(agents: 3, callsPerHour: 120, handleSeconds: 60, targetSeconds: 20)
        #expect(abs(f.asaSeconds - 4.0 / 9.0 * 60) < 1e-9)
        #expect(abs(f.serviceLevel - (1 - 4.0 / 9.0 * exp(-20.0 / 60))) < 1e-12)
        #expect(abs(f.occupancy - 2.0 / 3.0) < 1e-12)
    }

    @Test("the recursion stays finite for large loads")
    func largeLoad() {
        let f = Erlang.c(agents: 5_200, callsPerHour: 150_000, handleSeconds: 120, targetSeconds: 20)
        #expect(f.pWait.isFinite && f.pWait >= 0 && f.pWait <= 1)
        #expect(f.serviceLevel > 0.5)
    }

    @Test("Erlang A approaches Erlang C when callers are very patient")
    func patientCallersMatchErlangC() {
        let c = Erlang.c(agents: 40, callsPerHour: 1000, handleSeconds: 120, targetSeconds: 20)
        let a = Erlang.a(agents: 40, callsPerHour: 1000, handleSeconds: 120, patienceSeconds: 1e7, targetSeconds: 20)
        #expect(abs(a.pWait - c.pWait) < 1e-3)
        #expect(abs(a.serviceLevel - c.serviceLevel) < 1e-3)
        #expect(abs(a.asaSeconds - c.asaSeconds) < 0.05)
        #expect(a.abandonRate < 1e-4)
    }

    @Test("Erlang A is stable in overload: abandonment balances the queue")
    func overload() {
        let a = Erlang.a(agents: 20, callsPerHour: 1000, handleSeconds: 120, patienceSeconds: 60, targetSeconds: 20)
        #expect(a.abandonRate > 0.3 && a.abandonRate < 1)
        #expect(a.occupancy > 0.95)
    }

    @Test("staffing returns the smallest level meeting the target", arguments: [
        (1000.0, 120.0, nil as Double?), (300.0, 240.0, nil), (1000.0, 120.0, 60.0), (50.0, 300.0, 120.0),
    ])
    func smallestLevel(rate: Double, aht: Double, patience: Double?) {
        let f = Staffing.required(callsPerHour: rate, handleSeconds: aht, targetServiceLevel: 0.8, targetSeconds: 20, patienceSeconds: patience)
        #expect(f.serviceLevel >= 0.8)
        let fewer = Staffing.figures(agents: f.agents - 1, callsPerHour: rate, handleSeconds: aht, targetSeconds: 20, patienceSeconds: patience)
        #expect(fewer.serviceLevel < 0.8)
    }
}
