import Foundation
import HotlineAuth
import HotlineCore
import HotlineSQLite
import Testing

/// Runs the built `hotline` executable (next to the test bundle in the build products directory)
/// against a temporary data directory, and checks its output and exit codes.
@Suite("hotline CLI")
struct CLITests {
    struct Run: CustomStringConvertible {
        var status: Int32
        var output: String
        var error: String
        var description: String { "exit \(status)\nstdout: \(output)\nstderr: \(error)" }
    }

    /// The `hotline` executable of this build.
    static func executable() throws -> URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [products.appendingPathComponent("hotline"), Bundle.main.bundleURL.appendingPathComponent("hotline"),
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("hotline"),
                          packageRoot.appendingPathComponent(".build/debug/hotline")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw APITestError.unexpected("no hotline executable in \(candidates.map(\.path)); run `swift build --build-tests` first")
        }
        return found
    }

    struct Sandbox {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hotline-cli-\(UUID().uuidString)")
        var dataDirectory: URL { directory.appendingPathComponent("data") }

        /// Runs `hotline ARGS --data-dir DIR` with `input` on standard input.
        func run(_ arguments: [String], input: String = "") throws -> Run {
            let process = Process()
            process.executableURL = try CLITests.executable()
            process.arguments = arguments + ["--data-dir", dataDirectory.path]
            process.currentDirectoryURL = directory
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try process.run()
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
            // Small outputs: read both to the end (the process closes them when it exits).
            let output = stdout.fileHandleForReading.readDataToEndOfFile()
            let error = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test("users add, list and passwd: output, exit codes, and the password really changes")
    func users() async throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let added = try sandbox.run(["users", "add", "wang.fang", "--kind", "agent", "--name", "王芳", "--agent-number", "1007", "--password-stdin"],
                                    input: "correct-horse-42\n")
        #expect(added.status == 0, "\(added)")
        #expect(added.output.contains("added agent wang.fang ("))
        #expect(added.output.contains("with roles agent"))
        let again = try sandbox.run(["users", "add", "WANG.FANG", "--kind", "agent", "--password-stdin"], input: "correct-horse-42\n")
        #expect(again.status == 1, "\(again)")
        #expect(again.error.lowercased().contains("wang.fang"))
        let weak = try sandbox.run(["users", "add", "li.si", "--kind", "supervisor", "--password-stdin"], input: "short\n")
        #expect(weak.status == 1, "\(weak)")
        #expect(!weak.error.isEmpty)
        let badKind = try sandbox.run(["users", "add", "zhao", "--kind", "boss", "--password-stdin"], input: "correct-horse-42\n")
        #expect(badKind.status != 0)
        #expect(badKind.error.contains("boss"))

        let listed = try sandbox.run(["users", "list"])
        #expect(listed.status == 0)
        #expect(listed.output.contains("wang.fang\t王芳\tagent\tagent"), "\(listed)")
        #expect(!listed.output.contains("li.si"))
        let json = try sandbox.run(["users", "list", "--json"])
        let users = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]], "\(json)")
        #expect(users.compactMap { $0["username"] as? String } == ["wang.fang"])
        #expect(!json.output.contains("$2b$"), "no password hashes in the listing")

        let changed = try sandbox.run(["users", "passwd", "wang.fang", "--password-stdin"], input: "new-horse-battery-99\n")
        #expect(changed.status == 0, "\(changed)")
        #expect(changed.output.contains("password of wang.fang set"))
        let nobody = try sandbox.run(["users", "passwd", "nobody", "--password-stdin"], input: "new-horse-battery-99\n")
        #expect(nobody.status == 1)
        #expect(nobody.error.contains("no user 'nobody'"))

        let database = try HotlineDatabase(directory: sandbox.dataDirectory)
        let authenticator = Authenticator(users: database, sessions: database, audit: database, hasher: BcryptPasswordHasher())
        _ = try await authenticator.signIn(username: "wang.fang", password: "new-horse-battery-99", at: Date())
        await #expect(throws: AccessError.self) {
            _ = try await authenticator.signIn(username: "wang.fang", password: "correct-horse-42", at: Date())
        }
    }

    @Test("workorders open, list and show, with filters and JSON; unknown numbers exit 1")
    func workOrders() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        #expect(try sandbox.run(["users", "add", "zhang.wei", "--kind", "supervisor", "--password-stdin"], input: "correct-horse-42\n").status == 0)
        let empty = try sandbox.run(["workorders", "list"])
        #expect(empty.status == 0)
        #expect(empty.output.contains("no work orders match"))
        let opened = try sandbox.run(["workorders", "open", "--as", "zhang.wei", "--kind", "complaint", "--summary", "办税服务厅排队过久",
                                      "--caller-name", "李四", "--caller-phone", "13800138000", "--category", "纳税服务/办税服务厅"])
        #expect(opened.status == 0, "\(opened)")
        let number = try #require(opened.output.split(separator: " ").dropFirst().first.map(String.init))
        #expect(number.hasPrefix("GD") && number.hasSuffix("-000001"), "\(opened)")
        #expect(try sandbox.run(["workorders", "open", "--as", "zhang.wei", "--kind", "consultation", "--summary", "发票怎么开"]).status == 0)

        let listed = try sandbox.run(["workorders", "list"])
        #expect(listed.status == 0)
        let lines = listed.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("\(number)\tcomplaint\tnormal\tnew\t") == true, "\(listed)")
        #expect(lines.last?.hasSuffix("办税服务厅排队过久") == true)
        let complaints = try sandbox.run(["workorders", "list", "--kind", "complaint", "--json"])
        let orders = try #require(try JSONSerialization.jsonObject(with: Data(complaints.output.utf8)) as? [[String: Any]], "\(complaints)")
        #expect(orders.compactMap { $0["number"] as? String } == [number])
        #expect(try sandbox.run(["workorders", "list", "--status", "closed"]).output.contains("no work orders match"))

        let shown = try sandbox.run(["workorders", "show", number])
        #expect(shown.status == 0)
        #expect(shown.output.hasPrefix("\(number)  complaint · normal · new · via phone"), "\(shown)")
        #expect(shown.output.contains("summary:   办税服务厅排队过久"))
        #expect(shown.output.contains("category:  纳税服务 / 办税服务厅"))
        #expect(shown.output.contains("caller:    李四"))
        let json = try sandbox.run(["workorders", "show", number, "--json"])
        let order = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(order["summary"] as? String == "办税服务厅排队过久")
        let missing = try sandbox.run(["workorders", "show", "GD2026-999999"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("no work order 'GD2026-999999'"))
        let badStatus = try sandbox.run(["workorders", "list", "--status", "sleeping"])
        #expect(badStatus.status != 0)
    }

    @Test("kb import DIR and kb search: counts, new versions, bad files named with their line, ranked hits")
    func knowledgeBase() throws {
        let sandbox = Sandbox()
        defer { sandbox.remove() }
        let articles = sandbox.directory.appendingPathComponent("kb")
        try FileManager.default.createDirectory(at: articles.appendingPathComponent("guides"), withIntermediateDirectories: true)
        let vat = """
            ---
            title: 小规模纳税人月销售额10万元以下免征增值税
            category: 税收政策
            tags: [增值税, 小规模纳税人]
            effective_from: 2026-01-01
            effective_until: 2027-12-31
            ---
            月销售额未超过10万元的，**免征**增值税。
            """
        try vat.write(to: articles.appendingPathComponent("vat-small.md"), atomically: true, encoding: .utf8)
        try """
            ---
            title: 电子税务局开具发票操作指南
            category: 办税指南
            tags: [发票, 电子税务局]
            effective_from: 2025-06-01
            ---
            登录电子税务局，进入"我要办税—发票使用—开票业务"。
            """.write(to: articles.appendingPathComponent("guides/invoice.md"), atomically: true, encoding: .utf8)
        try """
            ---
            id: notice-2026-01
            title: 关于春节期间办税服务厅开放时间的公告
            category: announcement
            effective_from: 2026-01-20
            ---
            <p>春节期间办税服务厅<b>暂停</b>开放，可通过电子税务局办理。</p>
            """.write(to: articles.appendingPathComponent("notice.html"), atomically: true, encoding: .utf8)

        let imported = try sandbox.run(["kb", "import", articles.path])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.output.contains("imported 3 files: 3 new, 0 with a new version, 0 unchanged"))
        #expect(try sandbox.run(["kb", "import", articles.path]).output.contains("3 files: 0 new, 0 with a new version, 3 unchanged"))
        try vat.replacingOccurrences(of: "10万元", with: "15万元").write(to: articles.appendingPathComponent("vat-small.md"), atomically: true, encoding: .utf8)
        #expect(try sandbox.run(["kb", "import", articles.path]).output.contains("3 files: 0 new, 1 with a new version, 2 unchanged"))

        try "---\ntitle: 杂项\ncategory: 杂项\neffective_from: 2026-01-01\n---\n正文\n".write(
            to: articles.appendingPathComponent("bad.md"), atomically: true, encoding: .utf8)
        let bad = try sandbox.run(["kb", "import", articles.path])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.error.contains("bad.md:3:"), "\(bad)")
        #expect(bad.error.contains("nothing was imported"))
        try FileManager.default.removeItem(at: articles.appendingPathComponent("bad.md"))

        let hits = try sandbox.run(["kb", "search", "增值税", "--date", "2026-06-01"])
        #expect(hits.status == 0)
        #expect(hits.output.hasPrefix("vat-small v2  [taxPolicy]  小规模纳税人月销售额15万元以下免征增值税"), "\(hits)")
        let oneCharacter = try sandbox.run(["kb", "search", "票", "--date", "2026-06-01", "--json"])
        let found = try #require(try JSONSerialization.jsonObject(with: Data(oneCharacter.output.utf8)) as? [[String: Any]], "\(oneCharacter)")
        #expect(found.compactMap { $0["articleID"] as? String } == ["guides/invoice"] || found.compactMap { $0["articleID"] as? String } == ["invoice"])
        let expired = try sandbox.run(["kb", "search", "增值税", "--date", "2028-01-01"])
        #expect(expired.output.contains("no article in force on 2028-01-01 matches '增值税'"), "\(expired)")
        let badDate = try sandbox.run(["kb", "search", "增值税", "--date", "2026-13-01"])
        #expect(badDate.status == 1)
        #expect(badDate.error.contains("--date '2026-13-01' is not a YYYY-MM-DD date"))
        let missingDirectory = try sandbox.run(["kb", "import", sandbox.directory.appendingPathComponent("nowhere").path])
        #expect(missingDirectory.status == 1)
    }
}
