public import Foundation
import GRDB
public import HotlineCore

extension HotlineDatabase: WorkOrderStore {
    static func encodeDocument(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeDocument<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StorageError.corruptRecord("\(what): \(error)")
        }
    }

    static func insertEvents(_ events: [RecordedEvent], in db: Database) throws {
        for event in events {
            try db.cachedStatement(sql: "INSERT INTO event (type, occurred_at, subject, payload) VALUES (?, ?, ?, ?)")
                .execute(arguments: [event.type, event.occurredAt.timeIntervalSince1970, event.subject, event.payload])
        }
    }

    static func workOrderValues(_ order: WorkOrder) throws -> StatementArguments {
        [order.id, order.number, order.kind.rawValue, order.status.rawValue, order.priority.rawValue, order.channel.rawValue,
         order.taxpayerNumber?.value, order.assignee?.kind.rawValue, order.assignee?.id, order.summary, order.createdBy,
         order.createdAt.timeIntervalSince1970, order.updatedAt.timeIntervalSince1970, order.dueAt?.timeIntervalSince1970,
         order.version, try encodeDocument(order)]
    }

    static func replaceLinks(of order: WorkOrder, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM work_order_link WHERE work_order_id = ?").execute(arguments: [order.id])
        for link in Set(order.links) {
            try db.cachedStatement(sql: "INSERT INTO work_order_link (work_order_id, kind, reference) VALUES (?, ?, ?)")
                .execute(arguments: [order.id, link.kind.rawValue, link.reference])
        }
    }

    /// The next work-order number from the database's sequence.
    ///
    /// - Parameter now: The time (its year goes into the number).
    /// - Returns: E.g. `GD2026-000124`.
    /// - Throws: SQLite errors.
    public func nextNumber(at now: Date) async throws -> String {
        let value = try await pool.write { db in
            try db.execute(sql: "UPDATE work_order_sequence SET value = value + 1 WHERE id = 1")
            return try Int64.fetchOne(db, sql: "SELECT value FROM work_order_sequence WHERE id = 1") ?? 0
        }
        return WorkOrderNumber.format(sequence: value, at: now)
    }

    /// Inserts a new order and its events in one transaction.
    ///
    /// - Parameters:
    ///   - order: The order.
    ///   - events: Its events.
    /// - Throws: ``WorkOrderError/invalidField(_:_:)`` for a duplicate id or number, or SQLite errors.
    public func create(_ order: WorkOrder, events: [RecordedEvent]) async throws {
        try await pool.write { db in
            let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM work_order WHERE id = ? OR number = ?)",
                                           arguments: [order.id, order.number]) ?? false
            guard !exists else { throw WorkOrderError.invalidField("id", "'\(order.id)' or number '\(order.number)' already exists") }
            try db.cachedStatement(sql: """
                INSERT INTO work_order (id, number, kind, status, priority, channel, taxpayer_number, assignee_kind, assignee_id,
                    summary, created_by, created_at, updated_at, due_at, version, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: try Self.workOrderValues(order))
            try Self.replaceLinks(of: order, in: db)
            try Self.insertEvents(events, in: db)
        }
    }

    /// Replaces an order if its stored version is `expectedVersion`, with its events, in one transaction.
    ///
    /// - Parameters:
    ///   - order: The changed order.
    ///   - expectedVersion: The version it was read at.
    ///   - events: Events of the change.
    /// - Throws: ``WorkOrderError/versionConflict(expected:actual:)``, ``WorkOrderError/notFound(_:)``, or SQLite errors.
    public func update(_ order: WorkOrder, expectedVersion: Int, events: [RecordedEvent]) async throws {
        try await pool.write { db in
            guard let current = try Int.fetchOne(db, sql: "SELECT version FROM work_order WHERE id = ?", arguments: [order.id]) else {
                throw WorkOrderError.notFound(order.id)
            }
            guard current == expectedVersion else { throw WorkOrderError.versionConflict(expected: expectedVersion, actual: current) }
            var arguments = try Self.workOrderValues(order)
            arguments += [order.id]
            try db.cachedStatement(sql: """
                UPDATE work_order SET id = ?, number = ?, kind = ?, status = ?, priority = ?, channel = ?, taxpayer_number = ?,
                    assignee_kind = ?, assignee_id = ?, summary = ?, created_by = ?, created_at = ?, updated_at = ?, due_at = ?,
                    version = ?, document = ?
                WHERE id = ?
                """).execute(arguments: arguments)
            try Self.replaceLinks(of: order, in: db)
            try Self.insertEvents(events, in: db)
        }
    }

    /// The order with an identifier or number.
    ///
    /// - Parameter idOrNumber: Identifier or number.
    /// - Returns: The order, or `nil`.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func workOrder(_ idOrNumber: String) async throws -> WorkOrder? {
        try await pool.read { db in
            guard let document = try String.fetchOne(db, sql: "SELECT document FROM work_order WHERE id = ?1 OR number = ?1",
                                                     arguments: [idOrNumber]) else { return nil }
            return try Self.decodeDocument(WorkOrder.self, document, what: "work order \(idOrNumber)")
        }
    }

    /// Orders matching a query, newest first.
    ///
    /// - Parameter query: The filter and page.
    /// - Returns: The orders.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func workOrders(_ query: WorkOrderQuery) async throws -> [WorkOrder] {
        var clauses: [String] = []
        var arguments = StatementArguments()
        if !query.statuses.isEmpty {
            clauses.append("status IN (\(databaseQuestionMarks(count: query.statuses.count)))")
            arguments += StatementArguments(query.statuses.map(\.rawValue).sorted())
        }
        if !query.kinds.isEmpty {
            clauses.append("kind IN (\(databaseQuestionMarks(count: query.kinds.count)))")
            arguments += StatementArguments(query.kinds.map(\.rawValue).sorted())
        }
        if let assignee = query.assignee {
            clauses.append("assignee_kind = ? AND assignee_id = ?")
            arguments += [assignee.kind.rawValue, assignee.id]
        }
        if let taxpayer = query.taxpayerNumber {
            clauses.append("taxpayer_number = ?")
            arguments += [taxpayer.value]
        }
        if let dueBefore = query.dueBefore {
            clauses.append("due_at <= ?")
            arguments += [dueBefore.timeIntervalSince1970]
        }
        if let before = query.beforeNumber {
            clauses.append("number < ?")
            arguments += [before]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [query.limit]
        let sql = "SELECT document FROM work_order \(whereClause) ORDER BY number DESC LIMIT ?"
        let bound = arguments
        return try await pool.read { db in
            try String.fetchAll(db, sql: sql, arguments: bound).map {
                try Self.decodeDocument(WorkOrder.self, $0, what: "work order")
            }
        }
    }

    /// Orders linked to a call, recording, voicemail, fax or e-mail.
    ///
    /// - Parameter link: The linked item.
    /// - Returns: The orders, newest first.
    /// - Throws: SQLite errors or ``StorageError/corruptRecord(_:)``.
    public func workOrders(linkedTo link: WorkOrder.Link) async throws -> [WorkOrder] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT w.document FROM work_order_link l JOIN work_order w ON w.id = l.work_order_id
                WHERE l.kind = ? AND l.reference = ? ORDER BY w.number DESC
                """, arguments: [link.kind.rawValue, link.reference]).map {
                try Self.decodeDocument(WorkOrder.self, $0, what: "work order")
            }
        }
    }
}
