import GrantWorkflow
import Testing

extension World {
    /// Given: bootstrap, two provinces, three units, their admins.
    static func organisation() -> World {
        var w = World()
        w.given("bootstrap", ["accountId": "N0", "username": "national", "password": password, "name": "全国社科工作办"])
        w.given("createProvince", ["provinceId": "P1", "name": "北京市"], by: "N0")
        w.given("createProvince", ["provinceId": "P2", "name": "上海市"], by: "N0")
        w.given("createUnit", ["unitId": "U1", "name": "北京大学", "provinceId": "P1"], by: "N0")
        w.given("createUnit", ["unitId": "U2", "name": "清华大学", "provinceId": "P1"], by: "N0")
        w.given("createUnit", ["unitId": "U3", "name": "复旦大学", "provinceId": "P2"], by: "N0")
        w.given(
            "createAdminAccount",
            [
                "accountId": "PO1", "role": "provincialOffice", "provinceId": "P1", "username": "po1",
                "password": password,
                "name": "北京市社科规划办",
            ], by: "N0")
        w.given(
            "createAdminAccount",
            [
                "accountId": "PO2", "role": "provincialOffice", "provinceId": "P2", "username": "po2",
                "password": password,
                "name": "上海市社科规划办",
            ], by: "N0")
        for (id, unit) in [("UA1", "U1"), ("UA2", "U2"), ("UA3", "U3")] {
            w.given(
                "createAdminAccount",
                [
                    "accountId": id, "role": "unitAdmin", "unitId": unit, "username": id.lowercased(),
                    "password": password,
                    "name": "\(unit)科研处",
                ], by: id == "UA3" ? "PO2" : "PO1")
        }
        return w
    }

    /// The fields of a registration.
    static func registration(
        _ id: String, role: String = "leader", phone: String, idNumber: String, unit: String, name: String = "张三"
    ) -> [String: Any] {
        [
            "accountId": id, "role": role, "username": phone, "email": "\(id.lowercased())@example.cn", "name": name,
            "idType": "residentId", "idNumber": idNumber, "unitId": unit, "password": password, "agreedToTerms": true,
        ]
    }

    static var profile: [String: Any] {
        [
            "gender": "男", "birthDate": "1980-01-01", "title": "教授", "degree": "博士", "researchArea": "哲学",
        ]
    }

    /// Given: a personal account registered, approved by its unit admin, profile completed.
    mutating func approvedAccount(
        _ id: String, role: String = "leader", phone: String, idNumber: String, unit: String, name: String = "张三"
    ) {
        given(
            "registerAccount",
            World.registration(id, role: role, phone: phone, idNumber: idNumber, unit: unit, name: name))
        given("reviewRegistration", ["accountId": id, "decision": "approve"], by: "UA" + unit.dropFirst())
        given("completeProfile", ["profile": World.profile], by: id)
    }

    static func projectFields(
        _ no: String = "24BZX001", category: String = "general", leader: String = IDs.leader,
        approvedOn: String = "2024-06-01", end: String = "2027-12-31"
    ) -> [String: Any] {
        [
            "projectNo": no, "title": "中国哲学史研究", "category": category, "discipline": "哲学", "unitId": "U1",
            "leader": ["name": "张三", "idType": "residentId", "idNumber": leader],
            "members": [
                [
                    "name": "李四", "idType": "residentId", "idNumber": IDs.member, "unit": "北京大学", "title": "副教授",
                    "role": "成员",
                ]
            ],
            "approvedOn": approvedOn, "plannedEndDate": end, "deliverableForm": "monograph",
            "budget": [
                "direct": ["equipment": 100_000, "business": 300_000, "labor": 100_000], "indirect": 100_000,
                "external": [] as [Any],
            ],
        ]
    }

    /// Given: the organisation, leader L1 (U1), experts E1–E4, and project 24BZX001 (general, U1, led by L1).
    static func standard() -> World {
        var w = organisation()
        w.approvedAccount("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
        w.approvedAccount("E1", role: "expert", phone: "13900000001", idNumber: IDs.expert1, unit: "U2", name: "王五")
        w.approvedAccount("E2", role: "expert", phone: "13900000002", idNumber: IDs.expert2, unit: "U3", name: "赵六")
        w.approvedAccount("E3", role: "expert", phone: "13900000003", idNumber: IDs.expert3, unit: "U2", name: "钱七")
        w.approvedAccount("E4", role: "expert", phone: "13900000004", idNumber: IDs.expert4, unit: "U1", name: "孙八")
        w.approvedAccount("E5", role: "expert", phone: "13900000005", idNumber: IDs.expert5, unit: "U3", name: "周九")
        w.given("registerProject", World.projectFields(), by: "N0")
        return w
    }

    var project: Project { state.project("24BZX001")! }
}

extension World {
    static func sections(mode: String = "review", ground: String? = nil) -> [(String, Any)] {
        var basic: [String: Any] = [
            "title": "中国哲学史研究", "form": "monograph", "wordCount": 300_000, "keywords": ["哲学", "史"],
            "appraisalMode": mode,
        ]
        if let ground { basic["exemptionGround"] = ground }
        return [
            ("basicInfo", basic),
            (
                "members",
                [
                    [
                        "name": "李四", "idType": "residentId", "idNumber": IDs.member, "unit": "北京大学", "title": "副教授",
                        "role": "成员", "contribution": "第三章",
                    ]
                ]
            ),
            (
                "interimOutputs",
                [["title": "论文一", "form": "论文", "authors": "张三", "venue": "哲学研究", "date": "2025-03-01"]]
            ),
            (
                "finalAccounts",
                [
                    "direct": [
                        "equipment": ["approved": 100_000, "spent": 90_000, "balance": 10_000],
                        "business": ["approved": 300_000, "spent": 300_000, "balance": 0],
                        "labor": ["approved": 100_000, "spent": 50_000, "balance": 50_000],
                    ],
                    "indirect": ["approved": 100_000, "spent": 100_000, "balance": 0],
                ]
            ),
            ("avoidedExperts", [["name": "钱七", "unit": "清华大学", "reason": "学术观点分歧"]]),
        ]
    }

    static func attachment(_ owner: String, _ id: String, purpose: String, content: String = "ledger") -> [String: Any]
    {
        [
            owner: id, "purpose": purpose, "filename": "\(purpose).pdf", "mediaType": "application/pdf",
            "contentBase64": Base64.encode(Array(content.utf8)),
        ]
    }

    /// Given: a closeout C1 with all five sections saved and the ledger attached.
    mutating func readyCloseout(_ id: String = "C1", mode: String = "review", ground: String? = nil) {
        given("openCloseout", ["closeoutId": id, "projectNo": "24BZX001"], by: "L1")
        for (section, data) in World.sections(mode: mode, ground: ground) {
            given("saveCloseoutSection", ["closeoutId": id, "section": section, "data": data], by: "L1")
        }
        given("attachFile", World.attachment("closeoutId", id, purpose: "ledger"), by: "L1")
        if mode == "exempt" {
            given(
                "attachFile", World.attachment("closeoutId", id, purpose: "exemptionProof", content: "award"), by: "L1")
        }
    }

    /// Given: a closeout C1 submitted and waiting for the unit.
    mutating func closeoutUnderReview() {
        readyCloseout()
        given("submitCloseout", ["closeoutId": "C1"], by: "L1")
    }

    /// Given: a closeout C1 through unit and province, in appraisal with E1, E2, E5 assigned by the province.
    mutating func closeoutInAppraisal() {
        closeoutUnderReview()
        given("reviewCloseout", ["closeoutId": "C1", "decision": "approve", "opinion": "同意"], by: "UA1")
        given("reviewCloseout", ["closeoutId": "C1", "decision": "approve", "opinion": "同意"], by: "PO1")
        given("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1")
    }

    static func adjustmentFields(
        _ id: String, direct: [String: Int] = ["equipment": 50_000, "business": 350_000, "labor": 100_000],
        indirect: Int = 100_000, external: [[String: Any]] = [], newTotal: Int? = nil
    ) -> [String: Any] {
        var fields: [String: Any] = [
            "adjustmentId": id, "projectNo": "24BZX001", "direct": direct, "indirect": indirect, "external": external,
            "reason": "调整设备费",
        ]
        if let newTotal { fields["newTotal"] = newTotal }
        return fields
    }
}
