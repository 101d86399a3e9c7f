import Foundation
import GRDB
import HotlineACD
import HotlineSIP
import HotlineSQLite
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Counters of calls (loop-confined).
struct CallStatistics {
    /// INVITEs that became calls (answered or not).
    var started = 0
    /// Finished calls by disposition.
    var ended: [CallDetailRecord.Disposition: Int] = [:]
}

/// A consistent picture of the server taken on its loop, for `/health` and `/metrics`.
struct OperationsSnapshot: Sendable {
    var phases: [String: Int] = [:]
    var callsActive = 0
    var accepting = true
    var started = 0
    var ended: [String: Int] = [:]
    var queues: [(name: String, waiting: Int, longestWait: Double, announcements: Int)] = []
    var agentStates: [String: Int] = [:]
    var agentsConfigured = 0
    var packetsSent = 0
    var packetsLate = 0
    var packetsReceived = 0
    var sendErrors = 0
    var lateness: [Int] = []
    var maximumLateness: Double = 0
    var ticks = 0
    var lateTicks = 0
    var skippedTicks = 0
    var tickSeconds: Double = 0
    var longestTick: Double = 0
    var lastTickAge: Double = 0
    var socketsOpen = 0
    var expected = 0
    var lost = 0
    var meanJitter: Double = 0
    var udpPort: Int?
    var tcpPort: Int?
}

extension HotlineServer: OperationsProvider {
    /// Records the call's progress so far (answered, queued, bridged) as a call in progress, so that a
    /// restart after a crash can close it as interrupted with what was known.
    func noteInProgress(_ call: InboundCall) {
        guard !call.isEnded else { return }
        var record = record(for: call, endedBy: "server", disposition: .interrupted)
        record.flowOutcome = nil
        writer.submit(.active(record))
    }

    func snapshot() async -> OperationsSnapshot? {
        try? await loop.submit { [self] in
            var s = OperationsSnapshot()
            for call in calls.values {
                let phase: String
                switch call.phase {
                case .answering: phase = "answering"
                case .ivr: phase = "ivr"
                case .queued: phase = "queued"
                case .ringing: phase = "ringing"
                case .bridged: phase = "bridged"
                case .external: phase = "external"
                }
                s.phases[phase, default: 0] += 1
                for leg in [call.leg, call.agentLeg].compactMap({ $0 }) {
                    if let reception = leg.reception {
                        s.expected += reception.expected
                        s.lost += reception.lost
                        s.meanJitter += Double(reception.jitterSamples)
                    }
                }
            }
            var receiving = 0
            for call in calls.values {
                for leg in [call.leg, call.agentLeg].compactMap({ $0 }) where leg.reception != nil { receiving += 1 }
            }
            let media = mediaStatistics
            s.meanJitter = receiving > 0 ? s.meanJitter / Double(receiving) / 8000 : 0
            s.expected += media.closedExpected
            s.lost += media.closedLost
            s.callsActive = calls.count + outbound.calls.count
            if !outbound.calls.isEmpty { s.phases["outbound"] = outbound.calls.count }
            s.accepting = acceptingCalls
            s.started = callStatistics.started
            for (disposition, count) in callStatistics.ended { s.ended[disposition.rawValue] = count }
            let time = timestamp()
            var announcements: [String: Int] = [:]
            for call in calls.values where call.phase == .queued { announcements[call.queue ?? "", default: 0] += call.announcementsPlayed }
            for queue in configuration.queues {
                guard let id = queueIDs[queue.name] else { continue }
                let view = acd.queueView(id, at: time)
                let longest = view.map { Double($0.waited.components.seconds) + Double($0.waited.components.attoseconds) / 1e18 }.max() ?? 0
                s.queues.append((queue.name, view.count, longest, announcements[queue.name] ?? 0))
            }
            for agent in configuration.agents {
                let state: String
                switch acd.state(of: AgentID(agent.id)) {
                case nil, .loggedOut?: state = "logged_out"
                case .ready?: state = "ready"
                case .notReady?: state = "not_ready"
                case .ringing?: state = "ringing"
                case .onCall?: state = "on_call"
                case .wrapUp?: state = "wrap_up"
                }
                s.agentStates[state, default: 0] += 1
            }
            s.agentsConfigured = configuration.agents.count
            s.packetsSent = media.packetsSent
            s.packetsLate = media.packetsLate
            s.packetsReceived = media.packetsReceived
            s.sendErrors = media.sendErrors
            s.lateness = media.lateness
            s.maximumLateness = Double(media.maximumLateness) / 1e9
            s.ticks = media.ticks
            s.lateTicks = media.lateTicks
            s.skippedTicks = media.skippedTicks
            s.tickSeconds = Double(media.tickNanoseconds) / 1e9
            s.longestTick = Double(media.longestTick) / 1e9
            s.lastTickAge = Double((NIODeadline.now() - media.tickDue).nanoseconds) / 1e9
            s.socketsOpen = media.socketsOpen
            s.udpPort = endpoint.udpPort
            s.tcpPort = endpoint.tcpPort
            return s
        }.get()
    }

    /// The voicemail boxes.
    public var voicemailStore: VoicemailStore? { voicemail }

    /// SIP bound on every configured transport, SQLite writable, the recordings directory writable, the
    /// media tick running; with call and agent counts.
    public func health() async -> HealthReport {
        guard let s = await snapshot() else { return HealthReport(status: "degraded") }
        let transports = Set(configuration.sip.transports.map { $0.lowercased() })
        let sipBound = (!transports.contains("udp") || s.udpPort != nil) && (!transports.contains("tcp") || s.tcpPort != nil)
            && (s.udpPort != nil || s.tcpPort != nil)
        var databaseWritable = false
        do {
            try await database.pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
            databaseWritable = true
        } catch {
            logger.warning("health: the database is not writable: \(error)")
        }
        let recordings = dataDirectory.appendingPathComponent("recordings", isDirectory: true)
        let probe = recordings.appendingPathComponent(".health-\(UUID().uuidString)")
        var recordingsWritable = false
        if (try? FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)) != nil,
           FileManager.default.createFile(atPath: probe.path, contents: Data()) {
            recordingsWritable = (try? FileManager.default.removeItem(at: probe)) != nil
        }
        let ticking = s.lastTickAge < 1
        let ok = sipBound && databaseWritable && recordingsWritable && ticking
        return HealthReport(
            status: ok ? "ok" : "degraded",
            sip: .init(bound: sipBound, udpPort: s.udpPort, tcpPort: s.tcpPort),
            storage: .init(databaseWritable: databaseWritable, recordingsWritable: recordingsWritable),
            calls: .init(active: s.callsActive, waiting: s.queues.reduce(0) { $0 + $1.waiting }, accepting: s.accepting),
            agents: .init(configured: s.agentsConfigured, loggedIn: s.agentsConfigured - (s.agentStates["logged_out"] ?? 0),
                          ready: s.agentStates["ready"] ?? 0),
            media: .init(ticking: ticking, packetsSent: s.packetsSent, packetsLate: s.packetsLate))
    }

    /// The metrics in the Prometheus text format.
    public func prometheusMetrics() async -> String {
        guard let s = await snapshot() else { return "# the server's event loop did not answer\nhotline_up 0\n" }
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                out += sample.labels.isEmpty ? "\(name) \(format(sample.value))\n" : "\(name){\(sample.labels)} \(format(sample.value))\n"
            }
        }
        func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        func label(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        metric("hotline_up", "gauge", "1 while the server's event loop answers.", [("", 1)])
        metric("hotline_accepting_calls", "gauge", "1 while new calls are taken (0 while shutting down).", [("", s.accepting ? 1 : 0)])
        metric("hotline_calls_active", "gauge", "Calls in progress by phase.",
               ["answering", "ivr", "queued", "ringing", "bridged"].map { ("phase=\"\($0)\"", Double(s.phases[$0] ?? 0)) })
        metric("hotline_calls_started_total", "counter", "Calls set up (INVITEs that reached a flow).", [("", Double(s.started))])
        metric("hotline_calls_total", "counter", "Finished calls by disposition.",
               ["answered", "abandoned", "ivr", "refused", "failed", "interrupted"].map { ("disposition=\"\($0)\"", Double(s.ended[$0] ?? 0)) })
        metric("hotline_queue_waiting", "gauge", "Callers waiting in each queue.",
               s.queues.map { ("queue=\"\(label($0.name))\"", Double($0.waiting)) })
        metric("hotline_queue_longest_wait_seconds", "gauge", "The longest current wait in each queue.",
               s.queues.map { ("queue=\"\(label($0.name))\"", $0.longestWait) })
        metric("hotline_agents", "gauge", "Configured agents by ACD state.",
               ["logged_out", "ready", "not_ready", "ringing", "on_call", "wrap_up"].map { ("state=\"\($0)\"", Double(s.agentStates[$0] ?? 0)) })
        metric("hotline_rtp_packets_sent_total", "counter", "RTP packets sent.", [("", Double(s.packetsSent))])
        metric("hotline_rtp_packets_late_total", "counter", "RTP packets sent more than 10 ms after their media tick was due.",
               [("", Double(s.packetsLate))])
        var cumulative = 0
        var buckets: [(String, Double)] = []
        for (index, bound) in MediaStatistics.latenessBuckets.enumerated() {
            cumulative += index < s.lateness.count ? s.lateness[index] : 0
            buckets.append(("le=\"\(Double(bound) / 1000)\"", Double(cumulative)))
        }
        buckets.append(("le=\"+Inf\"", Double(s.packetsSent)))
        out += "# HELP hotline_rtp_send_lateness_seconds How long after its tick was due each RTP packet left (bucketed to whole milliseconds).\n"
        out += "# TYPE hotline_rtp_send_lateness_seconds histogram\n"
        for (labels, value) in buckets { out += "hotline_rtp_send_lateness_seconds_bucket{\(labels)} \(format(value))\n" }
        out += "hotline_rtp_send_lateness_seconds_count \(s.packetsSent)\n"
        metric("hotline_rtp_send_lateness_max_seconds", "gauge", "The worst send lateness seen.", [("", s.maximumLateness)])
        metric("hotline_rtp_packets_received_total", "counter", "RTP datagrams received.", [("", Double(s.packetsReceived))])
        metric("hotline_rtp_send_errors_total", "counter", "RTP packets the kernel refused (socket buffer full, peer unreachable).",
               [("", Double(s.sendErrors))])
        metric("hotline_rtp_packets_expected_total", "counter", "RTP packets expected from peers (RFC 3550 A.3), closed and open legs.",
               [("", Double(s.expected))])
        metric("hotline_rtp_packets_lost_total", "counter", "RTP packets lost by peers' sequence numbers, closed and open legs.",
               [("", Double(s.lost))])
        metric("hotline_rtp_jitter_seconds", "gauge", "Mean interarrival jitter (RFC 3550) over the legs receiving RTP now.",
               [("", s.meanJitter)])
        metric("hotline_media_ticks_total", "counter", "5 ms media ticks run (each runs a quarter of the calls' 20 ms frames).", [("", Double(s.ticks))])
        metric("hotline_media_ticks_late_total", "counter", "Media ticks that started more than 10 ms after they were due.",
               [("", Double(s.lateTicks))])
        metric("hotline_media_ticks_skipped_total", "counter", "Media ticks dropped after the loop fell more than 100 ms behind.",
               [("", Double(s.skippedTicks))])
        metric("hotline_media_tick_seconds_total", "counter", "Time spent running media ticks.", [("", s.tickSeconds)])
        metric("hotline_media_tick_longest_seconds", "gauge", "The longest media tick.", [("", s.longestTick)])
        metric("hotline_media_sockets_open", "gauge", "RTP sockets open.", [("", Double(s.socketsOpen))])
        metric("hotline_queue_announcements_active", "gauge", "Position/EWT announcements played to callers still in each queue.",
               s.queues.map { ("queue=\"\(label($0.name))\"", Double($0.announcements)) })
        metric("process_cpu_seconds_total", "counter", "User and system CPU time of the process.",
               [("", Double(clock()) / Double(CLOCKS_PER_SEC))])
        return out
    }
}
