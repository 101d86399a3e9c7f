public import Logging
public import NIOCore
internal import NIOPosix

/// One UDP socket carrying an RTP (or RTCP) stream, on SwiftNIO: datagrams out with ``send(_:to:)``,
/// datagrams in through ``datagrams``, each stamped with its arrival instant.
///
/// This is the only HotlineMedia file that touches sockets. It does no RTP logic: feed what arrives into an
/// ``RTPReceiver`` and send what an ``RTPSender`` produces. The socket's receive buffer is enlarged (default
/// 1 MiB, as far as the kernel allows) so bursts across hundreds of calls are not dropped by the kernel.
///
/// ```swift
/// let session = try await RTPSession.bind(host: "127.0.0.1", port: 0, logger: logger)
/// try await session.send(datagram, to: try SocketAddress(ipAddress: "127.0.0.1", port: peerPort))
/// for await incoming in session.datagrams { _ = receiver.receive(datagram: incoming.bytes, arrival: …) }
/// ```
public final class RTPSession: Sendable {
    /// A datagram that arrived.
    public struct Datagram: Sendable {
        /// The UDP payload.
        public var bytes: [UInt8]
        /// Who sent it.
        public var remote: SocketAddress
        /// When the event loop read it.
        public var arrival: ContinuousClock.Instant
    }

    /// The local address the socket is bound to (its port is the one to put in SDP).
    public let localAddress: SocketAddress
    /// Arriving datagrams, in the order read. Ends when the session closes.
    public let datagrams: AsyncStream<Datagram>
    /// The receive buffer size the kernel granted, in bytes (Linux reports twice the usable size).
    public let receiveBufferSize: Int
    private let channel: any Channel
    private let logger: Logger

    private init(
        channel: any Channel, datagrams: AsyncStream<Datagram>, receiveBufferSize: Int, logger: Logger
    ) throws {
        guard let address = channel.localAddress else {
            throw RTPSessionError(reason: "the socket has no local address after binding")
        }
        self.channel = channel
        self.localAddress = address
        self.datagrams = datagrams
        self.receiveBufferSize = receiveBufferSize
        self.logger = logger
    }

    /// The local port.
    public var localPort: Int { localAddress.port ?? 0 }

    /// Binds a UDP socket.
    /// - Parameters:
    ///   - host: The local address (`127.0.0.1`, `0.0.0.0`, or a specific interface).
    ///   - port: The local port, 0 for any free one.
    ///   - receiveBufferSize: `SO_RCVBUF` to request, in bytes.
    ///   - bufferedDatagrams: Datagrams kept when the consumer falls behind; older ones are dropped first.
    ///   - group: The event loop group, or `nil` for NIO's shared singleton.
    ///   - logger: Where socket errors are logged (per-packet events only at `.trace`).
    /// - Returns: The bound session.
    /// - Throws: NIO's error when the address cannot be bound (port in use, bad address).
    public static func bind(
        host: String, port: Int = 0, receiveBufferSize: Int = 1 << 20, bufferedDatagrams: Int = 1024,
        group: (any EventLoopGroup)? = nil, logger: Logger
    ) async throws -> RTPSession {
        let (stream, continuation) = AsyncStream<Datagram>.makeStream(bufferingPolicy: .bufferingNewest(bufferedDatagrams))
        let channel = try await DatagramBootstrap(group: group ?? MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DatagramHandler(continuation: continuation, logger: logger))
                }
            }
            .bind(host: host, port: port)
            .get()
        let granted = try await channel.getOption(.socketOption(.so_rcvbuf)).get()
        logger.debug(
            "RTP socket bound", metadata: ["local": "\(channel.localAddress.map { "\($0)" } ?? "?")", "rcvbuf": "\(granted)"])
        return try RTPSession(
            channel: channel, datagrams: stream, receiveBufferSize: Int(granted), logger: logger)
    }

    /// Sends one datagram.
    /// - Parameters:
    ///   - bytes: The UDP payload (an encoded RTP or RTCP packet).
    ///   - remote: The peer's address (from SDP: `c=` and `m=` port).
    /// - Throws: NIO's error when the socket is closed or the send fails.
    public func send(_ bytes: [UInt8], to remote: SocketAddress) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer))
    }

    /// Sends one datagram without waiting for the write to complete (the media loop's fast path).
    /// - Parameters:
    ///   - bytes: The UDP payload.
    ///   - remote: The peer's address.
    public func sendWithoutWaiting(_ bytes: [UInt8], to remote: SocketAddress) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
    }

    /// Closes the socket; ``datagrams`` finishes.
    /// - Throws: NIO's error if the channel was already closed by another path.
    public func close() async throws {
        try await channel.close()
    }
}

/// A socket-level failure of an ``RTPSession``.
public struct RTPSessionError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String
    public var description: String { "RTP session: \(reason)" }
}

/// Reads datagrams off the channel into the session's stream.
private final class DatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let continuation: AsyncStream<RTPSession.Datagram>.Continuation
    private let logger: Logger
    private let clock = ContinuousClock()

    init(continuation: AsyncStream<RTPSession.Datagram>.Continuation, logger: Logger) {
        self.continuation = continuation
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        continuation.yield(.init(bytes: bytes, remote: envelope.remoteAddress, arrival: clock.now))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar per-datagram errors must not end the session.
        logger.debug("RTP socket error", metadata: ["error": "\(error)"])
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
