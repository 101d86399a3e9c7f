@testable import HotlineSIP

/// Drives a transaction state machine with a manual clock: records sent messages, keeps the
/// started timers with their deadlines, and fires them in order when time advances.
struct ManualTransactionDriver {
    var now: Duration = .zero
    var timers: [TransactionTimer: Duration] = [:]
    var sent: [(Duration, SIPMessage)] = []
    var passed: [SIPResponse] = []
    var timedOut = false
    var terminated = false
    var transportFailed = false

    mutating func apply(_ actions: [TransactionAction]) {
        for action in actions {
            switch action {
            case .send(let m): sent.append((now, m))
            case .startTimer(let t, let d): timers[t] = now + d
            case .cancelTimer(let t): timers[t] = nil
            case .passResponse(let r): passed.append(r)
            case .timedOut: timedOut = true
            case .transportFailed: transportFailed = true
            case .terminated: terminated = true
            }
        }
    }

    /// Advances the clock, firing due timers in deadline order through `handle`.
    mutating func advance(by duration: Duration, _ handle: (TransactionEvent) -> [TransactionAction]) {
        let end = now + duration
        while let (timer, deadline) = timers.min(by: { $0.value < $1.value }), deadline <= end {
            now = deadline
            timers[timer] = nil
            apply(handle(.timerFired(timer)))
        }
        now = end
    }
}

enum TestMessages {
    static func invite(branch: String = "z9hG4bKabc", callID: String = "call-1") -> SIPRequest {
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/UDP 127.0.0.1:5061;branch=\(branch)")
        headers.add("Max-Forwards", "70")
        headers.add("From", "<sip:alice@127.0.0.1>;tag=a1")
        headers.add("To", "<sip:bob@127.0.0.1>")
        headers.add("Call-ID", callID)
        headers.add("CSeq", "1 INVITE")
        return SIPRequest(method: .invite, uri: SIPURI(user: "bob", host: "127.0.0.1", port: 5060), headers: headers)
    }

    static func request(_ method: SIPMethod, branch: String = "z9hG4bKnon") -> SIPRequest {
        var r = invite(branch: branch)
        r.method = method
        r.headers.set("CSeq", "2 \(method.rawValue)")
        return r
    }

    static func response(_ code: Int, to request: SIPRequest, tag: String? = "b1") -> SIPResponse {
        SIPResponse(to: request, statusCode: code, toTag: tag)
    }
}
