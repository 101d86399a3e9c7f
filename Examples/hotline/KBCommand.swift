public import ArgumentParser
import Foundation
import HotlineCore
import HotlineSQLite

/// `hotline kb …`: import and search the knowledge base.
struct KBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "Import and search the knowledge base.",
        subcommands: [KBImport.self, KBSearch.self]
    )
}

extension KnowledgeArticle.Category: ExpressibleByArgument {}

struct KBImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import Markdown (.md) and HTML (.html) articles with front matter from a directory (recursively).",
        discussion: """
            Front matter keys: id (default: the file name), title, category, tags, effective_from, effective_until, author. \
            A file whose text or dates differ from the stored article's latest version adds a new version. \
            Bad files are listed as FILE:LINE: reason and nothing is imported (exit code 1). See Docs/Casework.md.
            """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The directory of articles.") var directory: String

    func run() async throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            printError("\(directory) is not a readable directory")
            throw ExitCode(1)
        }
        let extensions: Set<String> = ["md", "markdown", "html", "htm"]
        var files: [URL] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension.lowercased()) { files.append(url) }
        files.sort { $0.path < $1.path }
        let now = Date()
        var parsed: [(KnowledgeArticle, String)] = []
        var problems: [KnowledgeImportError] = []
        var seen: [String: String] = [:]
        for url in files {
            let relative = String(url.path.dropFirst(root.path.count).drop { $0 == "/" })
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append(KnowledgeImportError(file: relative, line: 1, message: "cannot read the file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                problems.append(KnowledgeImportError(file: relative, line: 1, message: "not UTF-8 text"))
                continue
            }
            do {
                let article = try KnowledgeArticleFile.parse(text, fileName: relative, at: now)
                if let other = seen[article.id] {
                    problems.append(KnowledgeImportError(file: relative, line: 1, message: "id '\(article.id)' is also used by \(other)"))
                    continue
                }
                seen[article.id] = relative
                parsed.append((article, relative))
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            printError("\(problems.count) of \(files.count) files have problems; nothing was imported")
            throw ExitCode(1)
        }
        let database = try global.openDatabase()
        var toSave: [KnowledgeArticle] = []
        var counts = (new: 0, updated: 0, unchanged: 0)
        for (article, _) in parsed {
            switch KnowledgeArticleFile.merge(article, into: try await database.article(article.id)) {
            case .new(let merged): counts.new += 1; toSave.append(merged)
            case .newVersion(let merged): counts.updated += 1; toSave.append(merged)
            case .unchanged(let merged): counts.unchanged += 1; toSave.append(merged)
            }
        }
        try await database.save(toSave, at: now)
        print("imported \(files.count) files: \(counts.new) new, \(counts.updated) with a new version, \(counts.unchanged) unchanged")
    }
}

struct KBSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search articles in force on a day (one Chinese character is enough; all words must occur)."
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "What to look for.") var query: String
    @Option(help: ArgumentHelp("The day the answer must be in force on (default: today).", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: "Only this category.") var category: KnowledgeArticle.Category?
    @Option(help: "The most results to show.") var limit = 10
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let day: LocalDate
        if let date {
            guard let parsed = LocalDate(date) else {
                printError("--date '\(date)' is not a YYYY-MM-DD date")
                throw ExitCode(1)
            }
            day = parsed
        } else {
            day = LocalDate.today()
        }
        let database = try global.openDatabase()
        let hits = try await database.search(query, inForceOn: day, category: category, limit: max(1, limit))
        if json { return try printCaseworkJSON(hits) }
        for hit in hits {
            print("\(hit.articleID) v\(hit.versionNumber)  [\(hit.category.rawValue)]  \(hit.title)")
            print("    \(hit.snippet)")
        }
        if hits.isEmpty { print("no article in force on \(day) matches '\(query)'") }
    }
}
