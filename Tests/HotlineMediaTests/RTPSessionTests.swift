import Logging
import NIOCore
import Testing

@testable import HotlineMedia

@Suite struct RTPSessionTests {
    /// Two real UDP sockets on 127.0.0.1: 100 packets from an RTPSender arrive and play out in order.
    @Test func streamsOverLoopback() async throws {
        let logger = Logger(label: "test.rtp-session")
        let a = try await RTPSession.bind(host: "127.0.0.1", logger: logger)
        let b = try await RTPSession.bind(host: "127.0.0.1", logger: logger)
        #expect(a.localPort != 0 && a.localPort != b.localPort)
        #expect(b.receiveBufferSize > 0)
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: b.localPort)

        var sender = RTPSender(ssrc: 0x5150, payloadType: 8, initialSequenceNumber: 65500, initialTimestamp: 1)
        let count = 100
        // 100 distinct levels that A-law reproduces exactly, in increasing order.
        let exact = Set((0...255).map { G711.decodeALaw(UInt8($0)) }).filter { $0 > 0 }.sorted()
        for i in 0..<count {
            let frame = [Int16](repeating: exact[i], count: 160)
            var datagram: [UInt8] = []
            frame.withUnsafeBufferPointer { sender.encodeAudio($0, law: .aLaw, into: &datagram) }
            try await a.send(datagram, to: destination)
        }
        a.sendWithoutWaiting([0x01, 0x02], to: destination)  // garbage on the wire: counted, not played

        var receiver = RTPReceiver(law: .aLaw)
        var received = 0
        var start: ContinuousClock.Instant?
        for await incoming in b.datagrams {
            let origin = start ?? incoming.arrival
            start = origin
            let samples = (incoming.arrival - origin) / .microseconds(125)
            _ = receiver.receive(datagram: incoming.bytes, arrival: Int64(samples))
            #expect(incoming.remote.port == a.localPort)
            received += 1
            if received == count + 1 { break }
        }
        #expect(receiver.counters.accepted == count)
        #expect(receiver.counters.malformed == 1)
        var frame = [Int16](repeating: 0, count: 160)
        var levels: [Int16] = []
        for _ in 0..<(count + 20) where frame.withUnsafeMutableBufferPointer({ receiver.playout(into: $0) }) == .audio {
            levels.append(frame[0])
        }
        // The burst arrived far faster than real time, so the buffer discards frames to catch up; every frame is
        // either played, in order, or discarded.
        #expect(levels.count + receiver.jitterBuffer.framesDiscarded == count)
        #expect(levels.count >= count * 9 / 10)
        #expect(levels == levels.sorted())
        #expect(Set(levels).count == levels.count)
        try await a.close()
        try await b.close()
    }

    @Test func bindingABusyPortFails() async throws {
        let logger = Logger(label: "test.rtp-session")
        let a = try await RTPSession.bind(host: "127.0.0.1", logger: logger)
        await #expect(throws: (any Error).self) {
            let b = try await RTPSession.bind(host: "127.0.0.1", port: a.localPort, logger: logger)
            try await b.close()
        }
        try await a.close()
    }
}
