public import HotlineCore

/// A call flow: languages, prompts and nodes, starting at ``start``.
///
/// Build one with the result-builder DSL (``init(_:languages:start:file:line:_:)``) or load it from
/// YAML (``FlowLoader``); both give the same value. A flow is checked as part of its ``FlowSet``
/// (``FlowSet/validate()``).
public struct Flow: Sendable, Hashable {
    /// The flow's name (routes and sub-flow calls refer to it).
    public var name: String
    /// The languages every prompt must have; the first is the default.
    public var languages: [Language]
    /// The first node.
    public var start: String
    /// Prompts by name.
    public var prompts: [String: PromptDefinition]
    /// Nodes by id.
    public var nodes: [String: Node]
    /// Where the flow was written.
    public var source: SourceLocation?
    /// Where each prompt was written (for validation messages).
    public var promptSources: [String: SourceLocation]

    /// Creates a flow from its parts.
    ///
    /// - Parameters:
    ///   - name: The flow's name.
    ///   - languages: Its languages, default first.
    ///   - start: The first node's id.
    ///   - prompts: Its prompts.
    ///   - nodes: Its nodes.
    ///   - source: Where it was written.
    public init(name: String, languages: [Language], start: String, prompts: [PromptDefinition],
                nodes: [Node], source: SourceLocation? = nil) {
        self.name = name
        self.languages = languages
        self.start = start
        self.prompts = Dictionary(prompts.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.nodes = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.source = source
        self.promptSources = [:]
        var seen: Set<String> = []
        self.duplicates = nodes.filter { !seen.insert($0.id).inserted }
        var seenPrompts: Set<String> = []
        self.duplicatePrompts = prompts.map(\.name).filter { !seenPrompts.insert($0).inserted }
    }

    /// Nodes whose id was already taken (refused by validation).
    var duplicates: [Node] = []
    /// Prompt names defined more than once (refused by validation).
    var duplicatePrompts: [String] = []

    /// Builds a flow with the DSL.
    ///
    /// ```swift
    /// let flow = Flow("main", start: "welcome") {
    ///     PromptDefinition("welcome", zh: "您好，欢迎致电12366。", en: "Welcome to 12366.")
    ///     Node.play("welcome", prompts: ["welcome"], next: "bye")
    ///     Node.hangUp("bye")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: The flow's name.
    ///   - languages: Its languages, default first (Mandarin and English unless given).
    ///   - start: The first node's id.
    ///   - source: Filled in from the call site.
    ///   - content: Prompts and nodes.
    public init(_ name: String, languages: [Language] = [.mandarin, .english], start: String,
                file: String = #fileID, line: Int = #line,
                @FlowBuilder _ content: () -> [FlowComponent]) {
        var prompts: [PromptDefinition] = []
        var nodes: [Node] = []
        for component in content() {
            switch component {
            case .prompt(let p): prompts.append(p)
            case .node(let n): nodes.append(n)
            }
        }
        self.init(name: name, languages: languages, start: start, prompts: prompts, nodes: nodes,
                  source: SourceLocation(file: file, line: line))
    }

    /// Equality of content (sources ignored).
    public static func == (lhs: Flow, rhs: Flow) -> Bool {
        lhs.name == rhs.name && lhs.languages == rhs.languages && lhs.start == rhs.start
            && lhs.prompts == rhs.prompts && lhs.nodes == rhs.nodes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(start)
        hasher.combine(nodes)
    }
}

/// A piece of a flow in the DSL: a prompt or a node.
public enum FlowComponent: Sendable {
    /// A prompt definition.
    case prompt(PromptDefinition)
    /// A node.
    case node(Node)
}

/// The result builder behind ``Flow/init(_:languages:start:file:line:_:)``.
@resultBuilder
public enum FlowBuilder {
    /// A prompt.
    public static func buildExpression(_ prompt: PromptDefinition) -> [FlowComponent] { [.prompt(prompt)] }
    /// A node.
    public static func buildExpression(_ node: Node) -> [FlowComponent] { [.node(node)] }
    /// Several components.
    public static func buildExpression(_ components: [FlowComponent]) -> [FlowComponent] { components }
    /// A block.
    public static func buildBlock(_ parts: [FlowComponent]...) -> [FlowComponent] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [FlowComponent]?) -> [FlowComponent] { part ?? [] }
    /// `if`/`else`, first branch.
    public static func buildEither(first part: [FlowComponent]) -> [FlowComponent] { part }
    /// `if`/`else`, second branch.
    public static func buildEither(second part: [FlowComponent]) -> [FlowComponent] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[FlowComponent]]) -> [FlowComponent] { parts.flatMap { $0 } }
}

/// Everything the IVR of one hotline runs with: flows, the routing of dialled numbers to flows,
/// named schedules (business calendars) and caller-filtering data.
///
/// One value is one *version*; ``FlowRegistry`` keeps the versions, and a call keeps the version
/// it started with.
public struct FlowSet: Sendable, Hashable {
    /// Flows by name.
    public var flows: [String: Flow]
    /// Dialled number (DID) → flow name. A key ending in `*` matches a prefix (`400*`);
    /// the key `*` alone is the default route.
    public var routes: [String: String]
    /// Schedules by name, used by branch nodes (`on: schedule office`).
    public var schedules: [String: BusinessCalendar]
    /// Blacklist and caller categories.
    public var callerFilter: CallerFilter
    /// Where routes, schedules and other top-level entries were written (for validation messages).
    public var sources: [String: SourceLocation]

    /// Creates a flow set.
    ///
    /// - Parameters:
    ///   - flows: The flows.
    ///   - routes: DID → flow name.
    ///   - schedules: Named calendars.
    ///   - callerFilter: Blacklist and categories.
    public init(flows: [Flow], routes: [String: String], schedules: [String: BusinessCalendar] = [:],
                callerFilter: CallerFilter = CallerFilter()) {
        self.flows = Dictionary(flows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.routes = routes
        self.schedules = schedules
        self.callerFilter = callerFilter
        self.sources = [:]
    }

    /// Equality of content (sources ignored).
    public static func == (lhs: FlowSet, rhs: FlowSet) -> Bool {
        lhs.flows == rhs.flows && lhs.routes == rhs.routes && lhs.schedules == rhs.schedules
            && lhs.callerFilter == rhs.callerFilter
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(flows)
        hasher.combine(routes)
    }

    /// The flow for a dialled number: an exact route, else the longest matching prefix route
    /// (`400*`), else the default route `*`.
    ///
    /// - Parameter dialledNumber: The DID the caller dialled.
    /// - Returns: The flow's name, or `nil` when no route matches.
    public func flowName(forDialledNumber dialledNumber: String) -> String? {
        if let exact = routes[dialledNumber] { return exact }
        let prefixed = routes.filter { $0.key.hasSuffix("*") && $0.key.count > 1 }
            .filter { dialledNumber.hasPrefix(String($0.key.dropLast())) }
            .max { $0.key.count < $1.key.count }
        return prefixed?.value ?? routes["*"]
    }
}

extension Node {
    /// A play node. - Parameters: as ``Play``; `file`/`line` record the call site.
    public static func play(_ id: String, prompts: [String], bargeIn: Bool = true, next: String,
                            file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .play(Play(prompts: prompts, bargeIn: bargeIn, next: next)), source: .init(file: file, line: line))
    }

    /// A menu node. - Parameters: as ``Menu``.
    public static func menu(_ id: String, _ menu: Menu, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .menu(menu), source: .init(file: file, line: line))
    }

    /// A collect node. - Parameters: as ``Collect``.
    public static func collect(_ id: String, _ collect: Collect, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .collect(collect), source: .init(file: file, line: line))
    }

    /// A branch node. - Parameters: as ``Branch``.
    public static func branch(_ id: String, on subject: BranchSubject, cases: [String: String], otherwise: String,
                              file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .branch(Branch(on: subject, cases: cases, otherwise: otherwise)), source: .init(file: file, line: line))
    }

    /// A set-language node.
    public static func setLanguage(_ id: String, _ language: Language, next: String,
                                   file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .setLanguage(SetLanguage(language, next: next)), source: .init(file: file, line: line))
    }

    /// A set-variable node.
    public static func set(_ id: String, _ variable: String, to value: ValueSource, next: String,
                           file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .setVariable(SetVariable(variable, to: value, next: next)), source: .init(file: file, line: line))
    }

    /// An authenticate node. - Parameters: as ``Authenticate``.
    public static func authenticate(_ id: String, _ body: Authenticate, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .authenticate(body), source: .init(file: file, line: line))
    }

    /// A lookup node. - Parameters: as ``Lookup``.
    public static func lookup(_ id: String, _ body: Lookup, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .lookup(body), source: .init(file: file, line: line))
    }

    /// A record node. - Parameters: as ``Record``.
    public static func record(_ id: String, _ body: Record, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .record(body), source: .init(file: file, line: line))
    }

    /// An enqueue node. - Parameters: as ``Enqueue``.
    public static func enqueue(_ id: String, _ body: Enqueue, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .enqueue(body), source: .init(file: file, line: line))
    }

    /// A transfer node. - Parameters: as ``Transfer``.
    public static func transfer(_ id: String, _ body: Transfer, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .transfer(body), source: .init(file: file, line: line))
    }

    /// A rating node. - Parameters: as ``Rating``.
    public static func rating(_ id: String, _ body: Rating, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .rating(body), source: .init(file: file, line: line))
    }

    /// A sub-flow call.
    public static func subflow(_ id: String, flow: String, next: String, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .subflow(Subflow(flow: flow, next: next)), source: .init(file: file, line: line))
    }

    /// A return from a sub-flow.
    public static func returnFromSubflow(_ id: String, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .return, source: .init(file: file, line: line))
    }

    /// A goto node.
    public static func goto(_ id: String, _ target: String, file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .goto(target), source: .init(file: file, line: line))
    }

    /// A hang-up node.
    public static func hangUp(_ id: String, prompt: String? = nil, reason: String = "completed",
                              file: String = #fileID, line: Int = #line) -> Node {
        Node(id, .hangUp(HangUp(prompt: prompt, reason: reason)), source: .init(file: file, line: line))
    }
}
