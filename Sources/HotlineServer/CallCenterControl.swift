public import Foundation

/// Telephony control of a running call centre (CTI): what the HTTP API and its WebSocket streams ask
/// of the server, and the events it reports back. ``HotlineServer`` implements it on its event loop;
/// hand it to ``APIApplication/init(stores:authenticator:logger:configuration:callCenter:)``.
///
/// ```swift
/// let api = try APIApplication(stores: APIStores(database: server.database), authenticator: authenticator,
///                              logger: logger, callCenter: server)
/// for await event in server.subscribe() { print(event.type) }
/// ```
public protocol CallCenterControl: Sendable {
    /// A live stream of the call centre's events from now on (not replayed); ends when the consumer stops.
    /// - Returns: The events, in the order they happened.
    func subscribe() -> AsyncStream<CallCenterEvent>

    /// The agents, their states and phones.
    /// - Returns: One status per configured agent, by agent number.
    func agents() async -> [AgentStatus]

    /// The calls in progress.
    /// - Returns: One status per caller's call, oldest first.
    func calls() async -> [CallStatus]

    /// The live queue view: every queue with its waiting callers in the order they will be served.
    /// - Returns: The queues (agents' personal queues included when someone waits in them).
    func queues() async -> [QueueStatus]

    /// Carries out a CTI action; it is also reported as an event.
    /// - Parameters:
    ///   - command: What to do.
    ///   - actor: Who asks (a user name, `phone:1001`, `system`), recorded in the event.
    /// - Returns: A short description of what was done.
    /// - Throws: ``CallCenterError`` when the action does not fit the current state.
    @discardableResult
    func perform(_ command: CallCenterCommand, by actor: String) async throws(CallCenterError) -> String
}

/// One event of the call centre as the CTI stream carries it. Fields not relevant to a type are absent.
///
/// Types: `agent.stateChanged`, `agent.phoneBound`, `agent.alert`, `call.queued`, `call.offered`,
/// `call.answered`, `call.completed`, `call.ended`, `call.held`, `call.resumed`, `call.transferred`,
/// `call.pickedUp`, `call.monitorStarted`, `call.monitorEnded`, `queue.changed`; consultation and conference:
/// `call.consultStarted`, `call.consultAnswered`, `call.consultFailed`, `call.consultCompleted` (carrying the new
/// agent, who also gets the screen pop), `call.consultCancelled`, `call.conferenceStarted`, `call.participantJoined`,
/// `call.participantLeft`, `call.conferenceEnded`; outbound calls (see ``OutboundDial``): `call.dialing`,
/// `call.dialingOut`, `call.answered`, `call.failed`, `call.ended`, and `call.transferFailed` when an external
/// transfer is refused.
public struct CallCenterEvent: Sendable, Hashable, Codable {
    /// Increases by one per event since the server started.
    public var sequence: Int
    /// The event's type (see above).
    public var type: String
    /// When it happened.
    public var occurredAt: Date
    /// The agent concerned (offered, answering, changing state, transferring …).
    public var agent: Int?
    /// The caller's call (its SIP Call-ID).
    public var call: String?
    /// The queue concerned.
    public var queue: String?
    /// The calling number.
    public var caller: String?
    /// The agent's new state (`loggedOut`, `ready`, `notReady`, `ringing`, `onCall`, `wrapUp`).
    public var state: String?
    /// Why: the not-ready reason, the call's disposition, the alert's message.
    public var reason: String?
    /// Who did it (user name, `phone:<extension>`, `caller`, `agent`, `system`).
    public var by: String?
    /// Where to: the transfer target, the monitoring mode, the bound phone.
    public var target: String?
    /// The IVR path the caller took (on `call.offered`).
    public var ivrPath: [String]?
    /// Callers waiting in the queue (on `queue.changed`).
    public var waiting: Int?

    /// Creates an event.
    /// - Parameters:
    ///   - sequence: The sequence number (set by the hub when published).
    ///   - type: The type.
    ///   - occurredAt: When.
    ///   - agent: The agent.
    ///   - call: The call.
    ///   - queue: The queue.
    ///   - caller: The calling number.
    ///   - state: The agent's state.
    ///   - reason: Why.
    ///   - by: Who.
    ///   - target: Where to.
    ///   - ivrPath: The IVR path.
    ///   - waiting: Callers waiting.
    public init(sequence: Int = 0, type: String, occurredAt: Date, agent: Int? = nil, call: String? = nil, queue: String? = nil,
                caller: String? = nil, state: String? = nil, reason: String? = nil, by: String? = nil, target: String? = nil,
                ivrPath: [String]? = nil, waiting: Int? = nil) {
        self.sequence = sequence
        self.type = type
        self.occurredAt = occurredAt
        self.agent = agent
        self.call = call
        self.queue = queue
        self.caller = caller
        self.state = state
        self.reason = reason
        self.by = by
        self.target = target
        self.ivrPath = ivrPath
        self.waiting = waiting
    }
}

/// An agent as the CTI shows it.
public struct AgentStatus: Sendable, Hashable, Codable {
    /// The agent number (工号, also the SIP user of the agent's own phone).
    public var agent: Int
    /// The agent's name.
    public var name: String
    /// `loggedOut`, `ready`, `notReady`, `ringing`, `onCall` or `wrapUp`.
    public var state: String
    /// The not-ready reason.
    public var reason: String?
    /// The caller's call the agent is ringing for or talking to.
    public var call: String?
    /// The extension (SIP user) of the phone the agent is bound to.
    public var phone: String
    /// Whether that phone is registered now.
    public var registered: Bool
    /// The agent's queues.
    public var queues: [String]

    /// Creates a status.
    /// - Parameters:
    ///   - agent: The agent number.
    ///   - name: The name.
    ///   - state: The state's name.
    ///   - reason: The not-ready reason.
    ///   - call: The call.
    ///   - phone: The bound phone's extension.
    ///   - registered: Whether that phone is registered.
    ///   - queues: The agent's queues.
    public init(agent: Int, name: String, state: String, reason: String?, call: String?, phone: String, registered: Bool, queues: [String]) {
        self.agent = agent
        self.name = name
        self.state = state
        self.reason = reason
        self.call = call
        self.phone = phone
        self.registered = registered
        self.queues = queues
    }
}

/// A call in progress as the CTI shows it.
public struct CallStatus: Sendable, Hashable, Codable {
    /// The caller's call (its SIP Call-ID).
    public var call: String
    /// The calling number.
    public var caller: String
    /// The dialled number.
    public var dialled: String
    /// `answering`, `ivr`, `queued`, `ringing`, `talking` or `held`.
    public var phase: String
    /// The queue, once queued.
    public var queue: String?
    /// The agent ringing or talking.
    public var agent: Int?
    /// When the call arrived.
    public var startedAt: Date
    /// When it joined a queue.
    public var queuedAt: Date?
    /// When an agent answered.
    public var agentAnsweredAt: Date?
    /// The IVR path so far.
    public var ivrPath: [String]
    /// The supervisor's phone monitoring the call.
    public var monitoredBy: String?
    /// `listen`, `whisper` or `barge`.
    public var monitorMode: String?
    /// Consulted parties and conference participants besides the caller and the agent (absent: none).
    public var participants: [CallParticipant]?

    /// Creates a status.
    /// - Parameters:
    ///   - call: The call.
    ///   - caller: The calling number.
    ///   - dialled: The dialled number.
    ///   - phase: The phase's name.
    ///   - queue: The queue.
    ///   - agent: The agent.
    ///   - startedAt: When the call arrived.
    ///   - queuedAt: When it was queued.
    ///   - agentAnsweredAt: When an agent answered.
    ///   - ivrPath: The IVR path.
    ///   - monitoredBy: The monitoring phone.
    ///   - monitorMode: The monitoring mode.
    public init(call: String, caller: String, dialled: String, phase: String, queue: String?, agent: Int?, startedAt: Date,
                queuedAt: Date?, agentAnsweredAt: Date?, ivrPath: [String], monitoredBy: String?, monitorMode: String?) {
        self.call = call
        self.caller = caller
        self.dialled = dialled
        self.phase = phase
        self.queue = queue
        self.agent = agent
        self.startedAt = startedAt
        self.queuedAt = queuedAt
        self.agentAnsweredAt = agentAnsweredAt
        self.ivrPath = ivrPath
        self.monitoredBy = monitoredBy
        self.monitorMode = monitorMode
    }
}

/// One queue of the live queue view.
public struct QueueStatus: Sendable, Hashable, Codable {
    /// One waiting caller.
    public struct Waiting: Sendable, Hashable, Codable {
        /// The caller's call (its SIP Call-ID).
        public var call: String
        /// The calling number.
        public var caller: String
        /// Higher is served first.
        public var priority: Int
        /// Seconds waited so far.
        public var waitedSeconds: Double
        /// 1 for the next caller served (0: held for a sticky agent).
        public var position: Int
        /// The estimated remaining wait in seconds.
        public var estimatedWaitSeconds: Double

        /// Creates an entry.
        /// - Parameters:
        ///   - call: The call.
        ///   - caller: The calling number.
        ///   - priority: The priority.
        ///   - waitedSeconds: Seconds waited.
        ///   - position: The position.
        ///   - estimatedWaitSeconds: The estimated remaining wait.
        public init(call: String, caller: String, priority: Int, waitedSeconds: Double, position: Int, estimatedWaitSeconds: Double) {
            self.call = call
            self.caller = caller
            self.priority = priority
            self.waitedSeconds = waitedSeconds
            self.position = position
            self.estimatedWaitSeconds = estimatedWaitSeconds
        }
    }

    /// The queue's name (`agent-1001` for an agent's personal queue).
    public var queue: String
    /// The waiting callers, next first.
    public var waiting: [Waiting]

    /// Creates a queue's view.
    /// - Parameters:
    ///   - queue: The queue's name.
    ///   - waiting: The waiting callers.
    public init(queue: String, waiting: [Waiting]) {
        self.queue = queue
        self.waiting = waiting
    }
}

/// Where a blind transfer goes.
public enum TransferTarget: Sendable, Hashable {
    /// An agent (through the agent's personal queue: rung when ready, waits otherwise).
    case agent(Int)
    /// A queue by name.
    case queue(String)
    /// An external number (needs an outbound trunk).
    case number(String)
}

/// How a supervisor joins a call.
public enum MonitorMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Hears both sides; nobody hears the supervisor.
    case listen
    /// Hears both sides; only the agent hears the supervisor (coaching).
    case whisper
    /// Everybody hears everybody.
    case barge
}

/// A CTI action.
public enum CallCenterCommand: Sendable, Hashable {
    /// The agent logs in, bound to the phone with this extension (nil: the agent's own number).
    case logIn(agent: Int, phone: String?)
    /// The agent logs out (after the current call); `forced` when a supervisor does it.
    case logOut(agent: Int, forced: Bool)
    /// The agent becomes ready.
    case ready(agent: Int)
    /// The agent becomes not ready, with a reason code.
    case notReady(agent: Int, reason: String)
    /// The agent's side of the call ends (a bridged caller goes on to the rating); a call not yet with an
    /// agent is ended.
    case hangUp(call: String)
    /// Both sides are hung up (强拆).
    case forceHangUp(call: String)
    /// The caller hears music on hold; the agent's side is silent.
    case hold(call: String)
    /// Back to talking.
    case resume(call: String)
    /// Blind transfer of a queued, ringing or bridged call.
    case transfer(call: String, to: TransferTarget)
    /// The agent takes a call ringing at another agent (抢接) or waiting in a queue; the agent's phone rings.
    case pickUp(call: String, agent: Int)
    /// A supervisor's phone (by extension) is rung and joins the call in a mode; a second request on the same
    /// call changes the mode.
    case monitor(call: String, phone: String, mode: MonitorMode)
    /// The supervisor's monitoring leg is hung up.
    case stopMonitoring(call: String)
    /// The agent raises an emergency alert to supervisors.
    case alert(agent: Int, message: String)
    /// A step of a consultative transfer or conference (see ``ConsultAction``).
    case consult(call: String, ConsultAction)
    /// Click-to-dial or call-back: the agent's phone rings, then the number is dialled out through the trunk.
    case dial(OutboundDial)
}

/// A CTI action that does not fit the current state.
public struct CallCenterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, Hashable {
        /// No such agent, call, queue or phone.
        case notFound
        /// The agent or call is not in a state the action applies to.
        case conflict
        /// The action needs something this server does not have (an outbound trunk).
        case unavailable
        /// The request is malformed.
        case invalid
    }

    /// The kind.
    public var kind: Kind
    /// What was wrong, naming the agent, call or queue.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: The kind.
    ///   - message: What was wrong.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
