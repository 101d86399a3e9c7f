import GRDB

extension HotlineDatabase {
    /// The search-index migrations, appended after the casework ones. Shipped migrations are never
    /// edited.
    ///
    /// - Parameter migrator: The migrator to register them with.
    static func registerSearchMigrations(in migrator: inout DatabaseMigrator) {
        // The trigram index over all text made about 100 tokens per record, the import's largest
        // cost, and its digit trigrams (1,000 values) long posting lists for phone fragments. Queries
        // of three or more characters now use the unigram/bigram index (Chinese) or the new index
        // of four-character windows of numbers, phones and other ASCII runs (see SearchDocument).
        migrator.registerMigration("2026-12-04 search: four-character code index replaces the trigram index") { db in
            try db.execute(sql: """
                DROP TABLE taxpayer_trigram;
                CREATE VIRTUAL TABLE taxpayer_code USING fts5(
                    text, tokenize = 'ascii', content = '', detail = 'none');
                INSERT INTO taxpayer_code (taxpayer_code, rank) VALUES ('hashsize', 33554432);
                """)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, number, phone, mobile, name, enterprise_name, legal_representative, region, address,
                building, floor, room FROM taxpayer ORDER BY id
                """)
            let insert = try db.makeStatement(sql: "INSERT INTO taxpayer_code (rowid, text) VALUES (?, ?)")
            while let row = try rows.next() {
                let fields = (1...11).compactMap { row[$0] as String? }
                try insert.execute(arguments: [row[0] as Int64, SearchDocument.codeGrams(fields)])
            }
        }
    }
}
