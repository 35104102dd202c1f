internal import GrantWorkflow

/// The year's fixed frame: the organisation on 2 January, the bulk import of projects, the experts,
/// the monthly deadline sweeps; and the projects themselves with their scenarios.
extension DemoBuilder {
    /// Writes the whole year.
    mutating func build() {
        organisation()
        var projects = makeProjects()
        registerProjects(projects)
        registerExperts()
        for index in projects.indices {
            guard let scenario = projects[index].scenario else { continue }
            run(scenario, &projects[index])
        }
        deadlineSweeps()
        inventory.steps = steps.count
        highlights.unitAdminIds = units.map { "UA-" + $0.id }
    }

    // MARK: Organisation

    /// The national office, provinces and their offices, units and their admins: 2 January, 08:00.
    mutating func organisation() {
        var clock = Timestamp(startOf: Self.date(1, 2)).adding(minutes: 8 * 60)
        func tick() -> Timestamp {
            clock = clock.addingSeconds(1)
            return clock
        }
        let password = DemoJSON.string(DemoPlan.password)
        emit(
            at: tick(), "bootstrap", by: nil,
            [
                ("accountId", .string(Self.national)), ("username", .string("nopss")), ("password", password),
                ("name", .string("全国哲学社会科学工作办公室")),
            ])
        for province in DemoData.provinces {
            emit(
                at: tick(), "createProvince", by: Self.national,
                [("provinceId", .string(province.id)), ("name", .string(province.name))])
        }
        for province in DemoData.provinces {
            emit(
                at: tick(), "createAdminAccount", by: Self.national,
                [
                    ("accountId", .string("PO-" + province.id)), ("role", .string("provincialOffice")),
                    ("provinceId", .string(province.id)), ("username", .string("po." + province.id.lowercased())),
                    ("password", password), ("name", .string(province.name + "哲学社会科学规划办公室")),
                ])
        }
        for (provinceIndex, province) in DemoData.provinces.enumerated() {
            for unit in province.units {
                let id = "U" + Self.pad(units.count + 1, 3)
                let code = creditCode(region: random.pick(province.regionCodes))
                units.append(
                    DemoUnit(
                        id: id, name: unit.name, province: provinceIndex, domain: unit.domain, weight: unit.weight,
                        creditCode: code))
                emit(
                    at: tick(), "createUnit", by: "PO-" + province.id,
                    [("unitId", .string(id)), ("name", .string(unit.name)), ("provinceId", .string(province.id))])
                emit(
                    at: tick(), "createAdminAccount", by: "PO-" + province.id,
                    [
                        ("accountId", .string("UA-" + id)), ("role", .string("unitAdmin")), ("unitId", .string(id)),
                        ("username", .string("ua." + id.lowercased())), ("password", password),
                        ("name", .string(unit.name + "社会科学处")),
                    ])
            }
        }
        for name in DemoData.partnerUnits { partners.append((name, creditCode(region: "110102"))) }
        inventory.provinces = DemoData.provinces.count
        inventory.units = units.count
        inventory.adminAccounts = 1 + DemoData.provinces.count + units.count
    }

    // MARK: Experts

    /// Experts per discipline: at least five, so that three remain after leaving out the leader's
    /// unit and an avoided expert; one per thousand projects beyond that (about ten appraisals a
    /// year each), at most one per unit.
    var expertsPerDiscipline: Int { min(units.count, max(5, projectCount / 1_000)) }

    /// Expert accounts, from distinct units for each discipline, registered and approved 6–14 January.
    mutating func registerExperts() {
        for discipline in DemoData.disciplines {
            var pool: [DemoExpert] = []
            for (number, unit) in random.sample(Array(units.indices), count: expertsPerDiscipline).enumerated() {
                var person = person(region: random.pick(region(ofUnit: unit)), born: 1958...1975)
                person.degree = "博士"
                let expert = DemoExpert(
                    accountId: "E-\(discipline.code)-" + Self.pad(number + 1, 2), person: person, unit: unit)
                pool.append(expert)
                begin(on: Self.date(1, random.int(in: 6...10)))
                registerPerson(
                    accountId: expert.accountId, role: "expert", person: person, unit: unit,
                    researchArea: discipline.name)
            }
            experts.append(pool)
            inventory.expertAccounts += pool.count
        }
    }

    /// Registration, approval by the unit admin a few days later, and the profile: the prelude of
    /// every personal account. Returns the phone number (the username).
    @discardableResult
    mutating func registerPerson(
        accountId: String, role: String, person: DemoPerson, unit: Int, researchArea: String,
        idNumber: String? = nil, rejectFirst: Bool = false
    ) -> String {
        let phone = phone()
        let email = person.pinyin + phone.suffix(4) + "@" + units[unit].domain
        emit(
            "registerAccount", by: nil,
            [
                ("accountId", .string(accountId)), ("role", .string(role)), ("username", .string(phone)),
                ("email", .string(email)), ("name", .string(person.name)), ("idType", .string("residentId")),
                ("idNumber", .string(idNumber ?? person.idNumber)), ("unitId", .string(units[unit].id)),
                ("password", .string(DemoPlan.password)), ("agreedToTerms", .bool(true)),
            ])
        let admin = "UA-" + units[unit].id
        if rejectFirst {
            wait(days: 1...3)
            emit(
                "reviewRegistration", by: admin,
                [
                    ("accountId", .string(accountId)), ("decision", .string("reject")),
                    ("reason", .string("身份证号码与项目负责人信息不一致，请核对后重新提交")),
                ])
            wait(days: 0...2)
            emit(
                "resubmitRegistration", by: nil,
                [
                    ("accountId", .string(accountId)), ("password", .string(DemoPlan.password)),
                    ("idType", .string("residentId")), ("idNumber", .string(person.idNumber)),
                ])
        }
        wait(days: 1...3)
        emit("reviewRegistration", by: admin, [("accountId", .string(accountId)), ("decision", .string("approve"))])
        pause(minutes: 10...240)
        emit(
            "completeProfile", by: accountId,
            [
                (
                    "profile",
                    .object([
                        ("gender", .string(person.male ? "男" : "女")), ("birthDate", .string(person.birth.description)),
                        ("title", .string(person.title)), ("degree", .string(person.degree)),
                        ("researchArea", .string(researchArea)),
                    ])
                )
            ])
        return phone
    }

    // MARK: Projects

    /// Every project with its scenario (nil for the quiet ones), in project-number order.
    mutating func makeProjects() -> [DemoProject] {
        let coverage = DemoScenario.coverage
        let acting = min(projectCount, max(coverage.count, projectCount / 5))
        var order = Array(0..<projectCount)
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(index, random.int(in: 0...index))
        }
        var scenarios: [DemoScenario?] = Array(repeating: nil, count: projectCount)
        var covering = Array(repeating: false, count: projectCount)
        for (rank, index) in order.prefix(acting).enumerated() {
            if rank < coverage.count {
                scenarios[index] = coverage[rank]
                covering[index] = true
            } else {
                scenarios[index] = random.pick(weighted: DemoScenario.weighted)
            }
        }
        var serials: [String: Int] = [:]
        var projects: [DemoProject] = []
        projects.reserveCapacity(projectCount)
        for index in 0..<projectCount {
            var project = makeProject(scenario: scenarios[index], covering: covering[index])
            let key = Self.numberPrefix(project)
            let serial = (serials[key] ?? 0) + 1
            serials[key] = serial
            project.projectNo = key + Self.pad(serial, 3)
            projects.append(project)
        }
        projects.sort { $0.projectNo < $1.projectNo }
        inventory.projects = projects.count
        inventory.projectsWithWorkflow = acting
        inventory.leaderAccounts = acting
        for project in projects { inventory.projectsByCategory[project.category.rawValue, default: 0] += 1 }
        return projects
    }

    /// `24BZX`, `24&ZD`: the approval year, the category letter and the discipline code.
    static func numberPrefix(_ project: DemoProject) -> String {
        let year = Self.pad(project.approvedOn.parts.year % 100, 2)
        let code = DemoData.disciplines[project.discipline].code
        switch project.category {
        case .major: return year + "&ZD"
        case .key: return year + "A" + code
        case .youth: return year + "C" + code
        case .western: return year + "X" + code
        default: return year + "B" + code
        }
    }

    mutating func makeProject(scenario: DemoScenario?, covering: Bool) -> DemoProject {
        let unit = random.pick(weighted: units.indices.map { ($0, units[$0].weight) })
        let western = DemoData.provinces[units[unit].province].western
        let categories: [(ProjectCategory, Int)] =
            western
            ? [(.major, 4), (.key, 6), (.general, 38), (.youth, 14), (.western, 38)]
            : [(.major, 6), (.key, 7), (.general, 64), (.youth, 23)]
        let category = random.pick(weighted: categories)
        let disciplineIndex = random.int(in: 0..<DemoData.disciplines.count)
        let discipline = DemoData.disciplines[disciplineIndex]
        let topic = random.pick(discipline.topics)
        let patterns =
            category == .major
            ? DemoData.majorTitles : discipline.humanities ? DemoData.humanitiesTitles : DemoData.socialTitles
        let title = random.pick(patterns).replacingPercent(with: topic)
        let regions = region(ofUnit: unit)
        var leader = person(region: random.pick(regions), born: category == .youth ? 1987...1992 : 1960...1985)
        if leader.title == "博士研究生" || leader.title == "博士后" { leader.title = "讲师" }
        leader.degree = "博士"
        let memberCount =
            switch category {
            case .major: random.int(in: 6...9)
            case .key: random.int(in: 3...6)
            default: random.int(in: 2...5)
            }
        var members: [DemoMember] = []
        for number in 0..<memberCount {
            let sameUnit = random.chance(65)
            let memberUnit = sameUnit ? unit : random.int(in: 0..<units.count)
            let leadsPart = category == .major && number < 3
            let member = person(
                region: random.pick(region(ofUnit: memberUnit)), born: leadsPart ? 1960...1980 : 1965...1998)
            let role = leadsPart ? "子课题负责人" : random.pick(DemoData.memberRoles)
            members.append(
                DemoMember(person: member, unitName: units[memberUnit].name, title: member.title, role: role))
        }
        let form = random.pick(
            weighted: [
                (DeliverableForm.monograph, 45), (.researchReport, 30), (.papers, 15), (.database, 4),
                (.translation, 3),
                (.reference, 3),
            ] as [(DeliverableForm, Int)])
        var project = DemoProject(
            projectNo: "", title: title, topic: topic, category: category, discipline: disciplineIndex, unit: unit,
            leader: leader, registeredLeaderIdNumber: leader.idNumber, members: members,
            approvedOn: Self.yearStart, plannedEnd: Self.yearEnd, form: form, direct: [], indirect: 0, external: [],
            scenario: scenario, covering: covering)
        if scenario == .leaderIdNumberFixed { project.registeredLeaderIdNumber = mistyped(leader) }
        project.changeKind = scenario?.changeKinds.map { random.pick($0) }
        schedule(&project, covering: covering)
        budget(&project)
        return project
    }

    /// The project's dates, fitted to its scenario: a closeout near the end date, an extension well
    /// before it (R-CHG-9), quiet projects mostly ending after 2025 (a few already overdue).
    mutating func schedule(_ project: inout DemoProject, covering: Bool) {
        let end: CalendarDate
        if let scenario = project.scenario {
            let start: CalendarDate
            if scenario.endsInProgress {
                // The coverage ones early in December, so that they surely reach their stage.
                start = Self.date(12, random.int(in: 1...(covering ? 3 : 15)))
            } else if covering {
                start = Self.date(2, 10).adding(days: random.int(in: 0...74))
            } else {
                start = Self.date(2, 10).adding(days: random.int(in: 0...293))
            }
            project.start = start
            if scenario.isCloseout {
                end = Self.monthEnd(start.adding(days: random.int(in: -120...200)))
            } else if project.changeKind == .extension {
                end = Self.monthEnd(start.adding(days: random.int(in: 170...300)))
            } else {
                end = halfYearEnd(random.int(in: 2026...2028))
            }
        } else if random.chance(4) {
            end = Self.monthEnd(Self.date(random.int(in: 1...11), 1))
        } else {
            end = halfYearEnd(random.int(in: 2026...2029))
        }
        project.plannedEnd = end
        let endYear = end.parts.year
        var years = project.changeKind == .extension ? 3 : random.int(in: 3...5)
        if project.category == .major { years = max(years, 4) }
        let approvalYear = min(2024, max(2021, endYear - years))
        let approvedOn =
            project.category == .major
            ? CalendarDate(year: approvalYear, month: random.int(in: 11...12), day: random.int(in: 1...28))
            : CalendarDate(year: approvalYear, month: random.int(in: 6...9), day: random.int(in: 1...28))
        project.approvedOn = approvedOn ?? Self.yearStart
    }

    /// 30 June or 31 December of `year`.
    mutating func halfYearEnd(_ year: Int) -> CalendarDate {
        (random.chance(40)
            ? CalendarDate(year: year, month: 6, day: 30) : CalendarDate(year: year, month: 12, day: 31))
            ?? Self.yearEnd
    }

    /// A budget of the 2021 rules (财教〔2021〕237号): indirect costs a fifth to three tenths, direct
    /// costs split into equipment, business and labour, an external allocation for some larger projects.
    mutating func budget(_ project: inout DemoProject) {
        let totalYuan: Int64 =
            switch project.category {
            case .major: random.chance(50) ? 800_000 : 600_000
            case .key: 350_000
            default: 200_000
            }
        let indirectYuan = totalYuan * Int64(random.pick([20, 25, 30])) / 100 / 1_000 * 1_000
        let directYuan = totalYuan - indirectYuan
        let equipmentYuan = directYuan * Int64(random.int(in: 0...8)) / 100 / 100 * 100
        let laborYuan = directYuan * Int64(random.int(in: 10...25)) / 100 / 100 * 100
        let businessYuan = directYuan - equipmentYuan - laborYuan
        project.direct = [
            ("equipment", equipmentYuan * 100), ("business", businessYuan * 100), ("labor", laborYuan * 100),
        ]
        project.indirect = indirectYuan * 100
        let externalShare = project.category == .major ? 40 : project.category == .key ? 15 : 0
        if random.chance(externalShare) {
            let partner = random.pick(partners)
            let amount = directYuan * Int64(random.int(in: 5...15)) / 100 / 1_000 * 1_000 * 100
            project.external = [
                DemoExternal(
                    partner: partner.name, creditCode: partner.creditCode, amount: amount,
                    byCategory: [("business", amount)])
            ]
        }
    }

    /// The national office registers every project on 2 January from 09:00, in number order.
    mutating func registerProjects(_ projects: [DemoProject]) {
        let start = Timestamp(startOf: Self.date(1, 2)).adding(minutes: 9 * 60)
        let spread = 8 * 3_600
        for (index, project) in projects.enumerated() {
            let time = start.addingSeconds(index * spread / max(1, projects.count))
            emit(
                at: time, "registerProject", by: Self.national,
                [
                    ("projectNo", .string(project.projectNo)), ("title", .string(project.title)),
                    ("category", .string(project.category.rawValue)),
                    ("discipline", .string(DemoData.disciplines[project.discipline].name)),
                    ("unitId", .string(units[project.unit].id)),
                    ("leader", Self.personJSON(project.leader, idNumber: project.registeredLeaderIdNumber)),
                    ("members", .array(project.members.map { Self.memberJSON($0) })),
                    ("approvedOn", .string(project.approvedOn.description)),
                    ("plannedEndDate", .string(project.plannedEnd.description)),
                    ("deliverableForm", .string(project.form.rawValue)),
                    (
                        "budget",
                        .object([
                            ("direct", Self.amounts(project.direct)), ("indirect", .int(project.indirect)),
                            ("external", Self.externalJSON(project.external)),
                        ])
                    ),
                ])
        }
    }

    // MARK: Sweeps

    /// The deadline sweep (R-NTF-2) at 01:00 on the first of every month from February, and once
    /// more at 22:00 on 31 December.
    mutating func deadlineSweeps() {
        for month in 2...12 {
            emit(
                at: Timestamp(startOf: Self.date(month, 1)).adding(minutes: 60), "runDeadlineSweep", by: Self.national,
                [])
        }
        emit(at: Timestamp(startOf: Self.yearEnd).adding(minutes: 22 * 60), "runDeadlineSweep", by: Self.national, [])
    }
}

extension String {
    /// The pattern with its `%` replaced by `topic`.
    func replacingPercent(with topic: String) -> String {
        var result = ""
        for character in self {
            if character == "%" { result += topic } else { result.append(character) }
        }
        return result
    }
}
