import Synchronization
import Logging
import NIOCore
import NIOPosix
@testable import HotlineSIP

/// A UDP or TCP client on 127.0.0.1 that sends raw bytes and collects what comes back.
final class RawClient: @unchecked Sendable {
    let channel: any Channel
    let inbox: Inbox
    let kind: SIPTransportKind

    private init(channel: any Channel, inbox: Inbox, kind: SIPTransportKind) {
        self.channel = channel
        self.inbox = inbox
        self.kind = kind
    }

    /// Received datagrams or framed messages, in order.
    final class Inbox: Sendable {
        private let items = Mutex<[[UInt8]]>([])
        func put(_ bytes: [UInt8]) { items.withLock { $0.append(bytes) } }
        func take() -> [UInt8]? { items.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    }

    static func udp(group: any EventLoopGroup) async throws -> RawClient {
        let inbox = Inbox()
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawClient(channel: channel, inbox: inbox, kind: .udp)
    }

    static func tcp(group: any EventLoopGroup, port: Int) async throws -> RawClient {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamCollector(inbox: inbox))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawClient(channel: channel, inbox: inbox, kind: .tcp)
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func send(_ text: String, to port: Int) async throws {
        let buffer = ByteBuffer(string: text)
        if kind == .udp {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: port), data: buffer))
        } else {
            try await channel.writeAndFlush(buffer)
        }
    }

    /// The next message received, parsed, or `nil` after `seconds` (keep-alive CRLFs are skipped).
    func next(within seconds: Int = 5) async -> SIPMessage? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let bytes = inbox.take() {
                if let message = try? SIPMessage(parsing: bytes) { return message }
                continue
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    func close() async { try? await channel.close() }

    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let inbox: Inbox
        init(inbox: Inbox) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            inbox.put(Array(unwrapInboundIn(data).data.readableBytesView))
        }
    }

    final class StreamCollector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox
        var framer = SIPStreamFramer()
        init(inbox: Inbox) { self.inbox = inbox }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            framer.append(unwrapInboundIn(data).readableBytesView)
            while let frame = try? framer.next() {
                if case .message(let bytes) = frame { inbox.put(bytes) } else { inbox.put(Array("\r\n\r\n".utf8)) }
            }
        }
    }
}

/// An endpoint + user agent on 127.0.0.1 with a free port.
struct TestAgent {
    let endpoint: SIPEndpoint
    let agent: UserAgent

    static func start(group: any EventLoopGroup, registrar: UserAgentConfiguration.Registrar? = nil,
                      authenticateInvites: Bool = false, user: String = "agent") async throws -> TestAgent {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let endpoint = SIPEndpoint(configuration: SIPEndpointConfiguration(host: "127.0.0.1", port: 0,
                                   timers: TransactionTimerValues(t1: .milliseconds(100), t2: .milliseconds(400), t4: .milliseconds(500))),
                                   eventLoop: group.next(), logger: logger)
        let agent = UserAgent(endpoint: endpoint, configuration: UserAgentConfiguration(contactUser: user, registrar: registrar,
                              authenticateInvites: authenticateInvites, now: { TestClock.seconds() }), logger: logger)
        try await endpoint.start()
        return TestAgent(endpoint: endpoint, agent: agent)
    }

    var port: Int { endpoint.udpPort ?? 0 }
    func stop() async { await endpoint.stop() }
}

enum TestClock {
    static func seconds() -> UInt64 { UInt64(ContinuousClock.now.duration(to: ContinuousClock.now).components.seconds) + 1_000 }
}

/// Waits until a condition holds, polling, or fails after `seconds`.
func eventually(_ seconds: Double = 5, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// A thread-safe box for values set in callbacks.
final class Box<T: Sendable>: Sendable {
    private let value: Mutex<T>
    init(_ value: T) { self.value = Mutex(value) }
    var get: T { value.withLock { $0 } }
    func set(_ v: T) { value.withLock { $0 = v } }
    func update(_ f: (inout T) -> Void) { value.withLock { f(&$0) } }
}
