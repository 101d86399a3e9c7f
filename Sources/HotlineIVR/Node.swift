/// Where a piece of a flow was written: a YAML file and line, or a Swift file and line for the DSL.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as given to the loader (or `#fileID` for the DSL).
    public var file: String
    /// Line, from 1.
    public var line: Int
    /// Column, from 1 (0 when unknown).
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column` (or `file:line`).
    public var description: String { column > 0 ? "\(file):\(line):\(column)" : "\(file):\(line)" }
}

/// One step of a call flow. Its ``kind`` says what it does; its ``id`` is how other nodes name it.
///
/// Equality ignores ``source``, so a flow written in the DSL equals the same flow loaded from YAML.
public struct Node: Sendable, Hashable {
    /// The node's name, unique within its flow.
    public var id: String
    /// What the node does.
    public var kind: Kind
    /// Where it was written (for validation messages).
    public var source: SourceLocation?

    /// Creates a node.
    ///
    /// - Parameters:
    ///   - id: The node's name.
    ///   - kind: What it does.
    ///   - source: Where it was written.
    public init(_ id: String, _ kind: Kind, source: SourceLocation? = nil) {
        self.id = id
        self.kind = kind
        self.source = source
    }

    public static func == (lhs: Node, rhs: Node) -> Bool { lhs.id == rhs.id && lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(kind)
    }

    /// The node types.
    public enum Kind: Sendable, Hashable {
        /// Play prompts, then go on.
        case play(Play)
        /// Offer options by key.
        case menu(Menu)
        /// Collect a string of digits into a variable.
        case collect(Collect)
        /// Choose the next node by a property of the call.
        case branch(Branch)
        /// Switch the call's language.
        case setLanguage(SetLanguage)
        /// Set a call variable.
        case setVariable(SetVariable)
        /// Authenticate a taxpayer by number and PIN, with an attempt limit.
        case authenticate(Authenticate)
        /// Run a self-service function (query or keypad report).
        case lookup(Lookup)
        /// Record a message (voicemail).
        case record(Record)
        /// Hand the call to the ACD.
        case enqueue(Enqueue)
        /// Transfer the call to a number.
        case transfer(Transfer)
        /// Ask for a post-call satisfaction rating (F15).
        case rating(Rating)
        /// Run another flow, then come back.
        case subflow(Subflow)
        /// Return from a sub-flow.
        case `return`
        /// Jump to a node.
        case goto(String)
        /// End the call.
        case hangUp(HangUp)

        /// The kind's name as written in YAML (`play`, `menu`, …).
        public var name: String {
            switch self {
            case .play: "play"
            case .menu: "menu"
            case .collect: "collect"
            case .branch: "branch"
            case .setLanguage: "set-language"
            case .setVariable: "set"
            case .authenticate: "authenticate"
            case .lookup: "lookup"
            case .record: "record"
            case .enqueue: "enqueue"
            case .transfer: "transfer"
            case .rating: "rating"
            case .subflow: "subflow"
            case .return: "return"
            case .goto: "goto"
            case .hangUp: "hangup"
            }
        }
    }
}

extension Node {
    /// Play prompts in order, then go to `next`.
    public struct Play: Sendable, Hashable {
        /// Names of the prompts to play.
        public var prompts: [String]
        /// Whether a key press stops the playback (the key is kept for the next menu or collect).
        public var bargeIn: Bool
        /// The node after the prompts.
        public var next: String
        /// Creates a play node's body.
        public init(prompts: [String], bargeIn: Bool = true, next: String) {
            self.prompts = prompts
            self.bargeIn = bargeIn
            self.next = next
        }
    }

    /// What pressing a menu key does.
    public enum MenuChoice: Sendable, Hashable {
        /// Go to a node.
        case goto(String)
        /// Play the menu again.
        case `repeat`
        /// Go back to the previous menu.
        case back
        /// Go to the first menu of the current flow.
        case top
    }

    /// A menu: options per key, with timeout, retries and prompts for invalid keys and silence.
    public struct Menu: Sendable, Hashable {
        /// The menu prompt (barge-in always on).
        public var prompt: String
        /// Options per key (`0`–`9`, `*`, `#`).
        public var options: [Character: MenuChoice]
        /// How long to wait for a key after the prompt.
        public var timeout: Duration
        /// How many times the menu is offered again after a wrong key or silence.
        public var retries: Int
        /// Played after a key without an option (before the menu is repeated).
        public var invalidPrompt: String?
        /// Played after silence (before the menu is repeated).
        public var noInputPrompt: String?
        /// Where to go when the retries are used up (`nil`: hang up).
        public var onFailure: String?
        /// Creates a menu's body.
        public init(prompt: String, options: [Character: MenuChoice], timeout: Duration = .seconds(5),
                    retries: Int = 2, invalidPrompt: String? = nil, noInputPrompt: String? = nil,
                    onFailure: String? = nil) {
            self.prompt = prompt
            self.options = options
            self.timeout = timeout
            self.retries = retries
            self.invalidPrompt = invalidPrompt
            self.noInputPrompt = noInputPrompt
            self.onFailure = onFailure
        }
    }

    /// A check applied to collected digits.
    public enum DigitValidation: String, Sendable, Hashable, CaseIterable {
        /// Any digits of the right length.
        case none
        /// A taxpayer number (HotlineCore's `TaxpayerNumber`): an 18-character unified social
        /// credit code (GB 32100-2015) or resident identity number (GB 11643-1999) with a valid
        /// check character. On the keypad, `*` stands for the check character X.
        case taxpayerNumber = "taxpayer-number"
        /// A mobile number: 11 digits starting with 1.
        case mobileNumber = "mobile-number"
        /// An amount in yuan with optional fen after `*` (e.g. `1234*50` = 1,234.50 yuan),
        /// stored as money.
        case amount
    }

    /// Collect digits into a variable.
    public struct Collect: Sendable, Hashable {
        /// The prompt asking for the digits.
        public var prompt: String
        /// The call variable that receives them.
        public var variable: String
        /// Fewest digits accepted.
        public var minLength: Int
        /// Most digits; input ends by itself at this length.
        public var maxLength: Int
        /// The key that ends input early (not part of the value); `nil` for none.
        public var terminator: Character?
        /// How long to wait for the first digit after the prompt.
        public var firstDigitTimeout: Duration
        /// How long to wait between digits.
        public var interDigitTimeout: Duration
        /// The check applied to the digits.
        public var validation: DigitValidation
        /// How many more attempts after invalid input or silence.
        public var retries: Int
        /// Played after invalid input.
        public var invalidPrompt: String?
        /// Played after silence.
        public var noInputPrompt: String?
        /// Played back for confirmation (may say the variable); then 1 confirms, 2 re-enters.
        public var confirmPrompt: String?
        /// The node after valid (and confirmed) input.
        public var next: String
        /// Where to go when the retries are used up (`nil`: hang up).
        public var onFailure: String?
        /// Creates a collect node's body.
        public init(prompt: String, variable: String, minLength: Int = 1, maxLength: Int = 20,
                    terminator: Character? = "#", firstDigitTimeout: Duration = .seconds(8),
                    interDigitTimeout: Duration = .seconds(5), validation: DigitValidation = .none,
                    retries: Int = 2, invalidPrompt: String? = nil, noInputPrompt: String? = nil,
                    confirmPrompt: String? = nil, next: String, onFailure: String? = nil) {
            self.prompt = prompt
            self.variable = variable
            self.minLength = minLength
            self.maxLength = maxLength
            self.terminator = terminator
            self.firstDigitTimeout = firstDigitTimeout
            self.interDigitTimeout = interDigitTimeout
            self.validation = validation
            self.retries = retries
            self.invalidPrompt = invalidPrompt
            self.noInputPrompt = noInputPrompt
            self.confirmPrompt = confirmPrompt
            self.next = next
            self.onFailure = onFailure
        }
    }

    /// What a branch looks at.
    public enum BranchSubject: Sendable, Hashable {
        /// A named schedule: `open`, `closed`, or `holiday` (closed on a public holiday).
        case schedule(String)
        /// The caller's category (`vip`, …) or `none`.
        case callerCategory
        /// The caller's blacklist state: `none`, `warn` or `refuse`.
        case blacklist
        /// The call's language tag (`zh`, `en`).
        case language
        /// A call variable's value (`unset` when it has none).
        case variable(String)
        /// The dialled number (DID).
        case dialledNumber
        /// A flag variable set by a lookup: `true` or `false` (`false` when unset).
        case flag(String)
    }

    /// Choose the next node by comparing a subject with case values.
    public struct Branch: Sendable, Hashable {
        /// What to look at.
        public var subject: BranchSubject
        /// Next node per value.
        public var cases: [String: String]
        /// Next node when no case matches.
        public var otherwise: String
        /// Creates a branch's body.
        public init(on subject: BranchSubject, cases: [String: String], otherwise: String) {
            self.subject = subject
            self.cases = cases
            self.otherwise = otherwise
        }
    }

    /// Switch the call's language.
    public struct SetLanguage: Sendable, Hashable {
        /// The new language (one of the flow's languages).
        public var language: Language
        /// The node after.
        public var next: String
        /// Creates the body.
        public init(_ language: Language, next: String) {
            self.language = language
            self.next = next
        }
    }

    /// Set a call variable.
    public struct SetVariable: Sendable, Hashable {
        /// The variable's name.
        public var variable: String
        /// The value.
        public var value: ValueSource
        /// The node after.
        public var next: String
        /// Creates the body.
        public init(_ variable: String, to value: ValueSource, next: String) {
            self.variable = variable
            self.value = value
            self.next = next
        }
    }

    /// Authenticate a taxpayer (number + PIN) through the self-service provider, with an attempt
    /// limit. On success the variable `taxpayer` holds the number and `authenticated` is true.
    public struct Authenticate: Sendable, Hashable {
        /// Variable holding the taxpayer number.
        public var taxpayerVariable: String
        /// Variable holding the PIN.
        public var pinVariable: String
        /// Wrong attempts allowed in this call before lock-out.
        public var maxAttempts: Int
        /// Played after a wrong number or PIN (before `retry`).
        public var failurePrompt: String?
        /// Played on lock-out.
        public var lockedPrompt: String?
        /// After success.
        public var next: String
        /// After a wrong attempt while attempts remain (usually the collect of the number).
        public var retry: String
        /// After lock-out (too many attempts here, or the provider reports the account locked).
        public var onLockedOut: String
        /// When the provider fails (storage down); `nil`: same as `onLockedOut`, without the locked prompt.
        public var onFailure: String?
        /// Creates the body.
        public init(taxpayerVariable: String = "taxpayerNumber", pinVariable: String = "pin",
                    maxAttempts: Int = 3, failurePrompt: String? = nil, lockedPrompt: String? = nil,
                    next: String, retry: String, onLockedOut: String, onFailure: String? = nil) {
            self.onFailure = onFailure
            self.taxpayerVariable = taxpayerVariable
            self.pinVariable = pinVariable
            self.maxAttempts = maxAttempts
            self.failurePrompt = failurePrompt
            self.lockedPrompt = lockedPrompt
            self.next = next
            self.retry = retry
            self.onLockedOut = onLockedOut
        }
    }

    /// Run a self-service function. Result values land in variables named `<function>.<key>`
    /// (e.g. `arrears.total`); the flag `<function>.found` tells whether anything was found.
    public struct Lookup: Sendable, Hashable {
        /// The function.
        public var function: SelfServiceFunction
        /// Arguments (the authenticated `taxpayer` is always passed too).
        public var arguments: [String: ValueSource]
        /// After a successful lookup.
        public var next: String
        /// When nothing was found (`nil`: same as `next`).
        public var onNotFound: String?
        /// When the provider failed or refused (`nil`: hang up).
        public var onFailure: String?
        /// Creates the body.
        public init(_ function: SelfServiceFunction, arguments: [String: ValueSource] = [:], next: String,
                    onNotFound: String? = nil, onFailure: String? = nil) {
            self.function = function
            self.arguments = arguments
            self.next = next
            self.onNotFound = onNotFound
            self.onFailure = onFailure
        }
    }

    /// Record a message. The recording's reference lands in the variable `recording`.
    public struct Record: Sendable, Hashable {
        /// Played before recording.
        public var prompt: String
        /// What the recording is for, e.g. `"voicemail"` (names the mailbox).
        public var purpose: String
        /// Longest recording.
        public var maxDuration: Duration
        /// Whether a beep marks the start.
        public var beep: Bool
        /// Played after recording; then 1 keeps, 2 records again (silence keeps). `nil`: keep.
        public var confirmPrompt: String?
        /// The node after a kept recording.
        public var next: String
        /// Creates the body.
        public init(prompt: String, purpose: String = "voicemail", maxDuration: Duration = .seconds(120),
                    beep: Bool = true, confirmPrompt: String? = nil, next: String) {
            self.prompt = prompt
            self.purpose = purpose
            self.maxDuration = maxDuration
            self.beep = beep
            self.confirmPrompt = confirmPrompt
            self.next = next
        }
    }

    /// Hand the call to the ACD queue.
    public struct Enqueue: Sendable, Hashable {
        /// The queue's name.
        public var queue: String
        /// Base priority (higher is served first).
        public var priority: Int
        /// Priority per caller category, e.g. `vip: 10` (overrides `priority`).
        public var priorityByCategory: [String: Int]
        /// Skills an agent needs, e.g. `["complaint"]`.
        public var skills: [String]
        /// Played before queueing.
        public var prompt: String?
        /// Where the caller goes after the agent hangs up (e.g. the rating); `nil`: hang up.
        public var afterCall: String?
        /// Where the caller goes when the queue gives up (no agents, overflow); `nil`: hang up.
        public var onUnavailable: String?
        /// Creates the body.
        public init(queue: String, priority: Int = 0, priorityByCategory: [String: Int] = [:],
                    skills: [String] = [], prompt: String? = nil, afterCall: String? = nil,
                    onUnavailable: String? = nil) {
            self.queue = queue
            self.priority = priority
            self.priorityByCategory = priorityByCategory
            self.skills = skills
            self.prompt = prompt
            self.afterCall = afterCall
            self.onUnavailable = onUnavailable
        }
    }

    /// Transfer the call to a number (e.g. a duty officer's mobile).
    public struct Transfer: Sendable, Hashable {
        /// The number to call.
        public var number: String
        /// Played before transferring.
        public var prompt: String?
        /// Where the caller goes after the far end hangs up; `nil`: hang up.
        public var afterCall: String?
        /// Where the caller goes if the transfer fails; `nil`: hang up.
        public var onUnavailable: String?
        /// Creates the body.
        public init(number: String, prompt: String? = nil, afterCall: String? = nil, onUnavailable: String? = nil) {
            self.number = number
            self.prompt = prompt
            self.afterCall = afterCall
            self.onUnavailable = onUnavailable
        }
    }

    /// Post-call satisfaction rating (F15): 1 satisfied, 2 average, 3 dissatisfied, 0 complaint.
    public struct Rating: Sendable, Hashable {
        /// The rating prompt ("满意请按1，一般请按2，不满意请按3，投诉请按0").
        public var prompt: String
        /// How long to wait for a key.
        public var timeout: Duration
        /// Repeats after a wrong key or silence.
        public var retries: Int
        /// Played after a wrong key.
        public var invalidPrompt: String?
        /// Played after a rating of 1–3.
        public var thanksPrompt: String?
        /// Where a complaint (key 0) goes.
        public var complaint: String
        /// After a rating of 1–3 or when no rating was given; `nil`: hang up.
        public var next: String?
        /// Creates the body.
        public init(prompt: String, timeout: Duration = .seconds(6), retries: Int = 1,
                    invalidPrompt: String? = nil, thanksPrompt: String? = nil, complaint: String,
                    next: String? = nil) {
            self.prompt = prompt
            self.timeout = timeout
            self.retries = retries
            self.invalidPrompt = invalidPrompt
            self.thanksPrompt = thanksPrompt
            self.complaint = complaint
            self.next = next
        }
    }

    /// Call a sub-flow; its `return` node comes back to `next`.
    public struct Subflow: Sendable, Hashable {
        /// The flow to run.
        public var flow: String
        /// Where to continue after it returns.
        public var next: String
        /// Creates the body.
        public init(flow: String, next: String) {
            self.flow = flow
            self.next = next
        }
    }

    /// End the call, optionally after a prompt.
    public struct HangUp: Sendable, Hashable {
        /// Played before hanging up.
        public var prompt: String?
        /// Why (recorded in the outcome and events), e.g. `"after-hours"`.
        public var reason: String
        /// Creates the body.
        public init(prompt: String? = nil, reason: String = "completed") {
            self.prompt = prompt
            self.reason = reason
        }
    }
}
