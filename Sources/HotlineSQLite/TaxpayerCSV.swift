public import HotlineCore

/// The CSV layout of taxpayer files: column names in English and Chinese, how a row becomes a
/// ``Taxpayer`` and back.
public enum TaxpayerCSV {
    /// A column of the taxpayer CSV format.
    public struct Column: Sendable, Hashable {
        /// The English header (canonical, used by exports).
        public let name: String
        /// Chinese headers accepted for the column, the first one canonical.
        public let chineseNames: [String]
    }

    /// The columns in export order. `custom.<key>` (`自定义.<key>`) columns come after them.
    public static let columns: [Column] = [
        Column(name: "taxpayer_number", chineseNames: ["纳税人识别号", "统一社会信用代码"]),
        Column(name: "name", chineseNames: ["名称", "纳税人名称", "姓名"]),
        Column(name: "kind", chineseNames: ["类型", "纳税人类型"]),
        Column(name: "enterprise_name", chineseNames: ["企业名称"]),
        Column(name: "legal_representative", chineseNames: ["法定代表人"]),
        Column(name: "phone", chineseNames: ["固定电话", "电话"]),
        Column(name: "mobile", chineseNames: ["手机", "手机号码"]),
        Column(name: "email", chineseNames: ["电子邮箱", "邮箱"]),
        Column(name: "region", chineseNames: ["地区", "所属地区"]),
        Column(name: "address", chineseNames: ["地址"]),
        Column(name: "building", chineseNames: ["楼栋", "楼"]),
        Column(name: "floor", chineseNames: ["楼层", "层"]),
        Column(name: "room", chineseNames: ["房间", "室"]),
        Column(name: "bank_name", chineseNames: ["开户银行"]),
        Column(name: "bank_account", chineseNames: ["银行账号"]),
        Column(name: "category", chineseNames: ["类别", "纳税人类别"]),
        Column(name: "tax_office", chineseNames: ["主管税务机关"]),
        Column(name: "assigned_agent", chineseNames: ["专属坐席"]),
        Column(name: "pin", chineseNames: ["查询密码"]),
        Column(name: "pin_hash", chineseNames: ["查询密码散列"]),
    ]

    /// Chinese spellings accepted in the `kind` column.
    public static let chineseKinds: [String: Taxpayer.Kind] = ["企业": .enterprise, "单位": .enterprise, "个人": .individual,
                                                               "自然人": .individual, "个体工商户": .individualBusiness]
    /// Chinese spellings accepted in the `category` column.
    public static let chineseCategories: [String: Taxpayer.Category] = ["普通": .ordinary, "VIP": .vip, "贵宾": .vip,
                                                                      "重点企业": .keyEnterprise, "重点税源企业": .keyEnterprise,
                                                                      "集团成员": .groupMember]

    /// How the columns of one file map to fields.
    public struct Header: Sendable {
        /// Canonical column name per position (`nil`: an empty, ignored column).
        public var columns: [String?]
        /// Header problems (unknown or repeated columns, missing required ones).
        public var problems: [ImportProblem]

        /// The position of a canonical column.
        func index(of name: String) -> Int? { columns.firstIndex(of: name) }
    }

    /// Reads a header row.
    ///
    /// - Parameters:
    ///   - fields: The header's fields.
    ///   - line: Its line number.
    /// - Returns: The mapping, with any problems.
    public static func header(_ fields: [String], line: Int) -> Header {
        var mapped: [String?] = []
        var problems: [ImportProblem] = []
        var byName: [String: String] = [:]
        for column in columns {
            byName[column.name] = column.name
            for chinese in column.chineseNames { byName[chinese] = column.name }
        }
        for raw in fields {
            let field = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace })
            if field.isEmpty { mapped.append(nil); continue }
            let lower = field.lowercased()
            var name: String?
            if let known = byName[lower] ?? byName[field] {
                name = known
            } else if lower.hasPrefix("custom.") || field.hasPrefix("自定义.") {
                let key = lower.hasPrefix("custom.") ? String(field.dropFirst(7)) : String(field.dropFirst(4))
                if Taxpayer.isValidCustomFieldKey(key) {
                    name = "custom." + key
                } else {
                    problems.append(ImportProblem(line: line, column: raw, reason: "custom field key must be letters, digits, '_' or '-'"))
                }
            } else {
                problems.append(ImportProblem(line: line, column: raw, reason: "unknown column (see Docs/SQLite.md for the column names)"))
            }
            if let name, mapped.contains(name) {
                problems.append(ImportProblem(line: line, column: raw, reason: "column appears twice"))
                mapped.append(nil)
            } else {
                mapped.append(name)
            }
        }
        for required in ["taxpayer_number", "name"] where !mapped.contains(required) {
            problems.append(ImportProblem(line: line, column: required, reason: "required column is missing"))
        }
        return Header(columns: mapped, problems: problems)
    }

    /// Turns one data row into a taxpayer.
    ///
    /// - Parameters:
    ///   - fields: The row's fields.
    ///   - line: Its line number.
    ///   - header: The file's header.
    ///   - hashPIN: Hashes a plain-text `pin` value.
    /// - Returns: The taxpayer, or every problem found in the row.
    public static func taxpayer(
        from fields: [String], line: Int, header: Header, hashPIN: (String) throws(PINError) -> PINHash
    ) -> Result<Taxpayer, ImportFailure> {
        var problems: [ImportProblem] = []
        if fields.count != header.columns.count && !(fields.count == 1 && fields[0].isEmpty) {
            problems.append(ImportProblem(line: line, column: nil,
                reason: "row has \(fields.count) fields but the header has \(header.columns.count)"))
            return .failure(ImportFailure(problems: problems))
        }
        var values: [String: String] = [:]
        values.reserveCapacity(header.columns.count)
        var custom: [String: String] = [:]
        for (index, column) in header.columns.enumerated() {
            guard let column, index < fields.count else { continue }
            let value = fields[index].trimmingCharacters()
            guard !value.isEmpty else { continue }
            if column.hasPrefix("custom.") { custom[String(column.dropFirst(7))] = value } else { values[column] = value }
        }
        func problem(_ column: String, _ reason: String) {
            problems.append(ImportProblem(line: line, column: column, reason: reason))
        }

        var number: TaxpayerNumber?
        if let text = values["taxpayer_number"] {
            switch TaxpayerNumber.validate(text) {
            case .success(let valid): number = valid
            case .failure(let error): problem("taxpayer_number", "'\(text)': \(error.description)")
            }
        } else {
            problem("taxpayer_number", "taxpayer number is empty")
        }
        let name = values["name"] ?? ""
        if name.isEmpty { problem("name", "name is empty") }

        var kind: Taxpayer.Kind?
        if let text = values["kind"] {
            kind = Taxpayer.Kind(rawValue: text.lowercased()) ?? chineseKinds[text]
            if kind == nil { problem("kind", "'\(text)' is not enterprise, individual or individual_business") }
        }
        var category = Taxpayer.Category.ordinary
        if let text = values["category"] {
            if let known = Taxpayer.Category(rawValue: text.lowercased()) ?? chineseCategories[text.uppercased()] ?? chineseCategories[text] {
                category = known
            } else {
                problem("category", "'\(text)' is not ordinary, vip, key_enterprise or group_member")
            }
        }
        func phone(_ column: String) -> PhoneNumber? {
            guard let text = values[column] else { return nil }
            do { return try PhoneNumber(text) } catch {
                problem(column, "'\(text)': \(error.description)")
                return nil
            }
        }
        if let email = values["email"], !Taxpayer.isPlausibleEmail(email) {
            problem("email", "'\(email)' is not an e-mail address")
        }
        let landline = phone("phone")
        let mobile = phone("mobile")
        var pinHash: PINHash?
        if let stored = values["pin_hash"] {
            do { pinHash = try PINHash(stored: stored) } catch { problem("pin_hash", error.description) }
        }
        if let pin = values["pin"] {
            do { pinHash = try hashPIN(pin) } catch { problem("pin", error.description) }
        }
        guard let number, problems.isEmpty else {
            // Report in the file's column order.
            let order = Dictionary(header.columns.enumerated().compactMap { entry in entry.element.map { ($0, entry.offset) } },
                                   uniquingKeysWith: { first, _ in first })
            let sorted = problems.enumerated().sorted { left, right in
                let l = order[left.element.column ?? ""] ?? Int.max, r = order[right.element.column ?? ""] ?? Int.max
                return l != r ? l < r : left.offset < right.offset
            }.map(\.element)
            return .failure(ImportFailure(problems: sorted))
        }

        let taxpayer = Taxpayer(
            number: number, name: name, kind: kind ?? (number.kind == .residentIdentity ? .individual : .enterprise),
            enterpriseName: values["enterprise_name"], legalRepresentative: values["legal_representative"],
            phone: landline, mobile: mobile, email: values["email"], region: values["region"], address: values["address"],
            building: values["building"], floor: values["floor"], room: values["room"], bankName: values["bank_name"],
            bankAccount: values["bank_account"], category: category, taxOffice: values["tax_office"],
            assignedAgent: values["assigned_agent"], pinHash: pinHash, customFields: custom)
        let recordProblems = taxpayer.problems()
        if !recordProblems.isEmpty {
            return .failure(ImportFailure(problems: recordProblems.map { ImportProblem(line: line, column: $0.field, reason: $0.reason) }))
        }
        return .success(taxpayer)
    }

    /// The export header for a set of custom field keys.
    ///
    /// - Parameter customKeys: The custom keys to include, sorted.
    /// - Returns: The header fields.
    public static func exportHeader(customKeys: [String]) -> [String] {
        columns.filter { $0.name != "pin" }.map(\.name) + customKeys.map { "custom." + $0 }
    }

    /// A taxpayer as an export row matching ``exportHeader(customKeys:)``.
    ///
    /// - Parameters:
    ///   - taxpayer: The record.
    ///   - customKeys: The custom keys of the header.
    /// - Returns: The fields.
    public static func exportRow(_ taxpayer: Taxpayer, customKeys: [String]) -> [String] {
        [
            taxpayer.number.value, taxpayer.name, taxpayer.kind.rawValue, taxpayer.enterpriseName ?? "",
            taxpayer.legalRepresentative ?? "", taxpayer.phone?.description ?? "", taxpayer.mobile?.description ?? "",
            taxpayer.email ?? "", taxpayer.region ?? "", taxpayer.address ?? "", taxpayer.building ?? "",
            taxpayer.floor ?? "", taxpayer.room ?? "", taxpayer.bankName ?? "", taxpayer.bankAccount ?? "",
            taxpayer.category.rawValue, taxpayer.taxOffice ?? "", taxpayer.assignedAgent ?? "",
            taxpayer.pinHash?.description ?? "",
        ] + customKeys.map { taxpayer.customFields[$0] ?? "" }
    }
}

/// The CSV layout of tax bill files.
public enum TaxBillCSV {
    /// The columns: English name and accepted Chinese names.
    public static let columns: [TaxpayerCSV.Column] = [
        TaxpayerCSV.Column(name: "taxpayer_number", chineseNames: ["纳税人识别号"]),
        TaxpayerCSV.Column(name: "period", chineseNames: ["所属期", "税款所属期"]),
        TaxpayerCSV.Column(name: "tax_type", chineseNames: ["税种"]),
        TaxpayerCSV.Column(name: "amount_due", chineseNames: ["应纳税额", "应缴金额"]),
        TaxpayerCSV.Column(name: "amount_paid", chineseNames: ["已缴税额", "已缴金额"]),
        TaxpayerCSV.Column(name: "due_date", chineseNames: ["缴款期限", "截止日期"]),
    ]

    /// Reads a header row.
    ///
    /// - Parameters:
    ///   - fields: The header's fields.
    ///   - line: Its line number.
    /// - Returns: The mapping, with any problems.
    public static func header(_ fields: [String], line: Int) -> TaxpayerCSV.Header {
        var byName: [String: String] = [:]
        for column in columns {
            byName[column.name] = column.name
            for chinese in column.chineseNames { byName[chinese] = column.name }
        }
        var mapped: [String?] = []
        var problems: [ImportProblem] = []
        for raw in fields {
            let field = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace })
            if field.isEmpty { mapped.append(nil); continue }
            guard let name = byName[field.lowercased()] ?? byName[field] else {
                problems.append(ImportProblem(line: line, column: raw, reason: "unknown column (see Docs/SQLite.md for the column names)"))
                mapped.append(nil)
                continue
            }
            if mapped.contains(name) {
                problems.append(ImportProblem(line: line, column: raw, reason: "column appears twice"))
                mapped.append(nil)
            } else {
                mapped.append(name)
            }
        }
        for column in columns where column.name != "amount_paid" && !mapped.contains(column.name) {
            problems.append(ImportProblem(line: line, column: column.name, reason: "required column is missing"))
        }
        return TaxpayerCSV.Header(columns: mapped, problems: problems)
    }

    /// Turns one data row into a bill.
    ///
    /// - Parameters:
    ///   - fields: The row's fields.
    ///   - line: Its line number.
    ///   - header: The file's header.
    /// - Returns: The bill, or every problem found in the row.
    public static func bill(from fields: [String], line: Int, header: TaxpayerCSV.Header) -> Result<TaxBill, ImportFailure> {
        guard fields.count == header.columns.count else {
            return .failure(ImportFailure(problems: [ImportProblem(line: line, column: nil,
                reason: "row has \(fields.count) fields but the header has \(header.columns.count)")]))
        }
        var values: [String: String] = [:]
        for (index, column) in header.columns.enumerated() {
            guard let column else { continue }
            let value = fields[index].trimmingCharacters()
            if !value.isEmpty { values[column] = value }
        }
        var problems: [ImportProblem] = []
        func problem(_ column: String, _ reason: String) { problems.append(ImportProblem(line: line, column: column, reason: reason)) }
        var number: TaxpayerNumber?
        switch TaxpayerNumber.validate(values["taxpayer_number"] ?? "") {
        case .success(let valid): number = valid
        case .failure(let error): problem("taxpayer_number", "'\(values["taxpayer_number"] ?? "")': \(error.description)")
        }
        let period = BillingPeriod(values["period"] ?? "")
        if period == nil { problem("period", "'\(values["period"] ?? "")' is not a month YYYY-MM") }
        let taxType = values["tax_type"] ?? ""
        if taxType.isEmpty { problem("tax_type", "tax type is empty") }
        func money(_ column: String, required: Bool) -> Money? {
            guard let text = values[column] else {
                if required { problem(column, "amount is empty") }
                return required ? nil : .zero
            }
            do {
                let amount = try Money(yuan: text)
                if amount < .zero { problem(column, "'\(text)' is negative"); return nil }
                return amount
            } catch {
                problem(column, error.description)
                return nil
            }
        }
        let due = money("amount_due", required: true)
        let paid = money("amount_paid", required: false)
        let dueDate = LocalDate(values["due_date"] ?? "")
        if dueDate == nil { problem("due_date", "'\(values["due_date"] ?? "")' is not a date YYYY-MM-DD") }
        guard problems.isEmpty, let number, let period, let due, let paid, let dueDate else { return .failure(ImportFailure(problems: problems)) }
        return .success(TaxBill(taxpayerNumber: number, period: period, taxType: taxType, amountDue: due,
                                amountPaid: paid, dueDate: dueDate))
    }

    /// The export header.
    public static var exportHeader: [String] { columns.map(\.name) }

    /// A bill as an export row.
    ///
    /// - Parameter bill: The bill.
    /// - Returns: The fields.
    public static func exportRow(_ bill: TaxBill) -> [String] {
        [bill.taxpayerNumber.value, bill.period.description, bill.taxType, bill.amountDue.yuanText,
         bill.amountPaid.yuanText, bill.dueDate.description]
    }
}

/// One thing wrong in an imported file, naming the line and column.
public struct ImportProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 1-based line of the file (the line where the record starts).
    public var line: Int
    /// The column's name, when the problem is in one column.
    public var column: String?
    /// What is wrong.
    public var reason: String

    /// Creates a problem report.
    ///
    /// - Parameters:
    ///   - line: The line.
    ///   - column: The column.
    ///   - reason: What is wrong.
    public init(line: Int, column: String?, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `line 17, column phone: reason`.
    public var description: String {
        if let column { return "line \(line), column \(column): \(reason)" }
        return "line \(line): \(reason)"
    }
}

/// An import that was refused, with every problem found (all-or-nothing mode), or one row's problems.
public struct ImportFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in file order.
    public var problems: [ImportProblem]

    /// Creates a failure.
    ///
    /// - Parameter problems: The problems.
    public init(problems: [ImportProblem]) { self.problems = problems }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension String {
    func trimmingCharacters() -> String {
        // Fast path: nothing to trim at either end in ASCII terms.
        if let first = utf8.first, let last = utf8.last, first > 32, first < 128, last > 32, last < 128 { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.isWhiteSpace }),
              let end = scalars.lastIndex(where: { !$0.isWhiteSpace }) else { return "" }
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex { return self }
        return String(scalars[start...end])
    }
}

extension Unicode.Scalar {
    /// The Unicode `White_Space` property (`properties.isWhitespace`), from its fixed list of 25
    /// code points without a table lookup.
    var isWhiteSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
