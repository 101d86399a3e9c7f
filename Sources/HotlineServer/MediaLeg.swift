import HotlineMedia
import Logging
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One call leg's media on the server: a UDP socket bound on the server's event loop, the receiver with
/// its jitter buffer, the sender, and DTMF from RFC 4733 telephone events and the in-band detector merged
/// by a ``DigitCollector``. Confined to the server's event loop: every method runs there.
///
/// The leg creates and binds its UDP socket itself and hands it to NIO for reading: datagrams reach the
/// leg through a channel handler on the same loop (no stream, task or hop per packet) and are decoded in
/// place from NIO's buffer. Sending, 50 times a second per leg from the media tick, bypasses the channel
/// pipeline: one `sendto(2)` on the socket from a buffer reused for every packet (a packet the kernel
/// cannot take at once is dropped, as a late RTP packet would be).
final class MediaLeg: @unchecked Sendable {
    let loop: any EventLoop
    private(set) var channel: (any Channel)?
    /// The local RTP port (for SDP).
    private(set) var port: UInt16 = 0
    private(set) var remote: SocketAddress?
    private(set) var law: G711.Law = .muLaw
    /// The socket (owned by the NIO channel, which closes it).
    private var descriptor: Int32 = -1
    private var remoteAddress = sockaddr_storage()
    private var remoteLength: socklen_t = 0
    /// Mutated in place (a stored property of a final class), never copied per packet.
    private var receiver = RTPReceiver(law: .muLaw, concealer: FadingConcealer())
    private var receiving = false
    private var sender: RTPSender
    private let detector = DTMFDetector()
    private var collector = DigitCollector()
    private var outgoing: [UInt8] = []
    private var frame = [Int16](repeating: 0, count: 160)
    private let statistics: MediaStatistics
    /// When the last frame was played out (sub-frame arrival times for the jitter estimate).
    private var lastFrameAt = NIODeadline.now()
    /// Frames played out since the media began (the leg's media clock, 20 ms a frame).
    private(set) var frames = 0
    /// Datagrams received.
    private(set) var packetsReceived = 0
    /// Datagrams sent.
    private(set) var packetsSent = 0
    /// Frames of received audio that were not silence.
    private(set) var audibleFrames = 0
    /// Called on the loop with each new keypress.
    var onDigit: ((Character) -> Void)?
    private var closed = false

    private init(loop: any EventLoop, statistics: MediaStatistics) {
        self.loop = loop
        self.statistics = statistics
        var generator = SystemRandomNumberGenerator()
        sender = RTPSender(payloadType: 0, using: &generator)
        outgoing.reserveCapacity(12 + 160)
    }

    /// Binds a socket in the configured port range on `loop` (trying up to 32 ports) and starts handing
    /// datagrams to the leg there.
    /// - Returns: A future completed on `loop`.
    static func bind(host: String, ports: PortAllocator, loop: any EventLoop, statistics: MediaStatistics,
                     logger: Logger) -> EventLoopFuture<MediaLeg> {
        let leg = MediaLeg(loop: loop, statistics: statistics)
        @Sendable func attempt(_ remaining: Int, lastError: (any Error)?) -> EventLoopFuture<MediaLeg> {
            guard remaining > 0 else {
                return loop.makeFailedFuture(lastError ?? MediaLegError(message: "no free RTP port in the configured range"))
            }
            let port = ports.next()
            let descriptor: Int32
            do {
                descriptor = try boundSocket(host: host, port: port)
            } catch {
                logger.debug("RTP port unavailable", metadata: ["port": "\(port)", "error": "\(error)"])
                return attempt(remaining - 1, lastError: error)
            }
            return DatagramBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MediaLegHandler(leg: leg))
                    }
                }
                .withBoundSocket(descriptor)
                .map { channel in
                    leg.channel = channel
                    leg.descriptor = descriptor
                    leg.port = UInt16(port)
                    statistics.socketsOpen += 1
                    return leg
                }
                .flatMapError { error in
                    logger.debug("RTP socket not registered", metadata: ["port": "\(port)", "error": "\(error)"])
                    return attempt(remaining - 1, lastError: error)
                }
        }
        return attempt(32, lastError: nil)
    }

    /// A non-blocking UDP socket bound to `host:port` with a 256 KiB receive buffer.
    private static func boundSocket(host: String, port: Int) throws -> Int32 {
        let address = try SocketAddress(ipAddress: host, port: port)
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw MediaLegError(message: "socket(): \(String(cString: strerror(errno)))") }
        var size: Int32 = 1 << 18
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw MediaLegError(message: "bind \(host):\(port): \(reason)")
        }
        return fd
    }

    /// Starts sending to and decoding from the peer the SDP negotiation chose.
    func configure(_ audio: NegotiatedAudio) throws {
        let remote = try SocketAddress(ipAddress: audio.remoteAddress, port: Int(audio.remotePort))
        self.remote = remote
        remoteLength = remote.withSockAddr { pointer, length in
            withUnsafeMutableBytes(of: &remoteAddress) { storage in
                storage.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(length, storage.count)))
            }
            return socklen_t(length)
        }
        law = audio.codec
        sender.payloadType = audio.payloadType
        receiver = RTPReceiver(law: audio.codec, payloadType: audio.payloadType,
                               telephoneEventPayloadType: audio.telephoneEventPayloadType, concealer: FadingConcealer())
        receiving = true
    }

    fileprivate func receive(_ buffer: ByteBuffer) {
        guard !closed, receiving else { return }
        packetsReceived += 1
        statistics.packetsReceived += 1
        // Arrival on the playout clock, with the time since the last frame for sub-frame resolution.
        let sinceFrame = min(159, max(0, (NIODeadline.now() - lastFrameAt).nanoseconds / 125_000))
        let arrival = Int64(frames) * 160 + sinceFrame
        let events = buffer.withUnsafeReadableBytes { receiver.receive(datagram: $0, arrival: arrival) }
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
        lastFrameAt = NIODeadline.now()
        guard receiving else {
            for i in frame.indices { frame[i] = 0 }
            return frame
        }
        let kind = frame.withUnsafeMutableBufferPointer { receiver.playout(into: $0) }
        if kind == .audio, frame.contains(where: { abs(Int($0)) > 64 }) { audibleFrames += 1 }
        let detected = frame.withUnsafeBufferPointer { detector.process($0) }
        for d in detected {
            if let new = collector.add(d.digit, start: d.start, source: .inBand) { onDigit?(new.digit) }
        }
        return frame
    }

    /// Sends 20 ms of audio to the peer.
    func send(_ samples: [Int16]) {
        samples.withUnsafeBufferPointer { send($0) }
    }

    /// Sends 20 ms of audio to the peer, and counts it late when it leaves more than 10 ms after the
    /// tick it belongs to was due.
    func send(_ samples: UnsafeBufferPointer<Int16>) {
        guard !closed, remoteLength > 0, descriptor >= 0 else { return }
        sender.encodeAudio(samples, law: law, into: &outgoing)
        let sent = outgoing.withUnsafeBytes { bytes in
            withUnsafePointer(to: &remoteAddress) { storage in
                storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), address, remoteLength)
                }
            }
        }
        if sent < 0 { statistics.sendErrors += 1 }
        packetsSent += 1
        statistics.packetSent()
    }

    /// Reception figures of this leg so far (for the metrics when the leg closes).
    var reception: (expected: Int, lost: Int, jitterSamples: Int)? {
        guard receiving, receiver.statistics.received > 0 else { return nil }
        let statistics = receiver.statistics
        return (Int(statistics.expected), max(0, Int(statistics.cumulativeLost)), Int(statistics.jitter))
    }

    /// The channel closed the socket (on `close()` or a fatal socket error): send no more.
    fileprivate func socketClosed() {
        descriptor = -1
    }

    /// Closes the socket.
    func close() {
        guard !closed else { return }
        closed = true
        if let reception {
            statistics.noteClosedLeg(expected: reception.expected, lost: reception.lost, jitterSamples: reception.jitterSamples)
        }
        if channel != nil { statistics.socketsOpen -= 1 }
        descriptor = -1   // the channel closes it
        channel?.close(promise: nil)
        channel = nil
    }
}

/// Hands a leg's datagrams to it, on its loop.
private final class MediaLegHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private weak var leg: MediaLeg?

    init(leg: MediaLeg) {
        self.leg = leg
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        leg?.receive(unwrapInboundIn(data).data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar per-datagram errors must not end the leg.
    }

    func channelInactive(context: ChannelHandlerContext) {
        leg?.socketClosed()
        context.fireChannelInactive()
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
