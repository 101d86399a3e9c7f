/// Whom an agent consults (or adds to a conference).
public enum ConsultTarget: Sendable, Hashable {
    /// An agent by number: rung on the phone the agent is bound to; the agent's ACD state follows
    /// (ringing, on call while consulting, then talking to the caller or back to ready).
    case agent(Int)
    /// A queue by name: the ACD chooses a ready agent of that queue.
    case queue(String)
    /// Any registered extension (SIP user name); when a logged-in agent is bound to it, as ``agent(_:)``.
    case phone(String)
}

/// A step of a consultative transfer or conference on a call talking to an agent.
public enum ConsultAction: Sendable, Hashable {
    /// The caller is put on hold (music, the recording goes on) and the target is rung; once it answers
    /// the agent and the target talk privately.
    case start(ConsultTarget)
    /// Transfer: the caller is bridged to the consulted party and the first agent released to wrap-up.
    case complete
    /// The consulted party is hung up (or the unanswered consultation dropped); the caller is back with the agent.
    case cancel
    /// The caller, the agent and the consulted party(ies) all hear each other.
    case conference
    /// Another party is rung and joins the conference when it answers.
    case add(ConsultTarget)
    /// A participant (by extension) is hung up and leaves the conference.
    case remove(String)
}

/// A party joined to a call besides the caller and its agent: a consulted party or conference participant.
public struct CallParticipant: Sendable, Hashable, Codable {
    /// The participant's extension (SIP user name).
    public var phone: String
    /// The agent on that phone, if an agent.
    public var agent: Int?
    /// `ringing`, `consulting` (talking privately with the agent) or `conference`.
    public var state: String

    /// Creates a participant's status.
    /// - Parameters:
    ///   - phone: The extension.
    ///   - agent: The agent number.
    ///   - state: The state's name.
    public init(phone: String, agent: Int?, state: String) {
        self.phone = phone
        self.agent = agent
        self.state = state
    }
}
