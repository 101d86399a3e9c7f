import Foundation
import Synchronization

/// Fans the call centre's events out to every subscriber (the WebSocket streams). Publishing never
/// blocks the event loop: each subscriber has a bounded buffer that keeps the newest events.
final class CallCenterEventHub: Sendable {
    private struct State {
        var sequence = 0
        var subscribers: [Int: AsyncStream<CallCenterEvent>.Continuation] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// A stream of events from now on.
    func subscribe() -> AsyncStream<CallCenterEvent> {
        let (stream, continuation) = AsyncStream<CallCenterEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Numbers the event and hands it to every subscriber.
    func publish(_ event: CallCenterEvent) {
        let (numbered, subscribers) = state.withLock { state in
            state.sequence += 1
            var numbered = event
            numbered.sequence = state.sequence
            return (numbered, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.yield(numbered) }
    }

    /// Ends every subscriber's stream (server shutdown).
    func finish() {
        let subscribers = state.withLock { state in
            let all = Array(state.subscribers.values)
            state.subscribers = [:]
            return all
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
