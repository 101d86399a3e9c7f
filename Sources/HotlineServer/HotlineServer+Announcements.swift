import Foundation
public import HotlineCore
import HotlineMedia
import HotlineIVR
import HotlineSIP
import Logging
import NIOCore

/// A waiting caller heard their position and expected wait (event type `queue.announcement.played`).
public struct QueueAnnouncementPlayed: DomainEvent {
    /// The event's stable type name.
    public static let eventType = "queue.announcement.played"
    /// The caller's SIP Call-ID.
    public var callID: String
    /// The queue.
    public var queue: String
    /// 1 for the next caller to be served.
    public var position: Int
    /// The expected wait announced, in whole minutes (0: not announced, an agent is free).
    public var estimatedWaitMinutes: Int
    /// The words spoken.
    public var text: String
}

extension HotlineServer {
    /// The ACD asked for a position/EWT announcement: "you are number N in the queue, the expected wait is
    /// about M minutes", spoken between stretches of music on hold (after the flow's own queue prompt if
    /// that is still playing). Numbers come from the recorded fragment set when it is installed; otherwise
    /// the whole sentence is spoken by espeak-ng (and cached).
    func announce(position: Int, estimatedWait: Duration, to call: InboundCall) {
        guard call.phase == .queued, !call.isEnded else { return }
        let language = PromptRenderer.spoken(call.machine.language)
        let seconds = estimatedWait.components.seconds
        let minutes = seconds > 0 ? Int(max(1, (seconds + 59) / 60)) : 0
        let parts: [AnnouncementPart]
        switch language {
        case .mandarin:
            parts = [.text("您排在第"), .number(position), .text("位")]
                + (minutes > 0 ? [.text("，预计等待约"), .number(minutes), .text("分钟")] : [])
        case .english:
            parts = [.text("You are number"), .number(position), .text("in the queue.")]
                + (minutes > 0 ? [.text("The expected wait is about"), .number(minutes), .text(minutes == 1 ? "minute." : "minutes.")] : [])
        }
        let sentence = parts.map { part in
            switch part {
            case .text(let text): text
            case .number(let n): ((try? Say.number(n, language: language)).map { Say.text($0, language: language) }) ?? "\(n)"
            }
        }.joined(separator: language == .mandarin ? "" : " ")
        let renderer = self.renderer
        let library = self.library
        let logger = self.logger
        Task {
            var items: [HotlineMedia.PromptItem] = []
            do {
                var fragmentsInstalled = true
                var built: [HotlineMedia.PromptItem] = []
                for part in parts {
                    switch part {
                    case .text(let text):
                        built.append(.samples(try await renderer.speak(text, language: language)))
                    case .number(let n):
                        let fragments = try Say.number(n, language: language)
                        if fragments.allSatisfy({ FileManager.default.fileExists(atPath: library.url(for: $0.key, language: language).path) }) {
                            built += HotlineMedia.PromptItem.sequence(fragments, language: language)
                        } else {
                            fragmentsInstalled = false
                        }
                    }
                }
                items = fragmentsInstalled ? built : [.samples(try await renderer.speak(sentence, language: language))]
            } catch {
                logger.error("announcement cannot be spoken", metadata: ["text": "\(sentence)", "error": "\(error)"])
                return
            }
            let rendered = items
            loop.execute { [self] in
                guard call.phase == .queued, !call.isEnded else { return }
                call.announcement = PromptPlayer([.silence(.milliseconds(300))] + rendered + [.silence(.milliseconds(300))], library: library)
                call.announcementsPlayed += 1
                do {
                    append([try RecordedEvent(
                        QueueAnnouncementPlayed(callID: call.sip.callID, queue: call.queue ?? "", position: position,
                                                estimatedWaitMinutes: minutes, text: sentence),
                        occurredAt: now(), subject: "call:\(call.sip.callID)")])
                } catch {
                    logger.error("cannot encode the announcement event: \(error)")
                }
            }
        }
    }

    /// The next frame of a pending announcement, once no flow prompt is playing; `nil` for music on hold.
    func nextAnnouncementFrame(_ call: InboundCall) -> [Int16]? {
        guard call.player == nil, let player = call.announcement else { return nil }
        do {
            if let frame = try player.nextFrame() { return frame }
        } catch {
            logger.error("announcement playback failed: \(error)")
        }
        call.announcement = nil
        return nil
    }
}

private enum AnnouncementPart: Sendable {
    case text(String)
    case number(Int)
}
