import Foundation

/// What `/health`, `/metrics` and the voicemail routes of the HTTP API read from a running hotline
/// (``HotlineServer`` provides it). An API without one answers `/health` with the API's own liveness only,
/// `/metrics` with 503, and the voicemail routes with 503.
public protocol OperationsProvider: Sendable {
    /// The server's state now (SIP bound, database writable, calls, agents, media clock).
    func health() async -> HealthReport
    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    func prometheusMetrics() async -> String
    /// The voicemail boxes, if the server keeps them.
    var voicemailStore: VoicemailStore? { get }
}

/// The body of `GET /health`.
public struct HealthReport: Sendable, Hashable, Codable {
    /// `ok`, or `degraded` when something below is not (the response is then 503).
    public var status: String
    /// Whether SIP is bound, and where.
    public var sip: SIP?
    /// Whether the database took a write lock and the data directory a file.
    public var storage: Storage?
    /// Calls in progress.
    public var calls: Calls?
    /// Agents logged in and ready.
    public var agents: Agents?
    /// Whether the 20 ms media tick runs.
    public var media: Media?

    /// SIP transport state.
    public struct SIP: Sendable, Hashable, Codable {
        /// Whether every configured transport is listening.
        public var bound: Bool
        /// The UDP port, when bound.
        public var udpPort: Int?
        /// The TCP port, when bound.
        public var tcpPort: Int?
    }

    /// Storage state.
    public struct Storage: Sendable, Hashable, Codable {
        /// Whether SQLite granted a write lock.
        public var databaseWritable: Bool
        /// Whether a file could be created in the recordings directory.
        public var recordingsWritable: Bool
    }

    /// Call counts.
    public struct Calls: Sendable, Hashable, Codable {
        /// Calls in progress.
        public var active: Int
        /// Callers waiting in queues.
        public var waiting: Int
        /// Whether new calls are taken (false while shutting down).
        public var accepting: Bool
    }

    /// Agent counts.
    public struct Agents: Sendable, Hashable, Codable {
        /// Agents configured.
        public var configured: Int
        /// Agents logged in (any state but logged out).
        public var loggedIn: Int
        /// Agents ready for a call.
        public var ready: Int
    }

    /// Media clock state.
    public struct Media: Sendable, Hashable, Codable {
        /// Whether a tick ran in the last second.
        public var ticking: Bool
        /// RTP packets sent so far.
        public var packetsSent: Int
        /// Of those, sent more than 10 ms after their tick was due.
        public var packetsLate: Int
    }

    /// Creates a report.
    public init(status: String, sip: SIP? = nil, storage: Storage? = nil, calls: Calls? = nil, agents: Agents? = nil, media: Media? = nil) {
        self.status = status
        self.sip = sip
        self.storage = storage
        self.calls = calls
        self.agents = agents
        self.media = media
    }
}
