import Logging
import NIOCore
import NIOPosix

/// The NIO sockets of a ``SIPEndpoint``: one UDP socket, one TCP listener, and TCP connections
/// kept by remote address for reuse (RFC 3261 §18). All on the endpoint's event loop.
final class SIPTransport: @unchecked Sendable {
    let eventLoop: any EventLoop
    let logger: Logger
    weak var endpoint: SIPEndpoint?
    var udpChannel: (any Channel)?
    var tcpListener: (any Channel)?
    /// Open TCP connections by remote address (inbound and outbound alike).
    var connections: [SocketAddress: any Channel] = [:]
    var pendingConnections: [SocketAddress: EventLoopFuture<any Channel>] = [:]
    let limits: SIPParserLimits
    /// Whether the UDP handler is inside a read burst (writes are flushed at its end).
    var readingUDP = false
    var udpFlushPending = false

    init(eventLoop: any EventLoop, limits: SIPParserLimits, logger: Logger) {
        self.eventLoop = eventLoop
        self.limits = limits
        self.logger = logger
    }

    func bind(host: String, port: Int, transports: Set<SIPTransportKind>, receiveBufferSize: Int) async throws -> (udp: Int?, tcp: Int?) {
        var udpPort: Int? = nil, tcpPort: Int? = nil
        if transports.contains(.udp) {
            let channel = try await DatagramBootstrap(group: eventLoop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBufferSize))
                .channelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(receiveBufferSize))
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelOption(.maxMessagesPerRead, value: 16)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPHandler(transport: self))
                    }
                }
                .bind(host: host, port: port).get()
            udpChannel = channel
            udpPort = channel.localAddress?.port
        }
        if transports.contains(.tcp) {
            let channel = try await ServerBootstrap(group: eventLoop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TCPHandler(transport: self))
                    }
                }
                .bind(host: host, port: udpPort ?? port).get()
            tcpListener = channel
            tcpPort = channel.localAddress?.port
        }
        return (udpPort, tcpPort)
    }

    func close() async {
        let channels: [any Channel] = [udpChannel, tcpListener].compactMap { $0 } + Array(connections.values)
        for channel in channels { try? await channel.close() }
    }

    /// Sends bytes to a destination; for TCP over an existing connection or a new one.
    /// Must be called on the event loop.
    func send(_ buffer: ByteBuffer, to destination: SIPTransportAddress, onError: @escaping @Sendable () -> Void) {
        switch destination.transport {
        case .udp:
            guard let channel = udpChannel else { onError(); return }
            let promise = eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenFailure { [logger] error in
                logger.debug("UDP send failed", metadata: ["to": "\(destination)", "error": "\(error)"])
                onError()
            }
            let envelope = AddressedEnvelope(remoteAddress: destination.address, data: buffer)
            if readingUDP {
                // Inside a read burst: flush once when it ends (NIO then sends the batch with
                // sendmmsg), saving a system call per response under load.
                channel.write(envelope, promise: promise)
                udpFlushPending = true
            } else {
                channel.writeAndFlush(envelope, promise: promise)
            }
        case .tcp:
            if let channel = connections[destination.address] {
                channel.writeAndFlush(buffer).whenFailure { _ in onError() }
                return
            }
            let future: EventLoopFuture<any Channel>
            if let pending = pendingConnections[destination.address] {
                future = pending
            } else {
                future = ClientBootstrap(group: eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connectTimeout(.seconds(5))
                    .channelInitializer { [self] channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(TCPHandler(transport: self))
                        }
                    }
                    .connect(to: destination.address)
                pendingConnections[destination.address] = future
                future.whenComplete { [self] _ in pendingConnections[destination.address] = nil }
            }
            future.whenComplete { result in
                switch result {
                case .success(let channel): channel.writeAndFlush(buffer).whenFailure { _ in onError() }
                case .failure: onError()
                }
            }
        }
    }

    func received(_ bytes: [UInt8], from source: SIPTransportAddress, isStream: Bool) {
        endpoint?.received(bytes, from: source, isStream: isStream)
    }

    func rejectStream(_ error: SIPParseError, bytes: [UInt8], from source: SIPTransportAddress) {
        endpoint?.rejectUnparseable(bytes, error: error, from: source)
    }
}

/// Receives UDP datagrams.
final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let transport: SIPTransport

    init(transport: SIPTransport) { self.transport = transport }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        transport.readingUDP = true
        let envelope = unwrapInboundIn(data)
        let bytes = Array(envelope.data.readableBytesView)
        // Keep-alive CRLFs on UDP (RFC 5626 §4.4.1 uses STUN; plain CRLF is ignored).
        if bytes.allSatisfy({ $0 == 13 || $0 == 10 }) { return }
        transport.received(bytes, from: SIPTransportAddress(transport: .udp, address: envelope.remoteAddress), isStream: false)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        transport.readingUDP = false
        if transport.udpFlushPending {
            transport.udpFlushPending = false
            context.channel.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port-unreachable and the like: keep the socket open.
        transport.logger.debug("UDP error", metadata: ["error": "\(error)"])
    }
}

/// Frames a TCP connection into SIP messages and answers CRLF pings (RFC 5626 §3.5.1).
final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let transport: SIPTransport
    var framer: SIPStreamFramer
    var remote: SocketAddress?
    /// After a framing error the rest of the stream is discarded until the lingering close.
    var failed = false

    init(transport: SIPTransport) {
        self.transport = transport
        self.framer = SIPStreamFramer(limits: transport.limits)
    }

    func channelActive(context: ChannelHandlerContext) {
        if let remote = context.channel.remoteAddress {
            self.remote = remote
            transport.connections[remote] = context.channel
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let remote, transport.connections[remote] === context.channel { transport.connections[remote] = nil }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if failed { return }
        framer.append(buffer.readableBytesView)
        guard let remote else { return }
        let source = SIPTransportAddress(transport: .tcp, address: remote)
        do {
            while let frame = try framer.next() {
                switch frame {
                case .ping:
                    var pong = context.channel.allocator.buffer(capacity: 2)
                    pong.writeStaticString("\r\n")
                    context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
                case .message(let bytes):
                    transport.received(bytes, from: source, isStream: true)
                }
            }
        } catch {
            // The stream cannot be framed any more: answer if possible, then close (RFC 3261 §18.3).
            // Close a little later, discarding input meanwhile, so the peer reads the response
            // before the reset that closing on unread data would cause.
            failed = true
            transport.rejectStream(error, bytes: framer.pendingBytes(prefix: 8192), from: source)
            framer = SIPStreamFramer(limits: transport.limits)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
