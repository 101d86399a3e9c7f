import Testing

@testable import HotlineMedia

@Suite struct MixerTests {
    func constant(_ value: Int16) -> [Int16] { [Int16](repeating: value, count: 160) }

    /// Each participant speaks a constant level; what each hears is then the sum of the levels it hears.
    func heard(_ mixer: inout Mixer<String>, levels: [String: Int16]) -> [String: Int16] {
        for (id, level) in levels { mixer.setInput(id, frame: constant(level)) }
        mixer.mix()
        var result: [String: Int16] = [:]
        for id in mixer.participantIDs {
            let out = mixer.output(of: id)
            #expect(Set(out).count == 1)
            result[id] = out[0]
        }
        return result
    }

    @Test func bridge() {
        var mixer = Mixer<String>()
        mixer.add("caller")
        mixer.add("agent")
        mixer.connect("caller", "agent")
        #expect(heard(&mixer, levels: ["caller": 100, "agent": 7]) == ["caller": 7, "agent": 100])
    }

    @Test func conferenceHearsEveryoneButItself() {
        var mixer = Mixer<String>()
        let ids = ["a", "b", "c", "d"]
        for id in ids { mixer.add(id) }
        mixer.connectAll(ids)
        let out = heard(&mixer, levels: ["a": 1, "b": 10, "c": 100, "d": 1000])
        #expect(out == ["a": 1110, "b": 1101, "c": 1011, "d": 111])
    }

    @Test func listenOnlyMonitoring() {
        var mixer = Mixer<String>()
        mixer.add("caller")
        mixer.add("agent")
        mixer.add("supervisor", hears: ["caller", "agent"])
        mixer.connect("caller", "agent")
        let out = heard(&mixer, levels: ["caller": 100, "agent": 10, "supervisor": 1])
        #expect(out == ["caller": 10, "agent": 100, "supervisor": 110])
    }

    /// Whisper: the agent hears the supervisor, the caller does not.
    @Test func whisper() {
        var mixer = Mixer<String>()
        mixer.add("caller", hears: ["agent"])
        mixer.add("agent", hears: ["caller", "supervisor"])
        mixer.add("supervisor", hears: ["caller", "agent"])
        let out = heard(&mixer, levels: ["caller": 100, "agent": 10, "supervisor": 1])
        #expect(out == ["caller": 10, "agent": 101, "supervisor": 110])
        // Barge: the supervisor joins the conversation.
        mixer.setHears("caller", "supervisor")
        #expect(heard(&mixer, levels: ["caller": 100, "agent": 10, "supervisor": 1]) == ["caller": 11, "agent": 101, "supervisor": 110])
    }

    @Test func sumsSaturate() {
        var mixer = Mixer<String>()
        for id in ["a", "b", "c"] { mixer.add(id) }
        mixer.connectAll(["a", "b", "c"])
        var out = heard(&mixer, levels: ["a": 30000, "b": 30000, "c": 30000])
        #expect(out["a"] == Int16.max)
        out = heard(&mixer, levels: ["a": -30000, "b": -30000, "c": -30000])
        #expect(out["a"] == Int16.min)
        // Only a and b in a's set: generic path saturates too.
        mixer.setHears("a", "c", false)
        out = heard(&mixer, levels: ["a": 0, "b": 30000, "c": 30000])
        #expect(out["a"] == 30000)
        mixer.setHears("a", "c")
        mixer.setHears("a", "b", false)
        mixer.add("d", hears: ["b", "c"])
        out = heard(&mixer, levels: ["a": 0, "b": 30000, "c": 30000, "d": 0])
        #expect(out["d"] == Int16.max)
    }

    @Test func silentOrMissingInputsContributeNothing() {
        var mixer = Mixer<String>()
        for id in ["a", "b", "c"] { mixer.add(id) }
        mixer.connectAll(["a", "b", "c"])
        mixer.setInput("a", frame: constant(500))
        mixer.mix()  // b and c sent nothing this interval
        #expect(mixer.output(of: "b") == constant(500))
        #expect(mixer.output(of: "a") == constant(0))
        mixer.mix()  // inputs were consumed
        #expect(mixer.output(of: "b") == constant(0))
    }

    @Test func removingAParticipantStopsItBeingHeard() {
        var mixer = Mixer<String>()
        for id in ["a", "b", "c"] { mixer.add(id) }
        mixer.connectAll(["a", "b", "c"])
        mixer.remove("b")
        #expect(mixer.receiveSet(of: "a") == ["c"])
        #expect(heard(&mixer, levels: ["a": 3, "c": 4]) == ["a": 4, "c": 3])
        #expect(mixer.output(of: "b").isEmpty)
    }

    @Test func shortFramesArePadded() {
        var mixer = Mixer<Int>()
        mixer.add(1, hears: [2])
        mixer.add(2, hears: [1])
        mixer.setInput(2, frame: [Int16](repeating: 9, count: 80))
        mixer.mix()
        let out = mixer.output(of: 1)
        #expect(out.prefix(80).allSatisfy { $0 == 9 })
        #expect(out.suffix(80).allSatisfy { $0 == 0 })
    }
}
