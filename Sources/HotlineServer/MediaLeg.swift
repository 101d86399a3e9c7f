import HotlineMedia
import Logging
import NIOCore
import Synchronization

/// One call leg's media on the server: an RTP socket (``RTPSession``), the receiver with its jitter
/// buffer, the sender, and DTMF from RFC 4733 telephone events and the in-band detector merged by a
/// ``DigitCollector``. Confined to the server's event loop: every method runs there.
final class MediaLeg: @unchecked Sendable {
    let session: RTPSession
    let loop: any EventLoop
    private(set) var remote: SocketAddress?
    private(set) var law: G711.Law = .muLaw
    private var receiver: RTPReceiver<FadingConcealer>?
    private var sender: RTPSender
    private let detector = DTMFDetector()
    private var collector = DigitCollector()
    private var outgoing: [UInt8] = []
    private var frame = [Int16](repeating: 0, count: 160)
    /// Frames played out since the media began (the leg's media clock, 20 ms a frame).
    private(set) var frames = 0
    /// Datagrams received.
    private(set) var packetsReceived = 0
    /// Frames of received audio that were not silence.
    private(set) var audibleFrames = 0
    /// Called on the loop with each new keypress.
    var onDigit: ((Character) -> Void)?
    private var closed = false

    private init(session: RTPSession, loop: any EventLoop) {
        self.session = session
        self.loop = loop
        var generator = SystemRandomNumberGenerator()
        sender = RTPSender(payloadType: 0, using: &generator)
    }

    /// Binds a socket in the configured port range and starts delivering datagrams on the loop.
    static func open(host: String, ports: PortAllocator, loop: any EventLoop, logger: Logger) async throws -> MediaLeg {
        var lastError: (any Error)?
        for _ in 0..<32 {
            let port = ports.next()
            do {
                let session = try await RTPSession.bind(host: host, port: port, receiveBufferSize: 1 << 18, group: loop, logger: logger)
                let leg = MediaLeg(session: session, loop: loop)
                let stream = session.datagrams
                Task {
                    for await datagram in stream {
                        loop.execute { leg.receive(datagram) }
                    }
                }
                return leg
            } catch {
                lastError = error
            }
        }
        throw lastError ?? MediaLegError(message: "no free RTP port in the configured range")
    }

    /// The local RTP port (for SDP).
    var port: UInt16 { UInt16(session.localPort) }

    /// Starts sending to and decoding from the peer the SDP negotiation chose.
    func configure(_ audio: NegotiatedAudio) throws {
        remote = try SocketAddress(ipAddress: audio.remoteAddress, port: Int(audio.remotePort))
        law = audio.codec
        sender.payloadType = audio.payloadType
        receiver = RTPReceiver(law: audio.codec, payloadType: audio.payloadType,
                               telephoneEventPayloadType: audio.telephoneEventPayloadType, concealer: FadingConcealer())
    }

    private func receive(_ datagram: RTPSession.Datagram) {
        guard !closed, var receiver = self.receiver else { return }
        self.receiver = nil   // keep the buffers uniquely referenced while mutating
        packetsReceived += 1
        let arrival = Int64(frames) * 160
        let events = receiver.receive(datagram: datagram.bytes, arrival: arrival)
        self.receiver = receiver
        for event in events {
            if case .telephoneEvent(.began(let code, _)) = event, let digit = TelephoneEvent.digit(for: code) {
                if let new = collector.add(digit, start: .milliseconds(frames * 20), source: .telephoneEvent) {
                    onDigit?(new.digit)
                }
            }
        }
    }

    /// Plays out the next 20 ms of what the peer sent (silence before the first packet) and runs the
    /// in-band DTMF detector over it.
    func readFrame() -> [Int16] {
        frames += 1
        guard var receiver = self.receiver else {
            for i in frame.indices { frame[i] = 0 }
            return frame
        }
        self.receiver = nil
        let kind = frame.withUnsafeMutableBufferPointer { receiver.playout(into: $0) }
        self.receiver = receiver
        if kind == .audio, frame.contains(where: { abs(Int($0)) > 64 }) { audibleFrames += 1 }
        let detected = frame.withUnsafeBufferPointer { detector.process($0) }
        for d in detected {
            if let new = collector.add(d.digit, start: d.start, source: .inBand) { onDigit?(new.digit) }
        }
        return frame
    }

    /// Sends 20 ms of audio to the peer.
    func send(_ samples: [Int16]) {
        guard !closed, let remote else { return }
        samples.withUnsafeBufferPointer { sender.encodeAudio($0, law: law, into: &outgoing) }
        session.sendWithoutWaiting(outgoing, to: remote)
    }

    /// Closes the socket.
    func close() {
        guard !closed else { return }
        closed = true
        let session = self.session
        Task { try? await session.close() }
    }
}

/// Hands out RTP ports from the configured range, round robin (even ports, as RFC 3550 §11 suggests).
final class PortAllocator: @unchecked Sendable {
    private let first: Int
    private let last: Int
    private let nextPort: Mutex<Int>

    init(first: Int, last: Int) {
        self.first = first & ~1
        self.last = last
        nextPort = Mutex(first & ~1)
    }

    func next() -> Int {
        nextPort.withLock { next in
            let port = next
            next += 2
            if next > last { next = first }
            return max(port, 1)
        }
    }
}

/// A media leg that could not be set up.
struct MediaLegError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
