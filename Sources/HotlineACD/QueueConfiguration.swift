/// How a queue chooses among its ready agents when a caller waits.
public enum QueueStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ring every ready agent of the best tier at once; the first to answer takes the call.
    case ringAll = "ring-all"
    /// Take turns in member order, remembering where the last offer went.
    case roundRobin = "round-robin"
    /// Always the first ready agent in fixed member order (sequential hunting).
    case linear
    /// The ready agent who has answered the fewest calls from this queue.
    case fewestCalls = "fewest-calls"
    /// The ready agent with the least talk time on this queue.
    case leastTalkTime = "least-talk-time"
    /// The agent who has been idle longest.
    case longestIdleAgent = "longest-idle"
    /// A uniformly random ready agent (seeded).
    case random
    /// A random ready agent, chosen in proportion to the member's weight (seeded).
    case weightedRandom = "weighted-random"
    /// The agent with the highest level in the queue's skill, then the longest idle.
    case skillsBased = "skills-based"
}

/// What happens to a caller who leaves the queue by a limit rather than by an agent.
public enum OverflowAction: Sendable, Hashable, Codable {
    /// Send the caller to voicemail.
    case voicemail
    /// Transfer the caller to an outside number (e.g. the duty officer's mobile).
    case transfer(number: String)
    /// Move the caller to another queue (a backup group); the caller keeps the original arrival time.
    case queue(QueueID)
    /// Take a callback request: the caller hangs up but keeps the place; an agent calls back in turn.
    case callback
}

/// Which limit sent a caller to overflow.
public enum OverflowReason: String, Sendable, Hashable, Codable {
    /// The queue already held its maximum number of callers.
    case queueFull = "queue-full"
    /// The caller waited the maximum time.
    case maximumWait = "maximum-wait"
    /// No agent of the queue was logged in.
    case noAgents = "no-agents"
    /// The caller asked for it (a callback request).
    case callerRequest = "caller-request"
}

/// A skill an agent must have, at a level, to serve a queue.
public struct SkillRequirement: Sendable, Hashable, Codable {
    /// The skill's name, e.g. `"individual-income-tax"`.
    public var skill: String
    /// The lowest acceptable level (levels are small integers, higher is better).
    public var minimumLevel: Int

    /// Creates a requirement.
    /// - Parameters:
    ///   - skill: The skill's name.
    ///   - minimumLevel: The lowest acceptable level.
    public init(skill: String, minimumLevel: Int = 1) {
        self.skill = skill
        self.minimumLevel = minimumLevel
    }
}

/// One step of penalty escalation: after the caller has waited `after`, agents with a penalty up to
/// `maximumPenalty` may serve them (the pool widens as the wait grows).
public struct EscalationStep: Sendable, Hashable, Codable {
    /// Waiting time after which the step applies.
    public var after: Duration
    /// The highest member penalty allowed from then on.
    public var maximumPenalty: Int

    /// Creates a step.
    /// - Parameters:
    ///   - after: Waiting time after which the step applies.
    ///   - maximumPenalty: The highest member penalty allowed from then on.
    public init(after: Duration, maximumPenalty: Int) {
        self.after = after
        self.maximumPenalty = maximumPenalty
    }
}

/// Sticky (first-responsible) routing: a returning caller is offered first to the agent who last served
/// them, if that was within `window`; the caller waits for that agent at most `waitLimit`, then any agent.
public struct StickyRouting: Sendable, Hashable, Codable {
    /// How long after a call the agent stays responsible for the caller.
    public var window: Duration
    /// How long a returning caller waits for their agent before falling back to the queue's strategy.
    public var waitLimit: Duration

    /// Creates a sticky-routing policy.
    /// - Parameters:
    ///   - window: How long after a call the agent stays responsible for the caller.
    ///   - waitLimit: How long the caller waits for that agent before any agent may answer.
    public init(window: Duration, waitLimit: Duration) {
        self.window = window
        self.waitLimit = waitLimit
    }
}

/// A queue's configuration.
public struct QueueConfiguration: Sendable, Hashable, Codable {
    /// The queue's name, e.g. `"consult"`.
    public var name: String
    /// How ready agents are chosen.
    public var strategy: QueueStrategy
    /// The skill members must have (and, for ``QueueStrategy/skillsBased``, the skill whose level ranks them).
    public var requiredSkill: SkillRequirement?
    /// Sticky routing for returning callers, or `nil` for none.
    public var sticky: StickyRouting?
    /// Penalty escalation by waiting time; empty means every member serves from the first second
    /// (lowest penalty tier preferred). When not empty, callers start at penalty 0.
    public var escalation: [EscalationStep]
    /// Most callers waiting at once; an arriving caller beyond it overflows with ``whenFull``.
    public var maximumLength: Int?
    /// What to do with a caller who finds the queue full.
    public var whenFull: OverflowAction
    /// Longest wait; a caller still waiting then overflows with ``whenMaximumWait``.
    public var maximumWait: Duration?
    /// What to do with a caller who waited the maximum time.
    public var whenMaximumWait: OverflowAction
    /// What to do with callers when no member is logged in (`nil`: they wait).
    public var whenNoAgents: OverflowAction?
    /// How long an offer rings before it counts as unanswered and goes to another agent (`nil`: forever).
    public var ringTimeout: Duration?
    /// Wrap-up after a call of this queue; `nil` uses the agent's own wrap-up time.
    public var wrapUp: Duration?
    /// How often waiting callers get a position/EWT announcement hint (`nil`: never).
    public var announcementInterval: Duration?
    /// Handle time assumed for the estimated wait until calls have been observed.
    public var expectedHandleTime: Duration

    /// Creates a queue configuration.
    /// - Parameters:
    ///   - name: The queue's name.
    ///   - strategy: How ready agents are chosen.
    ///   - requiredSkill: The skill members must have.
    ///   - sticky: Sticky routing, or `nil`.
    ///   - escalation: Penalty escalation steps.
    ///   - maximumLength: Most callers waiting at once.
    ///   - whenFull: Overflow when full.
    ///   - maximumWait: Longest wait.
    ///   - whenMaximumWait: Overflow after the longest wait.
    ///   - whenNoAgents: Overflow when nobody is logged in (`nil`: wait).
    ///   - ringTimeout: How long an offer rings.
    ///   - wrapUp: Wrap-up after this queue's calls (`nil`: the agent's).
    ///   - announcementInterval: How often to announce position and EWT.
    ///   - expectedHandleTime: Handle time assumed before any call was observed.
    public init(
        name: String,
        strategy: QueueStrategy = .longestIdleAgent,
        requiredSkill: SkillRequirement? = nil,
        sticky: StickyRouting? = nil,
        escalation: [EscalationStep] = [],
        maximumLength: Int? = nil,
        whenFull: OverflowAction = .voicemail,
        maximumWait: Duration? = nil,
        whenMaximumWait: OverflowAction = .voicemail,
        whenNoAgents: OverflowAction? = nil,
        ringTimeout: Duration? = nil,
        wrapUp: Duration? = nil,
        announcementInterval: Duration? = nil,
        expectedHandleTime: Duration = .seconds(180)
    ) {
        self.name = name
        self.strategy = strategy
        self.requiredSkill = requiredSkill
        self.sticky = sticky
        self.escalation = escalation
        self.maximumLength = maximumLength
        self.whenFull = whenFull
        self.maximumWait = maximumWait
        self.whenMaximumWait = whenMaximumWait
        self.whenNoAgents = whenNoAgents
        self.ringTimeout = ringTimeout
        self.wrapUp = wrapUp
        self.announcementInterval = announcementInterval
        self.expectedHandleTime = expectedHandleTime
    }
}

/// An agent's membership of one queue.
public struct QueueMembership: Sendable, Hashable, Codable {
    /// The queue.
    public var queue: QueueID
    /// Penalty (tier): 0 serves first; higher tiers serve when lower ones are busy or escalation allows.
    public var penalty: Int
    /// Weight for ``QueueStrategy/weightedRandom`` (≥ 1).
    public var weight: Int

    /// Creates a membership.
    /// - Parameters:
    ///   - queue: The queue.
    ///   - penalty: The tier; 0 serves first.
    ///   - weight: Weight for weighted random routing.
    public init(queue: QueueID, penalty: Int = 0, weight: Int = 1) {
        self.queue = queue
        self.penalty = penalty
        self.weight = max(1, weight)
    }
}

/// An agent's configuration.
public struct AgentConfiguration: Sendable, Hashable, Codable {
    /// The agent.
    public var id: AgentID
    /// Display name (for events and reports).
    public var name: String
    /// Skills with levels, e.g. `["individual-income-tax": 3, "english": 1]`.
    public var skills: [String: Int]
    /// The queues the agent serves.
    public var memberships: [QueueMembership]
    /// Wrap-up after each call unless the queue sets its own.
    public var wrapUp: Duration
    /// After this many unanswered offers in a row the agent is set not ready (`nil`: never).
    public var maximumUnansweredOffers: Int?

    /// Creates an agent configuration.
    /// - Parameters:
    ///   - id: The agent.
    ///   - name: Display name.
    ///   - skills: Skills with levels.
    ///   - memberships: Queues served.
    ///   - wrapUp: Wrap-up after each call.
    ///   - maximumUnansweredOffers: Unanswered offers before auto not-ready.
    public init(
        id: AgentID,
        name: String = "",
        skills: [String: Int] = [:],
        memberships: [QueueMembership],
        wrapUp: Duration = .zero,
        maximumUnansweredOffers: Int? = 3
    ) {
        self.id = id
        self.name = name
        self.skills = skills
        self.memberships = memberships
        self.wrapUp = wrapUp
        self.maximumUnansweredOffers = maximumUnansweredOffers
    }
}
