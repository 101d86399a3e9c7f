public import Foundation
public import HotlineCore
import GRDB

/// Realistic, entirely fictitious Chinese taxpayers, bills and contact history, with valid check
/// characters, generated deterministically from a seed (same seed, same data).
public struct DemoData: Sendable {
    /// The PIN given to the demo taxpayers that have one (see ``pinCount``).
    public static let demoPIN = "123456"

    /// The seed.
    public var seed: UInt64
    /// The day bills and history are relative to.
    public var today: LocalDate
    /// How many of the first taxpayers get the PIN ``demoPIN`` (hashing is deliberately slow).
    public var pinCount: Int
    /// PBKDF2 iterations for the demo PINs.
    public var pinIterations: Int

    /// Creates a generator.
    ///
    /// - Parameters:
    ///   - seed: The seed.
    ///   - today: The day bills and contact history are relative to.
    ///   - pinCount: How many taxpayers get a PIN.
    ///   - pinIterations: PBKDF2 iterations for their hashes.
    public init(seed: UInt64 = 12366, today: LocalDate, pinCount: Int = 20, pinIterations: Int = PINHash.defaultIterations) {
        self.seed = seed
        self.today = today
        self.pinCount = pinCount
        self.pinIterations = pinIterations
    }

    struct Place {
        let province: String, city: String, district: String, division: String, areaCode: String, office: String
    }

    static let places: [Place] = [
        Place(province: "北京市", city: "", district: "朝阳区", division: "110105", areaCode: "10", office: "国家税务总局北京市朝阳区税务局"),
        Place(province: "北京市", city: "", district: "海淀区", division: "110108", areaCode: "10", office: "国家税务总局北京市海淀区税务局"),
        Place(province: "上海市", city: "", district: "浦东新区", division: "310115", areaCode: "21", office: "国家税务总局上海市浦东新区税务局"),
        Place(province: "上海市", city: "", district: "徐汇区", division: "310104", areaCode: "21", office: "国家税务总局上海市徐汇区税务局"),
        Place(province: "广东省", city: "广州市", district: "天河区", division: "440106", areaCode: "20", office: "国家税务总局广州市天河区税务局"),
        Place(province: "广东省", city: "深圳市", district: "南山区", division: "440305", areaCode: "755", office: "国家税务总局深圳市南山区税务局"),
        Place(province: "浙江省", city: "杭州市", district: "西湖区", division: "330106", areaCode: "571", office: "国家税务总局杭州市西湖区税务局"),
        Place(province: "四川省", city: "成都市", district: "武侯区", division: "510107", areaCode: "28", office: "国家税务总局成都市武侯区税务局"),
        Place(province: "湖北省", city: "武汉市", district: "洪山区", division: "420111", areaCode: "27", office: "国家税务总局武汉市洪山区税务局"),
        Place(province: "福建省", city: "福州市", district: "鼓楼区", division: "350102", areaCode: "591", office: "国家税务总局福州市鼓楼区税务局"),
        Place(province: "江苏省", city: "南京市", district: "玄武区", division: "320102", areaCode: "25", office: "国家税务总局南京市玄武区税务局"),
        Place(province: "陕西省", city: "西安市", district: "雁塔区", division: "610113", areaCode: "29", office: "国家税务总局西安市雁塔区税务局"),
    ]
    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
    static let givenCharacters = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬飞桂兰鹏辉建华国庆志强晓东海燕雪梅文博子轩浩然欣怡梓涵宇航思远佳怡俊杰").map(String.init)
    static let brandCharacters = Array("华鑫泰盛源达兴隆恒通宏远瑞丰嘉禾永安新光金鼎天成中联博创聚合星辰").map(String.init)
    static let industries = ["科技", "贸易", "建筑工程", "餐饮管理", "物流", "电子", "文化传媒", "医药", "机械设备", "咨询服务", "商贸", "软件"]
    static let roads = ["中山路", "人民路", "解放路", "建设路", "和平路", "新华路", "长江路", "文化路", "胜利路", "青年路", "科技园路", "滨江大道"]
    static let banks = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行"]
    static let taxTypes = ["增值税", "企业所得税", "个人所得税", "印花税", "城市维护建设税"]
    static let summaries = ["咨询增值税申报期限", "查询欠税及滞纳金", "咨询个人所得税专项附加扣除", "投诉办税服务厅排队时间长",
                            "咨询发票领用流程", "修改联系电话", "咨询电子税务局登录问题", "预约上门辅导", "反映发票开具问题"]

    /// One generated taxpayer with its bills and contacts.
    public struct Entry: Sendable {
        /// The taxpayer.
        public var taxpayer: Taxpayer
        /// Their bills.
        public var bills: [TaxBill]
        /// Their contact history.
        public var contacts: [ContactRecord]
    }

    /// Generates `count` taxpayers (indices `0..<count`); calls `body` for each.
    ///
    /// - Parameters:
    ///   - count: How many.
    ///   - includeHistory: Whether to generate bills and contacts too.
    ///   - body: Receives each entry in order.
    /// - Throws: Whatever `body` throws.
    public func generate(count: Int, includeHistory: Bool = true, _ body: (Entry) throws -> Void) rethrows {
        var random = SplitMix64(seed: seed)
        var usedNumbers = Set<String>()
        for index in 0..<count {
            var entry: Entry
            repeat {
                entry = makeEntry(index: index, random: &random, includeHistory: includeHistory)
            } while !usedNumbers.insert(entry.taxpayer.number.value).inserted
            try body(entry)
        }
    }

    func makeEntry(index: Int, random: inout SplitMix64, includeHistory: Bool) -> Entry {
        func pick<T>(_ array: [T]) -> T { array[Int(random.next() % UInt64(array.count))] }
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(random.next() % 10)) }) }
        let place = pick(Self.places)
        let roll = random.next() % 100
        let kind: Taxpayer.Kind = roll < 55 ? .enterprise : (roll < 80 ? .individual : .individualBusiness)
        let personName = pick(Self.surnames) + pick(Self.givenCharacters) + (random.next() % 3 == 0 ? "" : pick(Self.givenCharacters))
        let number: TaxpayerNumber
        var enterpriseName: String?
        let name: String
        if kind == .individual {
            let birthYear = 1950 + Int(random.next() % 55)
            let birthMonth = 1 + Int(random.next() % 12)
            let birthDay = 1 + Int(random.next() % 28)
            let first17 = place.division + pad(birthYear, 4) + pad(birthMonth, 2)
                + pad(birthDay, 2) + digits(3)
            number = Self.validNumber(first17, identity: true)
            name = personName
        } else {
            let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
            let organisation = String((0..<9).map { position in
                position == 0 && random.next() % 2 == 0 ? "M" : alphabet[Int(random.next() % (random.next() % 4 == 0 ? 31 : 10))]
            })
            let first17 = (kind == .enterprise ? "91" : "92") + place.division + organisation
            number = Self.validNumber(first17, identity: false)
            let brand = pick(Self.brandCharacters) + pick(Self.brandCharacters)
            let city = place.city.isEmpty ? place.province : place.city
            let cityShort = String(city.dropLast())
            if kind == .enterprise {
                let industry = pick(Self.industries)
                enterpriseName = cityShort + brand + industry + "有限公司"
                name = brand + industry
            } else {
                enterpriseName = cityShort + place.district + brand + pick(["小吃店", "便利店", "五金店", "理发店", "服装店"])
                name = personName
            }
        }
        let mobile = try? PhoneNumber("1" + pick(["3", "5", "7", "8", "9"]) + digits(9))
        let landline = kind == .individual ? nil
            : try? PhoneNumber("0" + place.areaCode + String(2 + random.next() % 7) + digits(place.areaCode.count == 2 ? 7 : 6))
        let region = place.province + place.city + place.district
        let category: Taxpayer.Category = {
            let roll = random.next() % 100
            if kind == .enterprise && roll < 5 { return .keyEnterprise }
            if roll < 8 { return .vip }
            if kind == .enterprise && roll < 15 { return .groupMember }
            return .ordinary
        }()
        var pinHash: PINHash?
        if index < pinCount {
            var saltSource = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37)
            pinHash = try? PINHash(pin: Self.demoPIN, iterations: pinIterations, using: &saltSource)
        }
        let taxpayer = Taxpayer(
            number: number, name: name, kind: kind, enterpriseName: enterpriseName,
            legalRepresentative: kind == .individual ? nil : personName, phone: landline, mobile: mobile,
            email: kind == .enterprise ? "finance\(index)@example.cn" : nil, region: region,
            address: pick(Self.roads) + String(1 + random.next() % 300) + "号",
            building: random.next() % 2 == 0 ? String(1 + random.next() % 20) + "号楼" : nil,
            floor: String(1 + random.next() % 30) + "层", room: String(100 + random.next() % 2900) + "室",
            bankName: kind == .individual ? nil : pick(Self.banks),
            bankAccount: kind == .individual ? nil : "62" + digits(17),
            category: category, taxOffice: place.office,
            assignedAgent: category == .ordinary ? nil : "agent-\(100 + random.next() % 20)",
            pinHash: pinHash, customFields: kind == .enterprise ? ["industry_code": "C" + digits(3)] : [:])

        var bills: [TaxBill] = []
        var contacts: [ContactRecord] = []
        if includeHistory {
            var period = BillingPeriod(year: today.year, month: today.month)?.previous
            for _ in 0..<Int(random.next() % 4) {
                guard let current = period, let due = LocalDate(year: current.next.year, month: current.next.month, day: 15) else { break }
                let amount = Money(fen: Int64(10_000 + random.next() % 5_000_000))
                let paidRoll = random.next() % 10
                let paid = paidRoll < 6 ? amount : (paidRoll < 8 ? amount.multiplied(by: 1, dividedBy: 2) : .zero)
                bills.append(TaxBill(taxpayerNumber: number, period: current, taxType: pick(Self.taxTypes),
                                     amountDue: amount, amountPaid: paid, dueDate: due))
                period = current.previous
            }
            let base = Date(timeIntervalSince1970: TimeInterval(today.daysSinceEpoch) * 86_400)
            for _ in 0..<Int(random.next() % 3) {
                let daysAgo = TimeInterval(1 + random.next() % 90)
                let uuidBytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let id = UUID(uuid: (uuidBytes[0], uuidBytes[1], uuidBytes[2], uuidBytes[3], uuidBytes[4], uuidBytes[5],
                                     uuidBytes[6] & 0x0f | 0x40, uuidBytes[7], uuidBytes[8] & 0x3f | 0x80, uuidBytes[9],
                                     uuidBytes[10], uuidBytes[11], uuidBytes[12], uuidBytes[13], uuidBytes[14], uuidBytes[15]))
                contacts.append(ContactRecord(
                    id: id, taxpayerNumber: number,
                    occurredAt: base.addingTimeInterval(-daysAgo * 86_400 + TimeInterval(9 * 3600 + random.next() % 28_800)),
                    channel: pick([.inboundCall, .inboundCall, .inboundCall, .outboundCall, .sms, .web]),
                    summary: pick(Self.summaries), agent: "agent-\(100 + random.next() % 20)"))
            }
        }
        return Entry(taxpayer: taxpayer, bills: bills, contacts: contacts)
    }

    static func validNumber(_ first17: String, identity: Bool) -> TaxpayerNumber {
        let check = identity ? TaxpayerNumber.residentIdentityCheckCharacter(for: first17)
            : TaxpayerNumber.creditCodeCheckCharacter(for: first17)
        // The inputs are built from valid parts, so the check character always exists and validates.
        guard let check, let number = try? TaxpayerNumber(first17 + String(check)) else {
            preconditionFailure("demo data built an invalid number from \(first17)")
        }
        return number
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast, seedable generator for demo data.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator.
    ///
    /// - Parameter seed: The seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    ///
    /// - Returns: A pseudo-random value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension HotlineDatabase {
    /// Writes demo data (taxpayers, bills, contacts) in one transaction.
    ///
    /// - Parameters:
    ///   - demo: The generator.
    ///   - count: How many taxpayers.
    ///   - occurredAt: When (for the event log).
    /// - Returns: Counts of taxpayers, bills and contacts written.
    /// - Throws: SQLite errors.
    @discardableResult
    public func insertDemoData(_ demo: DemoData, count: Int, at occurredAt: Date) throws -> (taxpayers: Int, bills: Int, contacts: Int) {
        var totals = (taxpayers: 0, bills: 0, contacts: 0)
        try pool.write { db in
            try demo.generate(count: count) { entry in
                _ = try Self.upsert(entry.taxpayer, in: db)
                for bill in entry.bills { try Self.upsert(bill, in: db) }
                for contact in entry.contacts {
                    try db.cachedStatement(sql: "DELETE FROM contact_record WHERE id = ?").execute(arguments: [contact.id.uuidString])
                    try Self.insert(contact, in: db)
                }
                totals.taxpayers += 1
                totals.bills += entry.bills.count
                totals.contacts += entry.contacts.count
            }
            try Self.appendEvent(RecordsImported(kind: .taxpayers, source: "demo-data seed \(demo.seed)",
                                                 inserted: totals.taxpayers, updated: 0, rejected: 0),
                                 at: occurredAt, subject: "import:taxpayers", in: db)
        }
        return totals
    }
}
