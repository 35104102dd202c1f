import Foundation

/// Command lines for a standard world: national office N0, provinces P1 and P2, units U1–U3 with
/// admins UA1–UA3, provincial offices PO1 and PO2, leader L1 of U1 and project 24BZX001.
enum Scenario {
    static var organisation: [String] {
        [
            line("bootstrap", ["accountId": "N0", "username": "national", "password": password, "name": "全国社科工作办"]),
            line("createProvince", ["provinceId": "P1", "name": "北京市"], by: "N0"),
            line("createProvince", ["provinceId": "P2", "name": "上海市"], by: "N0"),
            line("createUnit", ["unitId": "U1", "name": "北京大学", "provinceId": "P1"], by: "N0"),
            line("createUnit", ["unitId": "U2", "name": "清华大学", "provinceId": "P1"], by: "N0"),
            line("createUnit", ["unitId": "U3", "name": "复旦大学", "provinceId": "P2"], by: "N0"),
            line(
                "createAdminAccount",
                [
                    "accountId": "PO1", "role": "provincialOffice", "provinceId": "P1", "username": "po1",
                    "password": password, "name": "北京市社科规划办",
                ], by: "N0"),
            line(
                "createAdminAccount",
                [
                    "accountId": "PO2", "role": "provincialOffice", "provinceId": "P2", "username": "po2",
                    "password": password, "name": "上海市社科规划办",
                ], by: "N0"),
        ]
            + [("UA1", "U1", "PO1"), ("UA2", "U2", "PO1"), ("UA3", "U3", "PO2")].map { id, unit, by in
                line(
                    "createAdminAccount",
                    [
                        "accountId": id, "role": "unitAdmin", "unitId": unit, "username": id.lowercased(),
                        "password": password, "name": "\(unit)科研处",
                    ], by: by)
            }
    }

    static func account(
        _ id: String, role: String = "leader", phone: String, idNumber: String, unit: String, name: String = "张三"
    ) -> [String] {
        [
            line(
                "registerAccount",
                [
                    "accountId": id, "role": role, "username": phone, "email": "\(id.lowercased())@example.cn",
                    "name": name, "idType": "residentId", "idNumber": idNumber, "unitId": unit, "password": password,
                    "agreedToTerms": true,
                ]),
            line("reviewRegistration", ["accountId": id, "decision": "approve"], by: "UA" + unit.dropFirst()),
            line(
                "completeProfile",
                [
                    "profile": [
                        "gender": "男", "birthDate": "1980-01-01", "title": "教授", "degree": "博士", "researchArea": "哲学",
                    ]
                ], by: id),
        ]
    }

    static func project(
        _ no: String = "24BZX001", category: String = "general", leader: String = IDs.leader, unit: String = "U1",
        end: String = "2027-12-31"
    ) -> String {
        line(
            "registerProject",
            [
                "projectNo": no, "title": "中国哲学史研究", "category": category, "discipline": "哲学", "unitId": unit,
                "leader": ["name": "张三", "idType": "residentId", "idNumber": leader],
                "members": [
                    [
                        "name": "李四", "idType": "residentId", "idNumber": IDs.member, "unit": "北京大学", "title": "副教授",
                        "role": "成员",
                    ]
                ],
                "approvedOn": "2024-06-01", "plannedEndDate": end, "deliverableForm": "monograph",
                "budget": [
                    "direct": ["equipment": 100_000, "business": 300_000, "labor": 100_000], "indirect": 100_000,
                    "external": [] as [Any],
                ],
            ], by: "N0")
    }

    /// The organisation, leader L1 (U1), experts E1–E3, and project 24BZX001.
    static var standard: [String] {
        organisation + account("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
            + account("E1", role: "expert", phone: "13900000001", idNumber: IDs.expert1, unit: "U2", name: "王五")
            + account("E2", role: "expert", phone: "13900000002", idNumber: IDs.expert2, unit: "U3", name: "赵六")
            + account("E3", role: "expert", phone: "13900000003", idNumber: IDs.expert3, unit: "U2", name: "钱七")
            + [project()]
    }

    static func extensionRequest(_ id: String = "CR-1", newEnd: String = "2028-06-30") -> String {
        line(
            "draftChangeRequest",
            [
                "requestId": id, "projectNo": "24BZX001", "kind": "extension",
                "details": ["newEndDate": newEnd, "progress": "已完成主体部分", "plan": "补充史料"], "reason": "资料收集需要更多时间",
            ], by: "L1")
    }

    static func review(_ id: String, _ decision: String = "approve", by actor: String) -> String {
        line("reviewChangeRequest", ["requestId": id, "decision": decision, "opinion": "同意"], by: actor)
    }
}

extension Scenario {
    static func sections(
        mode: String = "review", ground: String? = nil, spentEquipment: Int = 90_000
    ) -> [(String, Any)] {
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
                        "equipment": ["approved": 100_000, "spent": spentEquipment, "balance": 10_000],
                        "business": ["approved": 300_000, "spent": 300_000, "balance": 0],
                        "labor": ["approved": 100_000, "spent": 50_000, "balance": 50_000],
                    ],
                    "indirect": ["approved": 100_000, "spent": 100_000, "balance": 0],
                ]
            ),
            ("avoidedExperts", [["name": "钱七", "unit": "清华大学", "reason": "学术观点分歧"]]),
        ]
    }

    static func attach(
        _ owner: String, _ id: String, purpose: String, content: String = "ledger", by: String = "L1"
    )
        -> String
    {
        line(
            "attachFile",
            [
                owner: id, "purpose": purpose, "filename": "\(purpose).pdf", "mediaType": "application/pdf",
                "contentBase64": Data(content.utf8).base64EncodedString(),
            ], by: by)
    }

    /// A closeout C1 of 24BZX001 with every section saved (and the ledger attached unless told not to).
    static func readyCloseout(
        _ id: String = "C1", mode: String = "review", ground: String? = nil, ledger: Bool = true,
        spentEquipment: Int = 90_000
    ) -> [String] {
        var lines = [line("openCloseout", ["closeoutId": id, "projectNo": "24BZX001"], by: "L1")]
        for (section, data) in sections(mode: mode, ground: ground, spentEquipment: spentEquipment) {
            lines.append(line("saveCloseoutSection", ["closeoutId": id, "section": section, "data": data], by: "L1"))
        }
        if ledger { lines.append(attach("closeoutId", id, purpose: "ledger")) }
        return lines
    }

    static func reviewCloseout(_ id: String = "C1", _ decision: String = "approve", by actor: String) -> String {
        line("reviewCloseout", ["closeoutId": id, "decision": decision, "opinion": "同意"], by: actor)
    }

    static func adjustment(
        _ id: String, direct: [String: Int] = ["equipment": 50_000, "business": 350_000, "labor": 100_000],
        indirect: Int = 100_000, external: [[String: Any]] = [], newTotal: Int? = nil
    ) -> String {
        var fields: [String: Any] = [
            "adjustmentId": id, "projectNo": "24BZX001", "direct": direct, "indirect": indirect, "external": external,
            "reason": "调整设备费",
        ]
        if let newTotal { fields["newTotal"] = newTotal }
        return line("draftBudgetAdjustment", fields, by: "L1")
    }

    static func change(_ id: String, kind: String, details: [String: Any], by actor: String = "L1") -> String {
        line(
            "draftChangeRequest",
            ["requestId": id, "projectNo": "24BZX001", "kind": kind, "details": details, "reason": "理由"], by: actor)
    }

    static func submit(_ id: String) -> String { line("submitChangeRequest", ["requestId": id], by: "L1") }
}
