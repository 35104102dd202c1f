internal import GrantWorkflow

/// A person the demo invented: name, sex, birth date and a valid GB 11643 ID number.
struct DemoPerson {
    var name: String
    var pinyin: String
    var male: Bool
    var birth: CalendarDate
    var idNumber: String
    var title: String
    var degree: String
}

/// A project member: a person, the unit name they give, title and role.
struct DemoMember {
    var person: DemoPerson
    var unitName: String
    var title: String
    var role: String
}

/// A responsible unit of the demo.
struct DemoUnit {
    var id: String
    var name: String
    var province: Int
    var domain: String
    var weight: Int
    var creditCode: String
}

/// An expert account of the demo.
struct DemoExpert {
    var accountId: String
    var person: DemoPerson
    var unit: Int
}

/// A project of the demo as registered, and as its scenario changes it.
struct DemoProject {
    var projectNo: String
    var title: String
    var topic: String
    var category: ProjectCategory
    var discipline: Int
    var unit: Int
    var leader: DemoPerson
    /// The leader ID number the national office registers (a typo for ``DemoScenario/leaderIdNumberFixed``).
    var registeredLeaderIdNumber: String
    var members: [DemoMember]
    var approvedOn: CalendarDate
    var plannedEnd: CalendarDate
    var form: DeliverableForm
    var direct: [(String, Int64)]
    var indirect: Int64
    var external: [DemoExternal]
    var scenario: DemoScenario?
    /// Whether the project runs one of the coverage scenarios (which start early, to finish in the year).
    var covering = false
    /// The kind of change its scenario drafts, when it drafts one.
    var changeKind: ChangeKind?
    /// When its scenario starts.
    var start: CalendarDate?
    var extensions = 0

    var directTotal: Int64 { direct.reduce(0) { $0 + $1.1 } }
    var total: Int64 { directTotal + indirect }
}

/// An external allocation (外拨经费).
struct DemoExternal {
    var partner: String
    var creditCode: String
    var amount: Int64
    var byCategory: [(String, Int64)]
}

/// A step before ordering: its time, creation order and the command without id and time.
struct PendingStep {
    var time: Timestamp
    var order: Int
    var type: String
    var actor: String?
    var fields: String
    var expected: String?
    var reset: (accountId: String, newPassword: String)?
}

/// Builds a ``DemoPlan``: the organisation, the experts, the projects and their scenarios, each
/// step stamped with its time; then orders the steps by time.
struct DemoBuilder {
    let projectCount: Int
    let seed: UInt64
    var random: SplitMix64
    var steps: [PendingStep] = []
    var inventory = DemoInventory()
    var highlights = DemoHighlights()

    var units: [DemoUnit] = []
    var experts: [[DemoExpert]] = []
    var partners: [(name: String, creditCode: String)] = []
    var usedIdNumbers: Set<String> = []
    var usedPhones: Set<String> = []
    var counters: [String: Int] = [:]
    /// Whether ``DemoHighlights/completedProjectNo`` is a general project yet.
    var highlightIsGeneral = false

    /// The scenario being written: its clock, and whether it ran past the end of the year.
    var now = Timestamp(epochMilliseconds: 0)
    var halted = false

    static let national = "NOPSS"
    static let yearStart = CalendarDate(year: DemoPlan.year, month: 1, day: 1) ?? CalendarDate(daysSinceEpoch: 0)
    static let yearEnd = CalendarDate(year: DemoPlan.year, month: 12, day: 31) ?? CalendarDate(daysSinceEpoch: 0)
    /// No scenario step after this moment: 2025-12-31 20:00 (the final sweep runs at 22:00).
    static let cutoff = Timestamp(startOf: yearEnd).adding(minutes: 20 * 60)

    init(projects: Int, seed: UInt64) {
        projectCount = projects
        self.seed = seed
        random = SplitMix64(seed: seed)
    }

    // MARK: Ordering

    /// The steps ordered by time (creation order among equal times), with ids and times filled in.
    func finishedSteps() -> [DemoStep] {
        let ordered = steps.sorted { left, right in
            left.time != right.time ? left.time < right.time : left.order < right.order
        }
        var result: [DemoStep] = []
        result.reserveCapacity(ordered.count)
        for (index, step) in ordered.enumerated() {
            let id = "d\(seed)-" + Self.pad(index + 1, 6)
            if let reset = step.reset {
                result.append(
                    DemoStep(
                        commandId: id, type: step.type, time: step.time,
                        action: .resetPassword(accountId: reset.accountId, newPassword: reset.newPassword),
                        expectedError: step.expected))
                continue
            }
            var line = "{\"id\":\"\(id)\",\"type\":\"\(step.type)\""
            if let actor = step.actor { line += ",\"actor\":" + DemoJSON.string(actor).text }
            line += ",\"at\":\"\(step.time.description)\""
            if step.fields.count > 2 { line += "," + step.fields.dropFirst() } else { line += "}" }
            result.append(
                DemoStep(
                    commandId: id, type: step.type, time: step.time, action: .line(line), expectedError: step.expected))
        }
        return result
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    // MARK: Emitting

    /// Adds a command at the scenario's current time; nothing once the scenario ran past the year.
    mutating func emit(_ type: String, by actor: String?, _ fields: [(String, DemoJSON)], expect: String? = nil) {
        guard !halted else { return }
        guard now <= Self.cutoff else {
            halted = true
            return
        }
        steps.append(
            PendingStep(
                time: now, order: steps.count, type: type, actor: actor, fields: DemoJSON.object(fields).text,
                expected: expect, reset: nil))
    }

    /// Adds a `resetPassword` whose token is read at run time.
    mutating func emitReset(accountId: String, newPassword: String) {
        guard !halted, now <= Self.cutoff else {
            halted = true
            return
        }
        steps.append(
            PendingStep(
                time: now, order: steps.count, type: "resetPassword", actor: nil, fields: "{}", expected: nil,
                reset: (accountId, newPassword)))
    }

    /// Adds a command at a fixed time (organisation, imports, sweeps), outside any scenario.
    mutating func emit(at time: Timestamp, _ type: String, by actor: String?, _ fields: [(String, DemoJSON)]) {
        steps.append(
            PendingStep(
                time: time, order: steps.count, type: type, actor: actor, fields: DemoJSON.object(fields).text,
                expected: nil, reset: nil))
    }

    /// The next id of a kind: `CR-2025-00001`, `CO-2025-00001`, `BA-2025-00001`.
    mutating func nextId(_ prefix: String) -> String {
        let next = (counters[prefix] ?? 0) + 1
        counters[prefix] = next
        return "\(prefix)-\(DemoPlan.year)-" + Self.pad(next, 5)
    }

    // MARK: Time

    /// Whether people work that day (weekdays other than the 2025 public holidays).
    static func isWorkday(_ date: CalendarDate) -> Bool {
        let weekday = (date.daysSinceEpoch % 7 + 7 + 4) % 7  // 1970-01-01 was a Thursday; 0 = Sunday
        return weekday != 0 && weekday != 6 && !DemoData.holidays2025.contains(date.description)
    }

    /// The first workday on or after `date`.
    static func workday(onOrAfter date: CalendarDate) -> CalendarDate {
        var day = date
        while !isWorkday(day) { day = day.adding(days: 1) }
        return day
    }

    /// A time during office hours (08:30–17:30) of `date`.
    mutating func officeTime(_ date: CalendarDate) -> Timestamp {
        Timestamp(startOf: date).adding(minutes: 8 * 60 + 30 + random.int(in: 0...540))
            .addingSeconds(random.int(in: 0...59))
    }

    /// Moves the scenario's clock to a workday `days` later, during office hours.
    mutating func wait(days: ClosedRange<Int>) {
        let date = Self.workday(onOrAfter: now.chinaDate.adding(days: random.int(in: days)))
        var time = officeTime(date)
        if time <= now { time = now.adding(minutes: random.int(in: 5...60)) }
        now = time
    }

    /// Moves the scenario's clock a few minutes on; past 18:30 it goes on the next workday morning.
    mutating func pause(minutes: ClosedRange<Int>) {
        let next = now.adding(minutes: random.int(in: minutes)).addingSeconds(random.int(in: 0...59))
        let evening = Timestamp(startOf: now.chinaDate).adding(minutes: 18 * 60 + 30)
        if next <= evening {
            now = next
        } else {
            let day = Self.workday(onOrAfter: now.chinaDate.adding(days: 1))
            now = Timestamp(startOf: day).adding(minutes: 8 * 60 + 30 + random.int(in: 0...90))
        }
    }

    /// Starts writing a scenario at office hours of `date` (or the next workday).
    mutating func begin(on date: CalendarDate) {
        halted = false
        now = officeTime(Self.workday(onOrAfter: date))
    }

    static func date(_ month: Int, _ day: Int) -> CalendarDate {
        CalendarDate(year: DemoPlan.year, month: month, day: day) ?? yearStart
    }

    /// The last day of the month of `date`.
    static func monthEnd(_ date: CalendarDate) -> CalendarDate {
        let (year, month, _) = date.parts
        return CalendarDate(year: year, month: month, day: CalendarDate.daysIn(year: year, month: month)) ?? date
    }

    // MARK: People

    /// The ISO 7064 MOD 11-2 check character of 17 digits (GB 11643).
    static func idCheck(_ first17: String) -> String {
        String(IdentityNumber.checkCharacter(of: first17.utf8) ?? "?")
    }

    /// A new person with a unique ID number from `region`, born in `years`.
    mutating func person(region: String, born years: ClosedRange<Int>, male: Bool? = nil) -> DemoPerson {
        let isMale = male ?? random.chance(60)
        let (surname, pinyin) = random.pick(DemoData.surnames)
        let pool = isMale ? DemoData.maleGiven : DemoData.femaleGiven
        var given = random.pick(pool)
        if random.chance(70) { given += random.pick(pool) }
        let year = random.int(in: years)
        let month = random.int(in: 1...12)
        let birth =
            CalendarDate(
                year: year, month: month, day: random.int(in: 1...CalendarDate.daysIn(year: year, month: month)))
            ?? Self.yearStart
        var idNumber = ""
        repeat {
            let sequence = random.int(in: 0...499) * 2 + (isMale ? 1 : 0)
            let first17 = region + birth.description.filter { $0 != "-" } + Self.pad(sequence, 3)
            idNumber = first17 + Self.idCheck(first17)
        } while !usedIdNumbers.insert(idNumber).inserted
        return DemoPerson(
            name: surname + given, pinyin: pinyin, male: isMale, birth: birth, idNumber: idNumber,
            title: academicTitle(born: year), degree: random.pick(weighted: DemoData.degrees))
    }

    /// A title that fits the age in 2025: doctoral students and lecturers young, professors older.
    mutating func academicTitle(born year: Int) -> String {
        switch year {
        case ...1975: return random.pick(weighted: [("教授", 50), ("研究员", 25), ("副教授", 20), ("副研究员", 5)])
        case ...1985: return random.pick(weighted: [("教授", 20), ("副教授", 40), ("研究员", 10), ("副研究员", 20), ("讲师", 10)])
        case ...1992: return random.pick(weighted: [("副教授", 25), ("讲师", 45), ("副研究员", 10), ("助理研究员", 20)])
        default: return random.pick(weighted: [("讲师", 30), ("助理研究员", 20), ("博士后", 20), ("博士研究生", 30)])
        }
    }

    /// Another valid ID number for the same birth date (a registration typo that still passes the check).
    mutating func mistyped(_ person: DemoPerson) -> String {
        var idNumber = ""
        repeat {
            let first17 = String(person.idNumber.prefix(14)) + Self.pad(random.int(in: 0...499) * 2 + 1, 3)
            idNumber = first17 + Self.idCheck(first17)
        } while !usedIdNumbers.insert(idNumber).inserted
        return idNumber
    }

    static let phonePrefixes = [
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "158", "159",
        "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "191", "199",
    ]

    /// A new, unique 11-digit mobile number.
    mutating func phone() -> String {
        var number = ""
        repeat {
            number = random.pick(Self.phonePrefixes) + Self.pad(random.int(in: 0...99_999_999), 8)
        } while !usedPhones.insert(number).inserted
        return number
    }

    /// A GB 32100 unified social credit code (统一社会信用代码) with its check character.
    mutating func creditCode(region: String) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        var body = "12" + region
        for _ in 0..<9 { body.append(alphabet[random.int(in: 0...9)]) }
        var sum = 0
        for (character, weight) in zip(body, weights) { sum += (alphabet.firstIndex(of: character) ?? 0) * weight }
        let check = (31 - sum % 31) % 31
        return body + String(alphabet[check])
    }

    func region(ofUnit unit: Int) -> [String] { DemoData.provinces[units[unit].province].regionCodes }

    // MARK: JSON shapes

    static func personJSON(_ person: DemoPerson, idNumber: String? = nil) -> DemoJSON {
        .object([
            ("name", .string(person.name)), ("idType", .string("residentId")),
            ("idNumber", .string(idNumber ?? person.idNumber)),
        ])
    }

    static func memberJSON(_ member: DemoMember, contribution: String? = nil) -> DemoJSON {
        var pairs: [(String, DemoJSON)] = [
            ("name", .string(member.person.name)), ("idType", .string("residentId")),
            ("idNumber", .string(member.person.idNumber)), ("unit", .string(member.unitName)),
            ("title", .string(member.title)), ("role", .string(member.role)),
        ]
        if let contribution { pairs.append(("contribution", .string(contribution))) }
        return .object(pairs)
    }

    static func amounts(_ pairs: [(String, Int64)]) -> DemoJSON { .object(pairs.map { ($0.0, .int($0.1)) }) }

    static func externalJSON(_ allocations: [DemoExternal]) -> DemoJSON {
        .array(
            allocations.map { allocation in
                .object([
                    ("partner", .string(allocation.partner)), ("creditCode", .string(allocation.creditCode)),
                    ("amount", .int(allocation.amount)), ("byCategory", amounts(allocation.byCategory)),
                ])
            })
    }

    static func attachment(
        _ owner: String, _ id: String, purpose: String, filename: String, text: String
    )
        -> [(String, DemoJSON)]
    {
        let content = "%PDF-1.4\n% GrantLedger demo\n" + text + "\n%%EOF\n"
        return [
            (owner, .string(id)), ("purpose", .string(purpose)), ("filename", .string(filename)),
            ("mediaType", .string("application/pdf")), ("contentBase64", .string(Base64.encode(Array(content.utf8)))),
        ]
    }
}

extension Timestamp {
    /// The instant `seconds` later.
    func addingSeconds(_ seconds: Int) -> Timestamp {
        Timestamp(epochMilliseconds: epochMilliseconds &+ Int64(seconds) &* 1000)
    }
}
