public import Foundation
internal import CSpanDSP

/// The fax modems T.30 may use for page data.
public enum FaxModem: String, Sendable, Hashable, CaseIterable, Codable {
    /// ITU-T V.27ter, 2,400/4,800 bit/s.
    case v27ter
    /// ITU-T V.29, 7,200/9,600 bit/s.
    case v29
    /// ITU-T V.17, 7,200 … 14,400 bit/s (trellis coded).
    case v17
}

/// How a fax call is set up.
public struct FaxOptions: Sendable, Hashable {
    /// Our station ID (TSI/CSI, T.30 §5.3.6.2.4): up to 20 characters, digits, `+` and space.
    public var stationID: String
    /// The header line stamped at the top of each sent page (with date, time and page number), or `nil`.
    public var headerLine: String?
    /// Use error correction mode (T.30 Annex A): retransmits damaged frames, so pages arrive exact.
    public var errorCorrection: Bool
    /// The modems offered for page data.
    public var modems: Set<FaxModem>

    /// Creates options.
    /// - Parameters:
    ///   - stationID: our station ID.
    ///   - headerLine: the sent-page header text, or `nil` for none.
    ///   - errorCorrection: use ECM.
    ///   - modems: the modems offered (all by default).
    public init(stationID: String = "+86 12366", headerLine: String? = nil, errorCorrection: Bool = true, modems: Set<FaxModem> = Set(FaxModem.allCases)) {
        self.stationID = stationID
        self.headerLine = headerLine
        self.errorCorrection = errorCorrection
        self.modems = modems
    }
}

/// How a fax call ended (T.30 phase E).
public struct FaxResult: Sendable, Hashable, Codable {
    /// Whether the whole document was transferred.
    public var succeeded: Bool
    /// Pages transferred (sent or received).
    public var pages: Int
    /// The page-data bit rate last used, in bit/s (e.g. 14400).
    public var bitRate: Int
    /// Whether ECM was used.
    public var errorCorrection: Bool
    /// The far end's station ID, if it sent one.
    public var remoteStationID: String?
    /// spandsp's T.30 completion code (0 = OK).
    public var completionCode: Int
    /// Why the call failed (spandsp's description of the completion code), `nil` on success.
    public var failureReason: String?
}

/// Why a fax session could not start.
public struct FaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// One fax terminal (T.30 over G.711 audio) on spandsp's `fax_*`: sends a TIFF-F file or receives
/// into one, exchanging 8 kHz audio frame by frame with the far end.
///
/// Owns its spandsp state and frees it when released. Not thread-safe: one per call.
public final class FaxSession {
    /// Send or receive.
    public enum Role: Sendable, Hashable {
        /// Send the pages of a TIFF-F file.
        case send(URL)
        /// Receive pages into a TIFF-F file.
        case receive(URL)
    }

    /// The role of this terminal.
    public let role: Role
    private let state: OpaquePointer
    private let t30: OpaquePointer
    private var scratch = [Int16](repeating: 0, count: 160)
    /// The result once the call has ended (T.30 phase E), else `nil`.
    public private(set) var result: FaxResult?

    /// Creates a terminal.
    /// - Parameters:
    ///   - role: send a file or receive into one.
    ///   - callingParty: whether this side placed the call (sends CNG) — normally the sender.
    ///   - options: station ID, header, ECM, modems.
    /// - Throws: `FaxError` when the file to send does not exist or the receive directory is missing.
    public init(role: Role, callingParty: Bool, options: FaxOptions = FaxOptions()) throws {
        try validateFiles(role)
        guard let state = fax_init(nil, callingParty ? 1 : 0), let t30 = fax_get_t30_state(state) else {
            preconditionFailure("spandsp fax_init could not allocate its state")
        }
        self.role = role
        self.state = state
        self.t30 = t30
        fax_set_transmit_on_idle(state, 1)
        if ProcessInfo.processInfo.environment["HOTLINE_FAX_TRACE"] != nil {
            // Debugging aid: spandsp's own T.30 protocol trace on standard error.
            span_log_set_level(fax_get_logging_state(state), Int32(SPAN_LOG_SHOW_TAG) | Int32(SPAN_LOG_SHOW_PROTOCOL) | Int32(SPAN_LOG_FLOW))
            span_log_set_level(t30_get_logging_state(t30), Int32(SPAN_LOG_SHOW_TAG) | Int32(SPAN_LOG_SHOW_PROTOCOL) | Int32(SPAN_LOG_FLOW))
        }
        configureT30(t30, role: role, options: options)
        t30_set_phase_e_handler(t30, { _, userData, code in
            guard let userData else { return }
            Unmanaged<FaxSession>.fromOpaque(userData).takeUnretainedValue().phaseE(Int(code))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        fax_free(state)
    }

    /// Whether the call has ended.
    public var isFinished: Bool { result != nil }

    /// Feeds audio heard from the far end.
    /// - Parameter samples: 8 kHz linear samples (160 per 20 ms frame).
    public func receive(_ samples: UnsafeBufferPointer<Int16>) {
        guard !samples.isEmpty else { return }
        if scratch.count < samples.count { scratch = [Int16](repeating: 0, count: samples.count) }
        scratch.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<samples.count]).initialize(fromContentsOf: samples)
            fax_rx(state, base, Int32(samples.count))
        }
    }

    /// Tells the terminal that `count` samples were lost (packet loss), keeping its timing.
    /// - Parameter count: the number of missing samples.
    public func receiveMissing(_ count: Int) {
        guard count > 0 else { return }
        fax_rx_fillin(state, Int32(count))
    }

    /// Produces the audio to send to the far end.
    /// - Parameter buffer: filled completely (silence when there is nothing to send).
    public func transmit(into buffer: UnsafeMutableBufferPointer<Int16>) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        let produced = Int(fax_tx(state, base, Int32(buffer.count)))
        if produced < buffer.count {
            buffer[max(0, produced)...].update(repeating: 0)
        }
    }

    /// Ends the call now (e.g. the line was hung up); `result` reports how far it got.
    public func terminate() {
        t30_terminate(t30)
        if result == nil {
            phaseE(Int(T30_ERR_CALLDROPPED))
        }
    }

    private func phaseE(_ code: Int) {
        result = faxResult(t30: t30, role: role, code: code)
    }
}

/// Checks that the file to send is a readable TIFF and that the receive directory is writable.
func validateFiles(_ role: FaxSession.Role) throws {
    switch role {
    case .send(let url):
        guard FileManager.default.isReadableFile(atPath: url.path),
              let handle = try? FileHandle(forReadingFrom: url)
        else {
            throw FaxError(message: "\(url.path): the TIFF file to send does not exist or cannot be read")
        }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        guard magic == Data([0x49, 0x49, 0x2A, 0x00]) || magic == Data([0x4D, 0x4D, 0x00, 0x2A]) else {
            throw FaxError(message: "\(url.path): not a TIFF file (expected 'II*' or 'MM*' at byte 0)")
        }
    case .receive(let url):
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw FaxError(message: "\(url.path): cannot write received pages into \(directory)")
        }
    }
}

/// Applies station ID, header, ECM, modems, compressions and the file to a T.30 context.
func configureT30(_ t30: OpaquePointer, role: FaxSession.Role, options: FaxOptions) {
    t30_set_tx_ident(t30, String(options.stationID.prefix(20)))
    if let header = options.headerLine {
        t30_set_tx_page_header_info(t30, String(header.prefix(50)))
    }
    t30_set_ecm_capability(t30, options.errorCorrection ? 1 : 0)
    var modems: Int32 = 0
    if options.modems.contains(.v27ter) { modems |= Int32(T30_SUPPORT_V27TER) }
    if options.modems.contains(.v29) { modems |= Int32(T30_SUPPORT_V29) }
    if options.modems.contains(.v17) { modems |= Int32(T30_SUPPORT_V17) }
    t30_set_supported_modems(t30, modems)
    t30_set_supported_compressions(t30, Int32(T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION))
    switch role {
    case .send(let url): t30_set_tx_file(t30, url.path, -1, -1)
    case .receive(let url): t30_set_rx_file(t30, url.path, -1)
    }
}

/// The result of a call from a T.30 context's statistics at phase E.
func faxResult(t30: OpaquePointer, role: FaxSession.Role, code: Int) -> FaxResult {
    var statistics = t30_stats_t()
    t30_get_transfer_statistics(t30, &statistics)
    let remote = t30_get_rx_ident(t30).map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
    let pages: Int
    switch role {
    case .send: pages = Int(statistics.pages_tx)
    case .receive: pages = Int(statistics.pages_rx)
    }
    return FaxResult(
        succeeded: code == 0,
        pages: pages,
        bitRate: Int(statistics.bit_rate),
        errorCorrection: statistics.error_correcting_mode != 0,
        remoteStationID: remote?.isEmpty == false ? remote : nil,
        completionCode: code,
        failureReason: code == 0 ? nil : String(cString: t30_completion_code_to_str(Int32(code)))
    )
}
