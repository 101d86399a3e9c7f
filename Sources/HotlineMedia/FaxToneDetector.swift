internal import CSpanDSP

/// The tones that announce a fax machine (ITU-T T.30 §4.2, V.25).
public enum FaxTone: String, Sendable, Hashable, CaseIterable, Codable {
    /// CNG: the calling fax's 1100 Hz, 0.5 s on / 3 s off.
    case cng
    /// CED: the answering fax's 2100 Hz answer tone (or, when CED is missing, the V.21 HDLC preamble).
    case ced
}

/// Detects fax CNG and CED tones with spandsp's `modem_connect_tones_rx`, for automatic fax routing.
///
/// Owns two spandsp detectors and frees them when released. Not thread-safe: one per call leg.
public final class FaxToneDetector {
    private let cngState: OpaquePointer
    private let cedState: OpaquePointer
    private var cngHeard = false
    private var cedHeard = false

    /// Creates a detector listening for both CNG and CED.
    public init() {
        guard let cng = modem_connect_tones_rx_init(nil, Int32(MODEM_CONNECT_TONES_FAX_CNG), nil, nil),
              let ced = modem_connect_tones_rx_init(nil, Int32(MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE), nil, nil)
        else {
            preconditionFailure("spandsp modem_connect_tones_rx_init could not allocate its state")
        }
        cngState = cng
        cedState = ced
    }

    deinit {
        modem_connect_tones_rx_free(cngState)
        modem_connect_tones_rx_free(cedState)
    }

    /// Runs one frame through both detectors.
    /// - Parameter samples: linear 8 kHz samples (160 for 20 ms).
    /// - Returns: a fax tone the first time it is heard (each is reported once), else `nil`.
    public func process(_ samples: UnsafeBufferPointer<Int16>) -> FaxTone? {
        guard let base = samples.baseAddress, !samples.isEmpty else { return nil }
        modem_connect_tones_rx(cngState, base, Int32(samples.count))
        modem_connect_tones_rx(cedState, base, Int32(samples.count))
        if !cngHeard, modem_connect_tones_rx_get(cngState) == Int32(MODEM_CONNECT_TONES_FAX_CNG) {
            cngHeard = true
            return .cng
        }
        if !cedHeard {
            let tone = modem_connect_tones_rx_get(cedState)
            if tone == Int32(MODEM_CONNECT_TONES_ANS) || tone == Int32(MODEM_CONNECT_TONES_FAX_PREAMBLE) {
                cedHeard = true
                return .ced
            }
        }
        return nil
    }

    /// Runs one frame through both detectors.
    /// - Parameter samples: linear 8 kHz samples.
    /// - Returns: a fax tone the first time it is heard.
    public func process(_ samples: [Int16]) -> FaxTone? {
        samples.withUnsafeBufferPointer { process($0) }
    }
}

/// Generates fax CNG or CED with spandsp's `modem_connect_tones_tx` (for tests and for announcing a fax).
public final class FaxToneGenerator {
    private let state: OpaquePointer

    /// Creates a generator.
    /// - Parameter tone: CNG (1100 Hz cadence) or CED (2100 Hz answer tone).
    public init(_ tone: FaxTone) {
        let type = tone == .cng ? Int32(MODEM_CONNECT_TONES_FAX_CNG) : Int32(MODEM_CONNECT_TONES_ANS)
        guard let state = modem_connect_tones_tx_init(nil, type) else {
            preconditionFailure("spandsp modem_connect_tones_tx_init could not allocate its state")
        }
        self.state = state
    }

    deinit {
        modem_connect_tones_tx_free(state)
    }

    /// Produces the next frame of the tone.
    /// - Parameter count: samples (160 for 20 ms).
    /// - Returns: the frame (silence once a finite tone such as CED has ended).
    public func nextFrame(count: Int = 160) -> [Int16] {
        [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
            let produced = buffer.baseAddress.map { Int(modem_connect_tones_tx(state, $0, Int32(count))) } ?? 0
            if produced < count {
                buffer[max(produced, 0)...].initialize(repeating: 0)
            }
            initialized = count
        }
    }
}
