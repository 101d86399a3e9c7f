import ArgumentParser
import Foundation
import GRDB
import HotlineCore
import HotlineSQLite

/// `hotline bench search`: search latency percentiles on the data directory's taxpayers.
struct BenchSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Measure taxpayer search latency (p50/p99) for 1-, 2-, 3+-character Chinese queries, digit fragments and exact matches."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Queries per kind.") var queries = 500
    @Option(help: "Results per query.") var limit = 20
    @Option(help: "Random seed for picking queries.") var seed: UInt64 = 1
    @Option(help: "Also list this many slowest queries of each kind.") var slowest = 0

    func run() async throws {
        let database = try global.openDatabase()
        let count = try await database.taxpayerCount()
        guard count > 0 else {
            printError("no taxpayers in \(global.dataDirectory.path); run 'hotline bench import' or 'hotline demo-data' first")
            throw ExitCode(1)
        }
        let maxID = try await database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM taxpayer") ?? 0 }
        var random = SplitMix64(seed: seed)
        var kinds: [(String, [String])] = [
            ("1 Chinese character", []), ("2 Chinese characters", []), ("3-4 Chinese characters", []),
            ("phone fragment (4-7 digits)", []), ("taxpayer-number fragment (6)", []), ("exact taxpayer number", []),
            ("exact mobile", []), ("no match (3 characters)", []),
        ]
        for _ in 0..<queries {
            let id = Int64(random.next() % UInt64(maxID)) + 1
            guard let row = try database.pool.read({ db in
                try Row.fetchOne(db, sql: "SELECT name, enterprise_name, address, number, mobile FROM taxpayer WHERE id >= ? LIMIT 1",
                                 arguments: [id])
            }) else { continue }
            let name = Array((row["name"] as String?) ?? "")
            let enterprise = Array((row["enterprise_name"] as String?) ?? (row["address"] as String?) ?? "")
            let number = Array((row["number"] as String?) ?? "")
            let mobile = Array((row["mobile"] as String?) ?? "")
            func slice(_ characters: [Character], length: Int) -> String {
                guard characters.count >= length else { return String(characters) }
                let start = Int(random.next() % UInt64(characters.count - length + 1))
                return String(characters[start..<(start + length)])
            }
            kinds[0].1.append(slice(name, length: 1))
            kinds[1].1.append(slice(name.count >= 2 ? name : enterprise, length: 2))
            kinds[2].1.append(slice(enterprise, length: 3 + Int(random.next() % 2)))
            if !mobile.isEmpty { kinds[3].1.append(slice(mobile, length: 4 + Int(random.next() % 4))) }
            kinds[4].1.append(slice(number, length: 6))
            kinds[5].1.append(String(number))
            if !mobile.isEmpty { kinds[6].1.append(String(mobile)) }
            kinds[7].1.append(["龘靐齉", "鱻麤猋", "嫑勥巭"][Int(random.next() % 3)])
        }
        print("\(count) taxpayers, \(queries) queries per kind, limit \(limit)")
        print("kind                              p50 ms   p99 ms   max ms   avg hits")
        for (kind, list) in kinds where !list.isEmpty {
            var times: [Double] = []
            var timed: [(Double, String)] = []
            var hits = 0
            for query in list {
                let start = DispatchTime.now().uptimeNanoseconds
                hits += try await database.search(query, limit: limit).count
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
                timed.append((times[times.count - 1], query))
            }
            times.sort()
            let p50 = times[times.count / 2], p99 = times[min(times.count - 1, times.count * 99 / 100)]
            print(kind.padding(toLength: 32, withPad: " ", startingAt: 0)
                  + String(format: "%9.2f%9.2f%9.2f%11.1f", p50, p99, times.last ?? 0, Double(hits) / Double(list.count)))
            for (time, query) in timed.sorted(by: { $0.0 > $1.0 }).prefix(slowest) {
                print("    " + String(format: "%8.2f ms  ", time) + query)
            }
        }
    }
}
