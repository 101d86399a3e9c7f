import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline bench casework`: work-order create/transition throughput and knowledge-search latency.
struct BenchCaseworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "casework",
        abstract: "Work orders opened and moved per second (SQLite, with events and audit) and KB search p50/p99 over N articles.",
        discussion: "Uses a fresh temporary database (removed afterwards) unless --data-dir is given."
    )
    @Option(help: "Work orders to open (each then assigned and started).") var orders = 2000
    @Option(help: "Knowledge articles to generate.") var articles = 100_000
    @Option(help: "Search queries to time.") var queries = 1000
    @Option(name: .customLong("data-dir"), help: "Keep the database in this directory instead of a temporary one.") var dataDir: String?

    func run() async throws {
        let directory = dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("hotline-bench-casework-\(UUID().uuidString)")
        defer { if dataDir == nil { try? FileManager.default.removeItem(at: directory) } }
        let database = try HotlineDatabase(directory: directory)
        try await benchWorkOrders(database)
        try await benchKnowledgeBase(database)
    }

    func benchWorkOrders(_ database: HotlineDatabase) async throws {
        let calendar = BusinessCalendar.weekdayOffice()
        let desk = WorkOrderDesk(store: database, audit: database, calendar: calendar)
        let agent = Principal(userID: "bench-agent", username: "bench-agent", permissions: Role.agent.permissions)
        let supervisor = Principal(userID: "bench-supervisor", username: "bench-supervisor", permissions: Role.supervisor.permissions)
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let clock = ContinuousClock()

        // The pure state machine alone.
        let pureCount = 200_000
        let (machine, _) = try WorkOrderStateMachine.open(WorkOrderDraft(kind: .complaint, summary: "bench"), number: "GD0",
                                                          by: agent, at: start, calendar: calendar)
        let pureElapsed = try clock.measure {
            for index in 0..<pureCount {
                var copy = machine
                _ = try copy.handle(.init(.assign, comment: "bench", assignee: .department("d\(index % 7)")), by: supervisor, at: start)
            }
        }
        Self.say(String(format: "state machine: %.0f transitions/s (pure, in memory)", Double(pureCount) / Self.seconds(pureElapsed)))

        var ids: [String] = []
        ids.reserveCapacity(orders)
        let openElapsed = try await clock.measure {
            for index in 0..<orders {
                let draft = WorkOrderDraft(kind: WorkOrder.Kind.allCases[index % WorkOrder.Kind.allCases.count], priority: .normal,
                                           caller: .init(name: "来电人\(index)"), category: ["纳税服务"], summary: "压测工单 \(index)",
                                           description: "办税服务厅排队时间过长，来电人要求答复。", links: [.init(kind: .call, reference: "call-\(index)")])
                ids.append(try await desk.open(draft, by: agent, at: start.addingTimeInterval(Double(index))).id)
            }
        }
        Self.say(String(format: "work orders opened: %d in %.2f s = %.0f/s (number, order, event and audit entry committed)",
                     orders, Self.seconds(openElapsed), Double(orders) / Self.seconds(openElapsed)))
        let moveElapsed = try await clock.measure {
            for (index, id) in ids.enumerated() {
                let at = start.addingTimeInterval(Double(orders + index))
                _ = try await desk.transition(id, .init(.assign, comment: "转办", assignee: .department("征管科")), by: supervisor, at: at)
                _ = try await desk.transition(id, .init(.startWork, comment: "开始办理"), by: supervisor, at: at)
            }
        }
        Self.say(String(format: "work order transitions: %d in %.2f s = %.0f/s (read, check, write order + event + audit)",
                     orders * 2, Self.seconds(moveElapsed), Double(orders * 2) / Self.seconds(moveElapsed)))
    }

    func benchKnowledgeBase(_ database: HotlineDatabase) async throws {
        let clock = ContinuousClock()
        var generator = Random(seed: 12366)
        let existing = try await database.articleCount()
        if existing < articles {
            let saved = Date(timeIntervalSince1970: 1_796_000_000)
            let loadElapsed = try await clock.measure {
                var batch: [KnowledgeArticle] = []
                for index in existing..<articles {
                    batch.append(Self.article(index, &generator, saved: saved))
                    if batch.count == 1000 || index == articles - 1 {
                        try await database.save(batch, at: saved)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                try await database.optimize()
            }
            Self.say(String(format: "knowledge base: %d articles loaded in %.1f s (%.0f/s, both indexes)", articles - existing,
                         Self.seconds(loadElapsed), Double(articles - existing) / Self.seconds(loadElapsed)))
        }
        let day = LocalDate("2026-06-01")!
        let kinds: [(String, [String])] = [
            ("1 character", ["税", "票", "费", "退", "证"]),
            ("2 characters", ["发票", "申报", "退税", "社保", "密码", "登录"]),
            ("3+ characters", ["增值税", "电子税务局", "专项附加扣除", "汇算清缴", "留抵退税", "办税服务厅"]),
            ("two words", ["发票 增值税", "登录 密码", "退税 出口", "社保费 申报", "个人所得税 汇算清缴"]),
            // Rarer combinations of common words (about 2,400 matches each): the BM25-ranked path.
            ("five words", ["个体工商户 代扣代缴 土地增值税 专项附加扣除 税控设备", "企业所得税 电子税务局 办税服务厅 汇算清缴 一般纳税人",
                            "个人所得税 土地增值税 出口退税 留抵退税 代扣代缴", "跨区域 个体工商户 公积金 专项附加扣除 滞纳金"]),
        ]
        var all: [Double] = []
        for (label, words) in kinds {
            var latencies: [Double] = []
            for index in 0..<max(1, queries / kinds.count) {
                let query = words[index % words.count]
                var hits = 0
                let elapsed = try await clock.measure {
                    hits = try await database.search(query, inForceOn: day, category: nil, limit: 10).count
                }
                if hits == 0 { Self.say("warning: no hit for \(query)") }
                latencies.append(Self.seconds(elapsed) * 1000)
            }
            all += latencies
            Self.say(String(format: "kb search %@: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d queries)", label,
                         Self.percentile(latencies, 0.50), Self.percentile(latencies, 0.99), latencies.max() ?? 0, latencies.count))
        }
        Self.say(String(format: "kb search all: p50 %.2f ms, p99 %.2f ms over %d articles", Self.percentile(all, 0.50), Self.percentile(all, 0.99),
                     try await database.articleCount()))
    }

    static let words = [
        "增值税", "个人所得税", "企业所得税", "发票", "申报", "纳税人", "小规模", "一般纳税人", "减免", "退税", "社保费", "印花税", "房产税",
        "土地增值税", "契税", "车船税", "电子税务局", "办税服务厅", "汇算清缴", "专项附加扣除", "出口退税", "留抵退税", "税控设备", "开票",
        "核定", "登记", "注销", "变更", "滞纳金", "罚款", "税率", "征收率", "免征", "优惠", "政策", "公告", "通知", "指南", "培训", "系统",
        "登录", "密码", "证书", "社保", "医保", "公积金", "跨区域", "预缴", "稽查", "评估", "欠税", "担保", "代扣代缴", "个体工商户",
    ]
    static let joiners = ["的", "和", "及", "按", "应当", "可以", "办理", "规定", "，", "。", "须", "在"]

    static func article(_ index: Int, _ generator: inout Random, saved: Date) -> KnowledgeArticle {
        func phrase(_ count: Int) -> String {
            (0..<count).map { _ in words[generator.next(words.count)] + joiners[generator.next(joiners.count)] }.joined()
        }
        let category = KnowledgeArticle.Category.allCases[index % KnowledgeArticle.Category.allCases.count]
        let from = LocalDate(year: 2019 + generator.next(8), month: 1 + generator.next(12), day: 1 + generator.next(28))!
        let until: LocalDate? = generator.next(4) == 0 ? from.adding(days: 365 * (1 + generator.next(3))) : nil
        var versions = [KnowledgeArticle.Version(number: 1, title: phrase(3), body: phrase(30), effectiveFrom: from, effectiveUntil: until,
                                                 author: "bench", createdAt: saved)]
        if generator.next(10) == 0 {
            versions.append(.init(number: 2, title: phrase(3), body: phrase(30), effectiveFrom: from.adding(days: 200), author: "bench", createdAt: saved))
        }
        return KnowledgeArticle(id: "kb-\(index)", category: category, tags: [words[generator.next(words.count)], words[generator.next(words.count)]],
                                versions: versions)
    }

    /// A small deterministic generator (SplitMix64), so every run loads the same articles.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// Prints a line at once (unbuffered), so that a long run shows its figures as they come.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
}
