internal import CSpanDSP

/// One IFP packet (ITU-T T.38 §7) from a T.38 terminal, with the sequence number it carries.
public struct T38Packet: Sendable, Hashable {
    /// The sequence number (the same for the repeated copies spandsp asks for).
    public var sequence: UInt16
    /// The IFP packet bytes (without UDPTL framing).
    public var bytes: [UInt8]
}

/// A T.38 fax terminal on spandsp's `t38_terminal_*`: T.30 carried as T.38 IFP packets instead of
/// modem audio, so packet loss costs a packet, not a modem retrain.
///
/// spandsp 0.0.6 provides the T.38 core and terminal but not UDPTL framing: packets come out of
/// `takePackets()` and go in through `receive(_:)` as IFP bytes with their sequence numbers. Owns its
/// spandsp state; not thread-safe.
public final class T38Terminal {
    /// The role of this terminal.
    public let role: FaxSession.Role
    private let state: OpaquePointer
    private let t30: OpaquePointer
    private let core: OpaquePointer
    private let queue = PacketQueue()
    /// The result once the call has ended (T.30 phase E), else `nil`.
    public private(set) var result: FaxResult?

    /// Creates a terminal.
    /// - Parameters:
    ///   - role: send a file or receive into one.
    ///   - callingParty: whether this side placed the call.
    ///   - options: station ID, header, ECM, modems (the modem set bounds the T.38 rate).
    /// - Throws: `FaxError` when a file cannot be used.
    public init(role: FaxSession.Role, callingParty: Bool, options: FaxOptions = FaxOptions()) throws {
        try validateFiles(role)
        self.role = role
        // The packet queue exists before the terminal, so spandsp can be given its address at init;
        // the terminal keeps it alive for as long as spandsp may call back.
        guard let state = t38_terminal_init(nil, callingParty ? 1 : 0, { _, userData, buffer, length, count in
            guard let userData, let buffer, length > 0 else { return 0 }
            let queue = Unmanaged<PacketQueue>.fromOpaque(userData).takeUnretainedValue()
            queue.append(UnsafeBufferPointer(start: buffer, count: Int(length)), copies: Int(count))
            return 0
        }, Unmanaged.passUnretained(queue).toOpaque()),
            let t30 = t38_terminal_get_t30_state(state),
            let core = t38_terminal_get_t38_core_state(state)
        else {
            preconditionFailure("spandsp t38_terminal_init could not allocate its state")
        }
        self.state = state
        self.t30 = t30
        self.core = core
        configureT30(t30, role: role, options: options)
        t30_set_phase_e_handler(t30, { _, userData, code in
            guard let userData else { return }
            let terminal = Unmanaged<T38Terminal>.fromOpaque(userData).takeUnretainedValue()
            terminal.result = faxResult(t30: terminal.t30, role: terminal.role, code: Int(code))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        t38_terminal_free(state)
    }

    /// Whether the call has ended.
    public var isFinished: Bool { result != nil }

    /// Advances the terminal's clock; it may queue packets to send.
    /// - Parameter samples: elapsed time in 8 kHz samples (160 = 20 ms).
    public func advance(samples: Int) {
        t38_terminal_send_timeout(state, Int32(samples))
    }

    /// Takes the packets queued since the last call, in order (repeats included).
    /// - Returns: the packets to send.
    public func takePackets() -> [T38Packet] {
        defer { queue.packets.removeAll(keepingCapacity: true) }
        return queue.packets
    }

    /// Handles a packet from the far end.
    /// - Parameter packet: the IFP bytes and sequence number.
    public func receive(_ packet: T38Packet) {
        packet.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            t38_core_rx_ifp_packet(core, base, Int32(buffer.count), packet.sequence)
        }
    }

    /// Ends the call now; `result` reports how far it got.
    public func terminate() {
        t30_terminate(t30)
        if result == nil {
            result = faxResult(t30: t30, role: role, code: Int(T30_ERR_CALLDROPPED))
        }
    }

}

/// Packets a T.38 terminal has asked to send, numbered in order.
private final class PacketQueue {
    var packets: [T38Packet] = []
    private var nextSequence: UInt16 = 0

    func append(_ bytes: UnsafeBufferPointer<UInt8>, copies: Int) {
        let packet = T38Packet(sequence: nextSequence, bytes: Array(bytes))
        nextSequence &+= 1
        for _ in 0..<max(1, copies) {
            packets.append(packet)
        }
    }
}
