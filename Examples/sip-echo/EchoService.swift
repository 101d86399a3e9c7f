import Foundation
import HotlineMedia
import HotlineSIP
import Logging
import NIOCore
import NIOPosix

/// Answers calls with SDP (PCMU, PCMA, telephone-event) and echoes each call's RTP from its own
/// UDP socket. Sockets come from a small pool of pre-bound ones, so an INVITE is answered at once.
final class EchoService: @unchecked Sendable {
    let host: String
    let rtpLoop: any EventLoop
    let sipLoop: any EventLoop
    let ring: Bool
    let answerDelay: Int
    let logger: Logger
    /// Pre-bound RTP sockets (touched only on the SIP loop).
    private var pool: [any Channel] = []
    private var refilling = 0
    private let poolSize = 32
    private let capabilities = AudioCapabilities(codecs: [.muLaw, .aLaw], telephoneEventPayloadType: 101)

    init(host: String, sipLoop: any EventLoop, rtpLoop: any EventLoop, ring: Bool, answerDelay: Int, logger: Logger) {
        self.answerDelay = answerDelay
        self.host = host
        self.sipLoop = sipLoop
        self.rtpLoop = rtpLoop
        self.ring = ring
        self.logger = logger
    }

    func start() async throws {
        for _ in 0..<poolSize { pool.append(try await bind().get()) }
    }

    private func bind() -> EventLoopFuture<any Channel> {
        DatagramBootstrap(group: rtpLoop)
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 18)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RTPEchoHandler())
                }
            }
            .bind(host: host, port: 0)
    }

    /// Called on the SIP loop for each new call.
    func incoming(_ call: Call) {
        let offer: SessionDescription?
        if call.remoteBody.isEmpty {
            offer = nil
        } else {
            do {
                offer = try SessionDescription(parsing: String(decoding: call.remoteBody, as: UTF8.self))
            } catch {
                logger.warning("bad SDP offer: \(error)")
                call.reject(status: 488)
                return
            }
        }
        guard let channel = takeSocket() else {
            call.reject(status: 503)
            return
        }
        let port = UInt16(channel.localAddress?.port ?? 0)
        let sessionID = UInt64.random(in: 1...UInt64(UInt32.max))
        let body: SessionDescription
        let telephoneEventPayloadType: UInt8?
        if let offer {
            do {
                let (answer, audio) = try OfferAnswer.answer(to: offer, capabilities: capabilities, address: host, port: port, sessionID: sessionID)
                body = answer
                telephoneEventPayloadType = audio.telephoneEventPayloadType
            } catch {
                logger.info("no common codec: \(error)")
                channel.close(promise: nil)
                call.reject(status: 488)
                return
            }
        } else {
            // Late offer: we offer, the ACK answers (RFC 3261 §13.2.1).
            body = OfferAnswer.offer(capabilities: capabilities, address: host, port: port, sessionID: sessionID)
            telephoneEventPayloadType = 101
        }
        let callID = call.callID
        let logger = self.logger
        channel.pipeline.handler(type: RTPEchoHandler.self).whenSuccess { handler in
            handler.configure(callID: callID, telephoneEventPayloadType: telephoneEventPayloadType, logger: logger)
        }
        call.onStateChange = { [weak self] call in
            if case .terminated(let reason) = call.state {
                logger.debug("call \(call.callID) ended: \(reason)")
                self?.recycle(channel)
            }
        }
        call.onInfo = { call, request in
            // SIP INFO digits (application/dtmf-relay: "Signal=5").
            let text = String(decoding: request.body, as: UTF8.self)
            for line in text.split(whereSeparator: \.isNewline) where line.lowercased().hasPrefix("signal=") {
                logger.info("DTMF call=\(call.callID) digit=\(line.dropFirst(7).trimmingCharacters(in: .whitespaces)) via=INFO")
            }
        }
        // Re-INVITE/UPDATE offers (hold, resume): answer again on the same port, version + 1.
        let capabilities = self.capabilities
        let host = self.host
        let version = ManagedCounter()
        call.onOffer = { _, offerBytes in
            guard let offer = try? SessionDescription(parsing: String(decoding: offerBytes, as: UTF8.self)),
                  let (answer, _) = try? OfferAnswer.answer(to: offer, capabilities: capabilities, address: host, port: port,
                                                            sessionID: sessionID, sessionVersion: version.next()) else { return nil }
            return Array(answer.text.utf8)
        }
        let answer = Array(body.text.utf8)
        if answerDelay > 0 {
            call.ring()
            sipLoop.scheduleTask(in: .milliseconds(Int64(answerDelay))) { call.answer(body: answer) }
        } else {
            if ring { call.ring() }
            call.answer(body: answer)
        }
    }

    /// Puts a call's RTP socket back in the pool (binding a fresh socket per call costs more
    /// than the call's signalling); beyond the pool size it is closed.
    private func recycle(_ channel: any Channel) {
        channel.pipeline.handler(type: RTPEchoHandler.self).whenSuccess { handler in
            handler.configure(callID: "", telephoneEventPayloadType: nil, logger: self.logger)
        }
        if pool.count < poolSize * 4 { pool.append(channel) } else { channel.close(promise: nil) }
    }

    private func takeSocket() -> (any Channel)? {
        let channel = pool.popLast()
        if pool.count + refilling < poolSize {
            refilling += 1
            bind().hop(to: sipLoop).whenComplete { [self] result in
                refilling -= 1
                if case .success(let channel) = result { pool.append(channel) }
            }
        }
        return channel
    }

}

/// Echoes every datagram back to its sender and reports RFC 4733 digits.
final class RTPEchoHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    private var callID = ""
    private var telephoneEventPayloadType: UInt8?
    private var receiver = TelephoneEventReceiver()
    private var logger: Logger?

    func configure(callID: String, telephoneEventPayloadType: UInt8?, logger: Logger) {
        self.callID = callID
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        if let pt = telephoneEventPayloadType {
            envelope.data.withUnsafeReadableBytes { raw in
                guard let packet = try? RTPPacket(decoding: raw), packet.payloadType == pt,
                      let event = try? TelephoneEvent(decoding: packet.payload) else { return }
                for notification in receiver.receive(event, timestamp: packet.timestamp) {
                    if case .ended(let code, _, let duration) = notification {
                        let digit = TelephoneEvent.digit(for: code).map { String($0) } ?? "event\(code)"
                        logger?.info("DTMF call=\(callID) digit=\(digit) duration=\(duration / 8)ms via=RFC4733")
                    }
                }
            }
        }
        context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: envelope.data)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP unreachable when the caller has gone: ignore.
    }
}

/// A counter used from one event loop.
final class ManagedCounter: @unchecked Sendable {
    private var value: UInt64 = 0
    func next() -> UInt64 {
        value += 1
        return value
    }
}
