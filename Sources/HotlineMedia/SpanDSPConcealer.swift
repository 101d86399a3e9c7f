internal import CSpanDSP

/// Packet loss concealment with spandsp's `plc_*` (pitch-period repetition with overlap-add and
/// fading, after ITU-T G.711 Appendix I): a better-sounding alternative to simple repetition for the
/// RTP receiver's jitter buffer.
///
/// Owns its spandsp state and frees it when released. Not thread-safe and not `Sendable`: one per
/// receiving call leg.
public final class SpanDSPConcealer {
    private let state: UnsafeMutablePointer<plc_state_t>
    private var scratch = [Int16](repeating: 0, count: 160)

    /// Creates a concealer with empty history.
    public init() {
        guard let state = plc_init(nil) else {
            preconditionFailure("spandsp plc_init could not allocate its state")
        }
        self.state = state
    }

    deinit {
        plc_free(state)
    }

    /// Feeds a received frame through the concealer, in place: after a loss, spandsp blends the
    /// start of this frame with the synthetic signal so there is no click.
    /// - Parameter frame: the decoded frame; it may be modified.
    public func receive(_ frame: UnsafeMutableBufferPointer<Int16>) {
        guard let base = frame.baseAddress, !frame.isEmpty else { return }
        plc_rx(state, base, Int32(frame.count))
    }

    /// Records a received frame that is played as it is (history for later concealment).
    /// - Parameter frame: the decoded frame.
    public func didPlay(_ frame: UnsafeBufferPointer<Int16>) {
        if scratch.count < frame.count {
            scratch = [Int16](repeating: 0, count: frame.count)
        }
        scratch.withUnsafeMutableBufferPointer { buffer in
            let target = UnsafeMutableBufferPointer(rebasing: buffer[0..<frame.count])
            _ = target.initialize(fromContentsOf: frame)
            receive(target)
        }
    }

    /// Synthesises audio for a lost frame from the recent history.
    /// - Parameter frame: the buffer to fill, one frame long.
    public func conceal(into frame: UnsafeMutableBufferPointer<Int16>) {
        guard let base = frame.baseAddress, !frame.isEmpty else { return }
        plc_fillin(state, base, Int32(frame.count))
    }
}

/// `RTPReceiver<SpanDSPConcealer>` conceals lost packets with spandsp's PLC.
extension SpanDSPConcealer: LossConcealer {}
