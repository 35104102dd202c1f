import Foundation
import Testing

/// One line of a rule case: the command and the answer it must get ("ok" or an error code); a
/// rejection must cite `cites` (the case's own rule unless the step says otherwise).
struct RuleStep: Sendable {
    let line: String
    let expect: String
    /// The rule the error must cite: nil for the case's own; `RuleStep.noRule` for an error of input
    /// shape that no rule of docs/rules.md owns (the decoder's `invalidInput`, an unknown id).
    let cites: String?

    static let noRule = "none"
}

/// One rule through the command-line contract: lines after the standard world, each with the answer
/// it must get, then an optional check of the queries.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let rule: String
    let title: String
    let steps: [RuleStep]
    let check: (@Sendable (String) throws -> Void)?

    init(
        _ rule: String, _ title: String, _ steps: [RuleStep],
        check: (@Sendable (String) throws -> Void)? = nil
    ) {
        self.rule = rule
        self.title = title
        self.steps = steps
        self.check = check
    }

    var testDescription: String { "\(rule) \(title)" }
}

private func ok(_ lines: [String]) -> [RuleStep] { lines.map { RuleStep(line: $0, expect: "ok", cites: nil) } }
private func ok(_ line: String) -> RuleStep { RuleStep(line: line, expect: "ok", cites: nil) }
/// A rejected step; `cites` names another rule the error legitimately cites (or `RuleStep.noRule`).
private func fails(_ code: String, _ line: String, cites: String? = nil) -> RuleStep {
    RuleStep(line: line, expect: code, cites: cites)
}

private let now = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]

private func query(_ store: String, _ arguments: [String]) throws -> Any? {
    try runCLI(["query"] + arguments + ["--format", "json"], store: store, environment: now).json
}

private func member(_ store: String, _ arguments: [String], _ key: String) throws -> Any? {
    (try query(store, arguments) as? [String: Any])?[key]
}

private var registration: [String: Any] {
    [
        "accountId": "L9", "role": "leader", "username": "13800000009", "email": "l9@example.cn", "name": "王九",
        "idType": "residentId", "idNumber": IDs.otherLeader, "unitId": "U1", "password": password,
        "agreedToTerms": true,
    ]
}

private var fullProfile: [String: Any] {
    ["gender": "男", "birthDate": "1981-02-02", "title": "教授", "degree": "博士", "researchArea": "哲学"]
}

private func registering(_ changes: [String: Any]) -> String {
    line("registerAccount", registration.merging(changes) { $1 })
}

private let reviewChain = [
    Scenario.review("CR-1", by: "UA1"), Scenario.review("CR-1", by: "PO1"), Scenario.review("CR-1", by: "N0"),
]

let ruleCases: [RuleCase] = [
    // MARK: Accounts
    RuleCase(
        "R-ACC-1", "one phone holds a leader and an expert account; an expert cannot act as a leader",
        ok(Scenario.account("X1", role: "expert", phone: "13800000001", idNumber: IDs.leader, unit: "U1"))
            + [
                fails("duplicateAccount", registering(["accountId": "L8", "username": "13800000001"])),
                fails("forbidden", Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"], by: "X1")),
            ]),
    RuleCase(
        "R-ACC-2", "registration needs the agreement, an existing unit and a valid ID number",
        [
            fails("termsNotAccepted", registering(["agreedToTerms": false])),
            fails("unknownUnit", registering(["unitId": "U404"])),
            fails("invalidIdNumber", registering(["idNumber": "110108198001010010"])),
            fails("invalidInput", registering(["username": "2380000000"])),
            ok(registering(["idType": "passport", "idNumber": "E12345678"])),
        ]),
    RuleCase(
        "R-ACC-3", "only an admin of the account's unit reviews it; a rejected registration is resubmitted",
        [
            ok(registering([:])),
            fails("forbidden", line("reviewRegistration", ["accountId": "L9", "decision": "approve"], by: "UA2")),
            ok(line("reviewRegistration", ["accountId": "L9", "decision": "reject", "reason": "信息不全"], by: "UA1")),
            ok(line("resubmitRegistration", ["accountId": "L9", "password": password, "name": "王九九"])),
            ok(line("reviewRegistration", ["accountId": "L9", "decision": "approve"], by: "UA1")),
        ]),
    RuleCase(
        "R-ACC-4", "only an approved account logs in or acts",
        [
            ok(registering([:])),
            fails(
                "accountNotApproved",
                line("login", ["role": "leader", "username": "13800000009", "password": password])),
            fails("accountNotApproved", line("completeProfile", ["profile": fullProfile], by: "L9")),
            ok(line("reviewRegistration", ["accountId": "L9", "decision": "approve"], by: "UA1")),
            ok(line("login", ["role": "leader", "username": "13800000009", "password": password])),
        ]),
    RuleCase(
        "R-ACC-5", "until the profile is complete, only completeProfile and login work",
        [
            ok(registering([:])),
            ok(line("reviewRegistration", ["accountId": "L9", "decision": "approve"], by: "UA1")),
            ok(Scenario.project("24BZX009", leader: IDs.otherLeader)),
            fails(
                "profileIncomplete",
                line(
                    "draftChangeRequest",
                    ["projectNo": "24BZX009", "kind": "changeTitle", "details": ["newTitle": "新"], "reason": "理由"],
                    by: "L9")),
            ok(line("login", ["role": "leader", "username": "13800000009", "password": password])),
            ok(line("completeProfile", ["profile": fullProfile], by: "L9")),
            ok(
                line(
                    "draftChangeRequest",
                    ["projectNo": "24BZX009", "kind": "changeTitle", "details": ["newTitle": "新"], "reason": "理由"],
                    by: "L9")),
        ]),
    RuleCase(
        "R-ACC-6", "weak passwords are refused; five failures lock the account; unknown user looks the same",
        [
            fails("weakPassword", registering(["password": "short1"])),
            fails("weakPassword", registering(["password": "onlyletters"])),
        ]
            + (1...5).map { _ in
                fails(
                    "invalidCredentials",
                    line("login", ["role": "leader", "username": "13800000001", "password": "Wrong1234"]),
                    cites: "R-ACC-10")
            }
            + [
                fails(
                    "accountLocked", line("login", ["role": "leader", "username": "13800000001", "password": password])),
                fails(
                    "invalidCredentials",
                    line("login", ["role": "leader", "username": "13899999999", "password": password]),
                    cites: "R-ACC-10"),
                ok(line("login", ["role": "expert", "username": "13900000001", "password": password])),
            ],
        check: { store throws in
            #expect(try member(store, ["account", "L1"], "locked") as? Bool == true)
            #expect(try member(store, ["account", "E1"], "locked") as? Bool == false)
        }),
    RuleCase(
        "R-ACC-7", "a reset request answers the same for unknown users; a bad token is refused",
        [
            ok(line("requestPasswordReset", ["role": "leader", "username": "13800000001"])),
            ok(line("requestPasswordReset", ["role": "leader", "username": "13899999999"])),
            fails("tokenInvalid", line("resetPassword", ["token": "not-a-token", "newPassword": "NewSecret123"])),
        ],
        check: { store throws in
            let delivered = try deliverOutbox(store: store, environment: now)
            let resets = delivered.filter { $0["template"] as? String == "passwordReset" }
            #expect(resets.count == 2, "one sms and one e-mail, only for the existing account")
            let token = try #require((resets.first?["params"] as? [String: Any])?["token"] as? String)
            let reset = try apply(
                [line("resetPassword", ["token": token, "newPassword": "NewSecret123"])], store: store, environment: now
            )
            #expect(reset.status == 0)
            let again = try apply(
                [line("resetPassword", ["token": token, "newPassword": "Other12345"])], store: store, environment: now)
            #expect((again.results.first?["error"] as? [String: Any])?["code"] as? String == "tokenInvalid")
            let login = try apply(
                [line("login", ["role": "leader", "username": "13800000001", "password": "NewSecret123"])],
                store: store,
                environment: now)
            #expect(login.status == 0)
        }),
    RuleCase(
        "R-ACC-8", "secrets never enter the log; ID numbers are masked outside one's own view",
        ok([line("requestPasswordReset", ["role": "leader", "username": "13800000001"])])
            + ok(Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
            // A guessed token is refused; the real one never shows in the log (checked below).
            + [
                fails(
                    "tokenInvalid", line("resetPassword", ["token": "guessed-token", "newPassword": "NewSecret123"]),
                    cites: "R-ACC-7")
            ],
        check: { store throws in
            let events = try runCLI(["replay", "events"], store: store).stdout
            #expect(!events.contains(password))
            let operatorOutbox = try runCLI(["query", "outbox", "--format", "json"], store: store, environment: now)
            let leaderBefore = try runCLI(["query", "outbox", "--format", "json", "--as", "L1"], store: store)
            let delivered = try deliverOutbox(store: store, environment: now)
            let tokens = delivered.compactMap { ($0["params"] as? [String: Any])?["token"] as? String }
            let token = try #require(tokens.first)
            #expect(!events.contains(token))
            #expect(!operatorOutbox.stdout.contains(token), "not even the operator's view shows a token")
            #expect(!leaderBefore.stdout.contains(token))
            let asOther = try runCLI(["query", "account", "L1", "--format", "json", "--as", "L2"], store: store)
            #expect(asOther.status == 1)
            let asAdmin = try runCLI(["query", "account", "L1", "--format", "json", "--as", "UA1"], store: store)
            #expect((asAdmin.json as? [String: Any])?["idNumber"] as? String == IDs.leader)
            let leaderOutbox = try runCLI(["query", "outbox", "--format", "json", "--as", "L1"], store: store)
            #expect(!leaderOutbox.stdout.contains(token))
        }),
    RuleCase(
        "R-ACC-9", "an admin in scope disables and re-enables an account; disabled accounts cannot act",
        [
            fails("forbidden", line("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA2")),
            ok(line("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1")),
            fails("accountDisabled", Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
            ok(line("setAccountEnabled", ["accountId": "L1", "enabled": true], by: "PO1")),
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
        ]),
    RuleCase(
        "R-ACC-10", "login checks the password first",
        [
            ok(line("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1")),
            fails(
                "invalidCredentials",
                line("login", ["role": "leader", "username": "13800000001", "password": "Wrong1234"])),
            fails(
                "accountDisabled", line("login", ["role": "leader", "username": "13800000001", "password": password]),
                cites: "R-ACC-9"),
        ]),

    // MARK: Projects
    RuleCase(
        "R-PRJ-1", "terminated is final: no change request afterwards",
        [
            ok(Scenario.change("CR-1", kind: "selfTermination", details: ["reason": "无法继续", "fundsUsed": 100_000])),
            ok(Scenario.submit("CR-1")), ok(Scenario.review("CR-1", by: "UA1")),
            fails(
                "projectNotActive", Scenario.change("CR-2", kind: "changeTitle", details: ["newTitle": "新"]),
                cites: "R-CHG-4"),
        ],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "status") as? String == "terminated")
        }),
    RuleCase(
        "R-PRJ-2", "a leader sees projects by ID number; the unit admin fixes a missing number",
        ok(Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
            + [
                ok(Scenario.project("24BZX002", leader: residentId("11010819990909099"))),
                fails(
                    "forbidden",
                    line(
                        "setLeaderIdNumber",
                        ["projectNo": "24BZX002", "idType": "residentId", "idNumber": IDs.otherLeader], by: "UA2")),
                ok(
                    line(
                        "setLeaderIdNumber",
                        ["projectNo": "24BZX002", "idType": "residentId", "idNumber": IDs.otherLeader], by: "UA1")),
            ],
        check: { store throws in
            let mine = try runCLI(
                ["query", "projects", "--format", "json", "--as", "L2"], store: store, environment: now)
            #expect(((mine.json as? [[String: Any]]) ?? []).compactMap { $0["projectNo"] as? String } == ["24BZX002"])
        }),
    RuleCase(
        "R-PRJ-3", "overdue is computed from today and the planned end date",
        [
            ok(Scenario.project("24BZX002", end: "2025-12-31")),
            // Only the national office runs the sweep that lists overdue projects for their units.
            fails("forbidden", line("runDeadlineSweep", [:], by: "UA1"), cites: "R-NTF-2"),
            ok(line("runDeadlineSweep", [:], by: "N0")),
        ],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX002"], "overdue") as? Bool == true)
            #expect(try member(store, ["project", "24BZX001"], "overdue") as? Bool == false)
            let overdue = try #require(try query(store, ["projects", "--overdue"]) as? [[String: Any]])
            #expect(overdue.compactMap { $0["projectNo"] as? String } == ["24BZX002"])
        }),
    RuleCase(
        "R-PRJ-4", "the project as of an earlier position keeps its old end date; it is never registered over",
        ok([Scenario.extensionRequest(), Scenario.submit("CR-1")] + reviewChain)
            + [fails("duplicateId", Scenario.project("24BZX001", end: "2029-12-31"))],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "plannedEndDate") as? String == "2028-06-30")
            let history = try #require(try query(store, ["history", "24BZX001"]) as? [[String: Any]])
            let registered = try #require(history.first?["position"] as? Int)
            let before = try runCLI(["replay", "state", "24BZX001", "--as-of", "\(registered)"], store: store)
            #expect((before.json as? [String: Any])?["plannedEndDate"] as? String == "2027-12-31")
        }),

    // MARK: Change requests
    RuleCase(
        "R-CHG-1", "a request carries exactly one kind",
        [
            fails(
                "invalidInput",
                Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新", "newForm": "papers"])),
            fails(
                "invalidInput", Scenario.change("CR-1", kind: "renameEverything", details: ["newTitle": "新"]),
                cites: RuleStep.noRule),
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
        ]),
    RuleCase(
        "R-CHG-2", "requests of different kinds are open at once and move independently",
        [
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
            ok(Scenario.change("CR-2", kind: "changeDeliverableForm", details: ["newForm": "papers"])),
            ok(Scenario.submit("CR-2")), ok(Scenario.review("CR-2", by: "UA1")),
            fails("invalidState", Scenario.review("CR-1", by: "UA1"), cites: "R-CHG-5"),
        ]),
    RuleCase(
        "R-CHG-3", "one open request per kind; cancelling frees the kind",
        [
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
            fails("duplicatePendingChange", Scenario.change("CR-2", kind: "changeTitle", details: ["newTitle": "新二"])),
            ok(line("cancelChangeRequest", ["requestId": "CR-1"], by: "L1")),
            ok(Scenario.change("CR-3", kind: "changeTitle", details: ["newTitle": "新三"])),
        ]),
    RuleCase(
        "R-CHG-4", "only the leader drafts, and only while the project accepts changes",
        ok(Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
            + [fails("forbidden", Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"], by: "L2"))]
            + ok(Scenario.readyCloseout() + [line("submitCloseout", ["closeoutId": "C1"], by: "L1")])
            + [fails("projectNotActive", Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"]))]),
    RuleCase(
        "R-CHG-5", "each level reviews only its own turn and scope",
        [
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])), ok(Scenario.submit("CR-1")),
            fails("invalidState", Scenario.review("CR-1", by: "PO1")),
            fails("forbidden", Scenario.review("CR-1", by: "UA2")),
            ok(Scenario.review("CR-1", by: "UA1")),
            fails("forbidden", Scenario.review("CR-1", by: "PO2")),
            ok(Scenario.review("CR-1", by: "PO1")),
            ok(Scenario.review("CR-1", by: "N0")),
        ]),
    RuleCase(
        "R-CHG-6", "member changes take effect at the unit; extensions wait for the national office",
        [
            ok(Scenario.change("CR-1", kind: "changeMembers", details: ["add": [] as [Any], "remove": [IDs.member]])),
            ok(Scenario.submit("CR-1")), ok(Scenario.review("CR-1", by: "UA1")),
            ok(Scenario.extensionRequest("CR-2")), ok(Scenario.submit("CR-2")), ok(Scenario.review("CR-2", by: "UA1")),
            fails("invalidState", Scenario.review("CR-1", by: "PO1")),
        ],
        check: { store throws in
            #expect(try member(store, ["change", "CR-1"], "status") as? String == "effective")
            #expect(try member(store, ["change", "CR-1"], "filed") as? Bool == true)
            #expect(try member(store, ["change", "CR-2"], "awaiting") as? String == "province")
            let inbox = try #require(try query(store, ["inbox", "PO1"]) as? [[String: Any]])
            #expect(inbox.contains { $0["kind"] as? String == "filing" && $0["id"] as? String == "CR-1" })
        }),
    RuleCase(
        "R-CHG-7", "an effective change updates the project at once",
        ok(
            [Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "宋明理学研究"]), Scenario.submit("CR-1")]
                + reviewChain)
            + [fails("invalidInput", Scenario.change("CR-2", kind: "changeTitle", details: ["newTitle": "宋明理学研究"]))],
        check: { store throws in #expect(try member(store, ["project", "24BZX001"], "title") as? String == "宋明理学研究") }),
    RuleCase(
        "R-CHG-8", "leaving active closes every other open item with a reason",
        [
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])),
            ok(Scenario.adjustment("BA-1")),
            ok(Scenario.change("CR-2", kind: "withdrawal", details: ["reason": "撤项", "fundsReceived": 300_000])),
            ok(Scenario.submit("CR-2")), ok(Scenario.review("CR-2", by: "UA1")),
            fails(
                "invalidState",
                line(
                    "reviewBudgetAdjustment", ["adjustmentId": "BA-1", "decision": "approve", "opinion": "同意"],
                    by: "UA1")),
        ],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "status") as? String == "withdrawn")
            #expect(try member(store, ["change", "CR-1"], "status") as? String == "closed")
            #expect(try member(store, ["adjustment", "BA-1"], "status") as? String == "closed")
        }),
    RuleCase(
        "R-CHG-9", "extension limits: later date, at most 12 months, five-year cap, 90 days' notice, two extensions",
        [
            fails("extensionNotLater", Scenario.extensionRequest("CR-1", newEnd: "2027-06-30")),
            fails("exceedsMaximumPeriod", Scenario.extensionRequest("CR-1", newEnd: "2029-06-30")),
            ok(Scenario.extensionRequest("CR-1", newEnd: "2028-06-30")), ok(Scenario.submit("CR-1")),
        ] + ok(reviewChain)
            + [
                fails("exceedsMaximumPeriod", Scenario.extensionRequest("CR-2", newEnd: "2029-06-30")),
                ok(Scenario.extensionRequest("CR-2", newEnd: "2029-05-31")), ok(Scenario.submit("CR-2")),
                ok(Scenario.review("CR-2", by: "UA1")), ok(Scenario.review("CR-2", by: "PO1")),
                ok(Scenario.review("CR-2", by: "N0")),
                fails("extensionLimitReached", Scenario.extensionRequest("CR-3", newEnd: "2029-06-15")),
                ok(Scenario.project("24BZX002", end: "2026-04-30")),
                ok(
                    line(
                        "draftChangeRequest",
                        [
                            "requestId": "CR-4", "projectNo": "24BZX002", "kind": "extension",
                            "details": ["newEndDate": "2026-10-31", "progress": "p", "plan": "q"], "reason": "r",
                        ], by: "L1")),
                fails("extensionTooLate", Scenario.submit("CR-4")),
            ]),
    RuleCase(
        "R-CHG-10", "the approval form exists only once the request is effective",
        ok([Scenario.extensionRequest(), Scenario.submit("CR-1")] + reviewChain)
            + ok([Scenario.change("CR-2", kind: "changeTitle", details: ["newTitle": "新"])])
            + [fails("invalidState", Scenario.review("CR-1", by: "N0"), cites: "R-CHG-5")],
        check: { store throws in
            #expect(try runCLI(["form", "change-approval", "CR-1"], store: store).status == 0)
            #expect(try runCLI(["form", "change-approval", "CR-1", "--as", "L1"], store: store).status == 0)
            #expect(try runCLI(["form", "change-approval", "CR-2"], store: store).status == 1)
        }),

    // MARK: Closeouts
    RuleCase(
        "R-CLO-1", "one open closeout per active project",
        [
            ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")),
            fails(
                "closeoutAlreadyOpen", line("openCloseout", ["closeoutId": "C2", "projectNo": "24BZX001"], by: "L1")),
        ]),
    RuleCase(
        "R-CLO-2", "submitting needs every section, the ledger, and for exempt closeouts a proof",
        [ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1"))]
            + [fails("incompleteCloseout", line("submitCloseout", ["closeoutId": "C1"], by: "L1"))]
            + ok(
                Scenario.sections(mode: "exempt", ground: "award").map {
                    line("saveCloseoutSection", ["closeoutId": "C1", "section": $0.0, "data": $0.1], by: "L1")
                })
            + [
                fails("ledgerAttachmentRequired", line("submitCloseout", ["closeoutId": "C1"], by: "L1")),
                ok(Scenario.attach("closeoutId", "C1", purpose: "ledger")),
                fails("exemptionProofRequired", line("submitCloseout", ["closeoutId": "C1"], by: "L1")),
                ok(Scenario.attach("closeoutId", "C1", purpose: "exemptionProof", content: "award")),
                ok(line("submitCloseout", ["closeoutId": "C1"], by: "L1")),
            ]),
    RuleCase(
        "R-CLO-3", "final accounts must add up to the budget",
        ok(Scenario.readyCloseout(spentEquipment: 95_000))
            + [fails("budgetMismatch", line("submitCloseout", ["closeoutId": "C1"], by: "L1"))]),
    RuleCase(
        "R-CLO-4", "recall until the unit acts; a return sends it back for editing",
        ok(Scenario.readyCloseout())
            + ok([
                line("submitCloseout", ["closeoutId": "C1"], by: "L1"),
                line("recallCloseout", ["closeoutId": "C1"], by: "L1"),
                line("submitCloseout", ["closeoutId": "C1"], by: "L1"),
                Scenario.reviewCloseout("C1", "return", by: "UA1"),
                line("submitCloseout", ["closeoutId": "C1"], by: "L1"), Scenario.reviewCloseout(by: "UA1"),
            ])
            + [fails("invalidState", line("recallCloseout", ["closeoutId": "C1"], by: "L1"))]),
    RuleCase(
        "R-CLO-5", "the organiser assigns experts free of conflicts; the leader never sees who",
        ok(Scenario.readyCloseout())
            + ok([
                line("submitCloseout", ["closeoutId": "C1"], by: "L1"), Scenario.reviewCloseout(by: "UA1"),
                Scenario.reviewCloseout(by: "PO1"),
            ])
            + ok(
                Scenario.account(
                    "E4", role: "expert", phone: "13900000004", idNumber: residentId("11010819730808008"), unit: "U1",
                    name: "孙八"))
            + [
                fails(
                    "forbidden",
                    line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2"]], by: "N0")),
                fails(
                    "expertConflict",
                    line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E4"]], by: "PO1")),
                fails(
                    "expertConflict",
                    line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E3"]], by: "PO1")),
            ]
            + ok(
                Scenario.account(
                    "E5", role: "expert", phone: "13900000005", idNumber: residentId("31010419740909009"), unit: "U3",
                    name: "周九"))
            + [ok(line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1"))],
        check: { store throws in
            let asLeader = try runCLI(["query", "closeout", "C1", "--format", "json", "--as", "L1"], store: store)
            #expect(asLeader.status == 0)
            #expect((asLeader.json as? [String: Any])?["experts"] == nil)
            #expect(!asLeader.stdout.contains("E5"))
            let history = try runCLI(["query", "history", "24BZX001", "--format", "json", "--as", "L1"], store: store)
            #expect(!history.stdout.contains("E5"))
            let asOffice = try runCLI(["query", "closeout", "C1", "--format", "json", "--as", "PO1"], store: store)
            #expect(((asOffice.json as? [String: Any])?["experts"] as? [String]) == ["E1", "E2", "E5"])
        }),
]

private let inAppraisal: [String] =
    Scenario.readyCloseout()
    + [
        line("submitCloseout", ["closeoutId": "C1"], by: "L1"), Scenario.reviewCloseout(by: "UA1"),
        Scenario.reviewCloseout(by: "PO1"),
    ]
    + Scenario.account(
        "E5", role: "expert", phone: "13900000005", idNumber: residentId("31010419740909009"), unit: "U3", name: "周九")
    + [line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1")]

private func appraisal(_ expert: String, _ grade: String) -> String {
    line("submitAppraisal", ["closeoutId": "C1", "grade": grade, "comments": "论证充分"], by: expert)
}

private func conclude(_ outcome: String, certificate: String? = nil) -> String {
    var fields: [String: Any] = ["closeoutId": "C1", "outcome": outcome]
    if let certificate { fields["certificateNo"] = certificate }
    return line("concludeCloseout", fields, by: "N0")
}

let moreRuleCases: [RuleCase] = [
    RuleCase(
        "R-CLO-6", "each assigned expert appraises once; others may not",
        ok(inAppraisal)
            + [
                fails("forbidden", appraisal("E3", "good")),
                ok(appraisal("E1", "good")),
                fails("invalidState", appraisal("E1", "excellent")),
            ]),
    RuleCase(
        "R-CLO-7", "the national office concludes with a unique certificate, or defers for revision",
        ok(inAppraisal + [appraisal("E1", "good"), appraisal("E2", "excellent")])
            + [fails("invalidState", conclude("completed", certificate: "JX2026-001"))]
            + ok([appraisal("E5", "pass"), conclude("deferred")])
            + [fails("incompleteCloseout", line("submitCloseout", ["closeoutId": "C1"], by: "L1"))]
            + ok([
                Scenario.attach("closeoutId", "C1", purpose: "revisionNotes", content: "修改说明"),
                line("submitCloseout", ["closeoutId": "C1"], by: "L1"), Scenario.reviewCloseout(by: "UA1"),
                Scenario.reviewCloseout(by: "PO1"),
                line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1"),
                appraisal("E1", "good"), appraisal("E2", "good"), appraisal("E5", "excellent"),
                conclude("completed", certificate: "JX2026-001"),
            ]),
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "status") as? String == "completed")
            #expect(try member(store, ["closeout", "C1"], "grade") as? String == "good")
            #expect(try member(store, ["closeout", "C1"], "certificateNo") as? String == "JX2026-001")
        }),
    RuleCase(
        "R-CLO-8", "every approved change request of the project is listed in the closeout",
        ok([Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"]), Scenario.submit("CR-1")])
            + ok([
                Scenario.review("CR-1", by: "UA1"), Scenario.review("CR-1", by: "PO1"),
                Scenario.review("CR-1", by: "N0"),
            ])
            + ok(Scenario.readyCloseout())
            + [
                fails(
                    "closeoutAlreadyOpen",
                    line("openCloseout", ["closeoutId": "C2", "projectNo": "24BZX001"], by: "L1"), cites: "R-CLO-1")
            ],
        check: { store throws in
            #expect(try member(store, ["closeout", "C1"], "approvedChangeRequests") as? [String] == ["CR-1"])
        }),
    RuleCase(
        "R-ATT-1", "files are stored once by content; over 20 MiB is refused",
        [ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1"))]
            + ok([
                Scenario.attach("closeoutId", "C1", purpose: "ledger", content: "同一份文件"),
                Scenario.attach("closeoutId", "C1", purpose: "other", content: "同一份文件"),
            ])
            + [
                fails(
                    "attachmentTooLarge",
                    line(
                        "attachFile",
                        [
                            "closeoutId": "C1", "purpose": "other", "filename": "big.bin",
                            "mediaType": "application/octet-stream",
                            "contentBase64": Data(count: 20 * 1024 * 1024 + 1).base64EncodedString(),
                        ], by: "L1"))
            ],
        check: { store throws in
            let attachments = try #require(try member(store, ["closeout", "C1"], "attachments") as? [[String: Any]])
            #expect(attachments.count == 2)
            #expect(Set(attachments.compactMap { $0["digest"] as? String }).count == 1)
        }),
    RuleCase(
        "R-ATT-2", "only the owner attaches",
        ok(Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
            + [
                ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")),
                fails("forbidden", Scenario.attach("closeoutId", "C1", purpose: "ledger", by: "L2")),
                fails("forbidden", Scenario.attach("closeoutId", "C1", purpose: "ledger", by: "UA1")),
                ok(Scenario.attach("closeoutId", "C1", purpose: "ledger")),
            ]),

    // MARK: Budget
    RuleCase(
        "R-BUD-1", "the indirect amount is never adjustable",
        [
            fails(
                "indirectCostNotAdjustable",
                Scenario.adjustment(
                    "BA-1", direct: ["equipment": 50_000, "business": 300_000, "labor": 100_000], indirect: 150_000)),
            ok(Scenario.adjustment("BA-1")),
        ]),
    RuleCase(
        "R-BUD-2", "amounts are not negative; sums and allocations add up",
        [
            ok(Scenario.adjustment("BA-1", direct: ["equipment": -1, "business": 400_001, "labor": 100_000])),
            fails("invalidAmount", line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1")),
            ok(line("cancelBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1")),
            ok(
                Scenario.adjustment(
                    "BA-2", direct: ["equipment": 50_000, "business": 300_000, "labor": 100_000], newTotal: 600_000)),
            fails("budgetMismatch", line("submitBudgetAdjustment", ["adjustmentId": "BA-2"], by: "L1")),
            ok(line("cancelBudgetAdjustment", ["adjustmentId": "BA-2"], by: "L1")),
            ok(
                Scenario.adjustment(
                    "BA-3",
                    external: [
                        [
                            "partner": "复旦大学", "creditCode": "12100000425006117P", "amount": 100_000,
                            "byCategory": ["business": 90_000],
                        ]
                    ])),
            fails("budgetMismatch", line("submitBudgetAdjustment", ["adjustmentId": "BA-3"], by: "L1")),
        ]),
    RuleCase(
        "R-BUD-3", "a changed total or a new partner needs national approval; other adjustments end at the unit",
        ok([
            Scenario.adjustment("BA-1"), line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1"),
            line(
                "reviewBudgetAdjustment", ["adjustmentId": "BA-1", "decision": "approve", "opinion": "同意"], by: "UA1"),
            Scenario.adjustment(
                "BA-2", direct: ["equipment": 50_000, "business": 450_000, "labor": 100_000], newTotal: 700_000),
            line("submitBudgetAdjustment", ["adjustmentId": "BA-2"], by: "L1"),
            line(
                "reviewBudgetAdjustment", ["adjustmentId": "BA-2", "decision": "approve", "opinion": "同意"], by: "UA1"),
        ])
            + [
                fails(
                    "forbidden",
                    line(
                        "reviewBudgetAdjustment", ["adjustmentId": "BA-2", "decision": "approve", "opinion": "同意"],
                        by: "PO2"), cites: "R-CHG-5"),
                ok(
                    line(
                        "reviewBudgetAdjustment", ["adjustmentId": "BA-2", "decision": "approve", "opinion": "同意"],
                        by: "PO1")),
                ok(
                    line(
                        "reviewBudgetAdjustment", ["adjustmentId": "BA-2", "decision": "approve", "opinion": "同意"],
                        by: "N0")),
            ],
        check: { store throws in
            #expect(try member(store, ["adjustment", "BA-1"], "status") as? String == "effective")
            #expect(try member(store, ["adjustment", "BA-1"], "needsNational") as? Bool == false)
            #expect(try member(store, ["adjustment", "BA-2"], "needsNational") as? Bool == true)
            let budget = try #require(try member(store, ["project", "24BZX001"], "budget") as? [String: Any])
            #expect(budget["total"] as? Int == 700_000)
        }),
    RuleCase(
        "R-BUD-4", "one open adjustment per project, leader only",
        ok(Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
            + [
                ok(Scenario.adjustment("BA-1")),
                fails("duplicatePendingChange", Scenario.adjustment("BA-2")),
                fails("forbidden", line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L2")),
                ok(line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1")),
                ok(line("recallBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1")),
            ]),

    // MARK: Notifications and the log
    RuleCase(
        "R-NTF-1", "a submitted request notifies its reviewers through the outbox, in the same commit",
        [
            ok(Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])), ok(Scenario.submit("CR-1")),
            // A refusal without an opinion is rejected and tells the leader nothing (no itemDecided below).
            fails(
                "invalidInput", line("reviewChangeRequest", ["requestId": "CR-1", "decision": "reject"], by: "UA1"),
                cites: RuleStep.noRule),
        ],
        check: { store throws in
            let sent = try #require(try query(store, ["outbox"]) as? [[String: Any]])
            #expect(!sent.contains { $0["template"] as? String == "itemDecided" })
            let pending = try #require(try query(store, ["outbox", "--undelivered"]) as? [[String: Any]])
            #expect(
                pending.contains {
                    $0["recipient"] as? String == "UA1" && $0["template"] as? String == "reviewRequested"
                })
            let inbox = try #require(try query(store, ["inbox", "UA1"]) as? [[String: Any]])
            #expect(inbox.contains { $0["id"] as? String == "CR-1" && $0["action"] as? String == "review" })
        }),
    RuleCase(
        "R-NTF-2", "the deadline sweep sends each reminder once",
        [
            ok(Scenario.project("24BZX002", end: "2026-06-15")),
            fails("forbidden", line("runDeadlineSweep", [:], by: "UA1")),
            ok(line("runDeadlineSweep", [:], by: "N0")),
            ok(line("runDeadlineSweep", [:], by: "N0")),
        ],
        check: { store throws in
            let outbox = try #require(try query(store, ["outbox"]) as? [[String: Any]])
            let reminders = outbox.filter { $0["template"] as? String == "deadlineReminder" }
            #expect(!reminders.isEmpty)
            let history = try #require(try query(store, ["history", "24BZX002"]) as? [[String: Any]])
            #expect(history.filter { $0["type"] as? String == "DeadlineReminderSent" }.count == 1)
        }),
    RuleCase(
        "R-LOG-4", "a command's time comes with it; time that runs backwards is refused",
        [
            ok(line("createProvince", ["provinceId": "P3", "name": "广东省"], by: "N0", at: "2026-03-02T09:00:00+08:00")),
            fails(
                "clockSkew",
                line("createProvince", ["provinceId": "P4", "name": "浙江省"], by: "N0", at: "2026-03-01T10:00:00+08:00")),
            ok(line("createProvince", ["provinceId": "P4", "name": "浙江省"], by: "N0", at: "2026-03-02T09:00:00+08:00")),
        ]),
]

private func closeoutLine(_ type: String, _ fields: [String: Any] = [:]) -> String {
    line(type, ["closeoutId": "C1"].merging(fields) { $1 }, by: "L1")
}

private func finalAccounts(_ direct: [String: [String: Int]]) -> String {
    closeoutLine(
        "saveCloseoutSection",
        [
            "section": "finalAccounts",
            "data": ["direct": direct, "indirect": ["approved": 100_000, "spent": 100_000, "balance": 0]],
        ])
}

private func extensionOf(_ id: String, _ projectNo: String, to newEnd: String, at time: String) -> String {
    line(
        "draftChangeRequest",
        [
            "requestId": id, "projectNo": projectNo, "kind": "extension",
            "details": ["newEndDate": newEnd, "progress": "p", "plan": "q"], "reason": "r",
        ], by: "L1", at: time)
}

private var newLeader: [String: Any] { ["name": "陈十", "idType": "residentId", "idNumber": IDs.newLeader] }

private let unitChain = ["UA1", "UA2", "PO1", "N0"].map { Scenario.review("CR-1", by: $0) }

/// The rules of revision 2 (docs/rules.md "(rev. 2)").
let revisionTwoCases: [RuleCase] = [
    RuleCase(
        "R-CLO-2", "rev. 2: a leader's instruction or a classified result is refused (offPlatformProcedure)",
        [ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1"))]
            + ["leadershipInstruction", "classified"].map { ground in
                fails(
                    "offPlatformProcedure",
                    closeoutLine(
                        "saveCloseoutSection",
                        ["section": "basicInfo", "data": Scenario.sections(mode: "exempt", ground: ground)[0].1]))
            }
            + ok(
                Scenario.sections(mode: "exempt", ground: "adopted").map {
                    closeoutLine("saveCloseoutSection", ["section": $0.0, "data": $0.1])
                })
            + ok([
                Scenario.attach("closeoutId", "C1", purpose: "ledger"),
                Scenario.attach("closeoutId", "C1", purpose: "exemptionProof", content: "采纳证明"),
                closeoutLine("submitCloseout"),
            ])),
    RuleCase(
        "R-CLO-2", "rev. 2: a closeout for appraisal needs its final deliverable, after the ledger",
        ok(Scenario.readyCloseout(ledger: false))
            + [fails("ledgerAttachmentRequired", closeoutLine("submitCloseout"))]
            + [ok(Scenario.attach("closeoutId", "C1", purpose: "ledger"))]
            + [fails("finalDeliverableRequired", closeoutLine("submitCloseout"))]
            + ok([
                Scenario.attach("closeoutId", "C1", purpose: "finalDeliverable", content: "书稿"),
                closeoutLine("submitCloseout"),
            ])),
    RuleCase(
        "R-CLO-5", "rev. 2: an assigned expert reads the appraisal material, which never names the leader",
        ok(inAppraisal) + [fails("forbidden", appraisal("E3", "good"), cites: "R-CLO-6")],
        check: { store throws in
            let material = try runCLI(
                ["query", "appraisal-material", "C1", "--format", "json", "--as", "E1"], store: store)
            #expect(material.status == 0, "\(material.stderr)")
            #expect(material.stdout.contains("论文一"))
            for secret in ["张三", IDs.leader, "北京大学", "李四", "L1"] { #expect(!material.stdout.contains(secret)) }
            let outsider = try runCLI(["query", "appraisal-material", "C1", "--as", "E3"], store: store)
            let unknown = try runCLI(["query", "appraisal-material", "C404", "--as", "E1"], store: store)
            #expect(outsider.status == 1 && unknown.status == 1)
            #expect(outsider.stderr.contains("forbidden") && unknown.stderr.contains("forbidden"))
        }),
    RuleCase(
        "R-CLO-3", "rev. 2: exactly the budget's categories and approved amounts, nothing negative",
        ok(Scenario.readyCloseout())
            + ok([
                finalAccounts([
                    "equipment": ["approved": 100_000, "spent": -1, "balance": 100_001],
                    "business": ["approved": 300_000, "spent": 300_000, "balance": 0],
                    "labor": ["approved": 100_000, "spent": 100_000, "balance": 0],
                ])
            ])
            + [fails("invalidAmount", closeoutLine("submitCloseout"))]
            + ok([finalAccounts(["equipment": ["approved": 500_000, "spent": 500_000, "balance": 0]])])
            + [fails("budgetMismatch", closeoutLine("submitCloseout"))]
            + ok([
                finalAccounts([
                    "equipment": ["approved": 100_000, "spent": 100_000, "balance": 0],
                    "business": ["approved": 300_000, "spent": 280_000, "balance": 20_000],
                    "labor": ["approved": 100_000, "spent": 100_000, "balance": 0],
                ]),
                closeoutLine("submitCloseout"),
            ])),
    RuleCase(
        "R-CLO-7", "rev. 2: an exempt closeout is completed with a grade",
        ok(
            Scenario.readyCloseout(mode: "exempt", ground: "award") + [
                Scenario.attach("closeoutId", "C1", purpose: "exemptionProof", content: "获奖证书"),
                closeoutLine("submitCloseout"), Scenario.reviewCloseout(by: "UA1"), Scenario.reviewCloseout(by: "PO1"),
            ])
            + [fails("invalidInput", conclude("completed", certificate: "JX2026-009"))]
            + [
                ok(
                    line(
                        "concludeCloseout",
                        [
                            "closeoutId": "C1", "outcome": "completed", "grade": "excellent",
                            "certificateNo": "JX2026-009",
                        ],
                        by: "N0"))
            ],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "grade") as? String == "excellent")
        }),
    RuleCase(
        "R-CLO-9", "rev. 2: the completion certificate, for the leader and admins in scope",
        ok(
            inAppraisal + [
                appraisal("E1", "good"), appraisal("E2", "good"), appraisal("E5", "excellent"),
                conclude("completed", certificate: "JX2026-001"), Scenario.project("24BZX002"),
            ])
            + [fails("invalidState", conclude("completed", certificate: "JX2026-002"), cites: "R-CLO-7")],
        check: { store throws in
            let page = try runCLI(["form", "completion-certificate", "24BZX001", "--as", "L1"], store: store)
            #expect(page.status == 0, "\(page.stderr)")
            for text in ["JX2026-001", "24BZX001", "中国哲学史研究", "张三", "北京大学", "良好"] {
                #expect(page.stdout.contains(text), "missing \(text)")
            }
            #expect(
                try runCLI(["form", "completion-certificate", "24BZX001", "--as", "UA1"], store: store).status == 0)
            #expect(
                try runCLI(["form", "completion-certificate", "24BZX001", "--as", "UA2"], store: store).status == 1)
            let active = try runCLI(["form", "completion-certificate", "24BZX002"], store: store)
            #expect(active.status == 1 && active.stderr.contains("invalidState"))
        }),
    RuleCase(
        "R-ATT-1", "rev. 2: an empty file is refused",
        [
            ok(line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1")),
            fails("invalidInput", Scenario.attach("closeoutId", "C1", purpose: "ledger", content: "")),
            ok(Scenario.attach("closeoutId", "C1", purpose: "ledger")),
        ]),
    RuleCase(
        "R-BUD-2", "rev. 2: a change of total is declared with newTotal",
        ok([Scenario.adjustment("BA-1", direct: ["equipment": 100_000, "business": 400_000, "labor": 100_000])])
            + [fails("budgetMismatch", line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1"))]
            + ok([
                line(
                    "editBudgetAdjustment",
                    [
                        "adjustmentId": "BA-1", "projectNo": "24BZX001",
                        "direct": ["equipment": 100_000, "business": 400_000, "labor": 100_000], "indirect": 100_000,
                        "external": [] as [Any], "newTotal": 700_000, "reason": "增加总额",
                    ], by: "L1"),
                line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1"),
            ]),
        check: { store throws in
            #expect(try member(store, ["adjustment", "BA-1"], "needsNational") as? Bool == true)
        }),
    RuleCase(
        "R-CHG-9", "rev. 2: the 90 days count at the first submission",
        ok([
            Scenario.project("24BZX002", end: "2026-06-15"), Scenario.project("24BZX003", end: "2026-06-15"),
            extensionOf("CR-1", "24BZX002", to: "2026-12-15", at: "2026-03-07T09:00:00+08:00"),
            line("submitChangeRequest", ["requestId": "CR-1"], by: "L1", at: "2026-03-07T10:00:00+08:00"),
            line(
                "reviewChangeRequest", ["requestId": "CR-1", "decision": "return", "opinion": "请补充进展"], by: "UA1",
                at: "2026-03-22T09:00:00+08:00"),
            line("submitChangeRequest", ["requestId": "CR-1"], by: "L1", at: "2026-03-23T09:00:00+08:00"),
            extensionOf("CR-2", "24BZX003", to: "2026-12-15", at: "2026-03-23T10:00:00+08:00"),
        ])
            + [
                fails(
                    "extensionTooLate",
                    line("submitChangeRequest", ["requestId": "CR-2"], by: "L1", at: "2026-03-23T11:00:00+08:00"))
            ]),
    RuleCase(
        "R-CHG-8", "rev. 2: a closeout under review closes when the project ends",
        ok(
            [
                Scenario.change("CR-1", kind: "selfTermination", details: ["reason": "无法继续", "fundsUsed": 1_000]),
                Scenario.submit("CR-1"),
            ] + Scenario.readyCloseout() + [closeoutLine("submitCloseout"), Scenario.review("CR-1", by: "UA1")])
            + [fails("invalidState", Scenario.reviewCloseout(by: "UA1"))],
        check: { store throws in
            #expect(try member(store, ["closeout", "C1"], "status") as? String == "closed")
        }),
    RuleCase(
        "R-CHG-8", "rev. 2: items awaiting the old unit move to the new one, whose admins are notified",
        ok(
            [
                Scenario.adjustment("BA-1"), line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1"),
                Scenario.change("CR-1", kind: "changeUnit", details: ["newUnitId": "U2"]), Scenario.submit("CR-1"),
            ] + unitChain)
            + [
                fails(
                    "forbidden",
                    line(
                        "reviewBudgetAdjustment", ["adjustmentId": "BA-1", "decision": "approve", "opinion": "同意"],
                        by: "UA1"), cites: "R-CHG-5"),
                ok(
                    line(
                        "reviewBudgetAdjustment", ["adjustmentId": "BA-1", "decision": "approve", "opinion": "同意"],
                        by: "UA2")),
            ],
        check: { store throws in
            let sent = try #require(try query(store, ["outbox"]) as? [[String: Any]])
            #expect(
                sent.contains {
                    $0["recipient"] as? String == "UA2" && $0["template"] as? String == "reviewRequested"
                        && ($0["params"] as? [String: Any])?["itemId"] as? String == "BA-1"
                })
        }),
    RuleCase(
        "R-CHG-6", "rev. 2: a change of unit needs the receiving unit after the current one",
        [
            ok(Scenario.change("CR-1", kind: "changeUnit", details: ["newUnitId": "U3"])), ok(Scenario.submit("CR-1")),
            ok(Scenario.review("CR-1", by: "UA1")),
            fails("invalidState", Scenario.review("CR-1", by: "PO1")),
            fails("forbidden", Scenario.review("CR-1", by: "UA2"), cites: "R-CHG-5"),
            ok(Scenario.review("CR-1", by: "UA3")), ok(Scenario.review("CR-1", by: "PO1")),
            ok(Scenario.review("CR-1", by: "N0")),
        ],
        check: { store throws in
            #expect(try member(store, ["project", "24BZX001"], "unitId") as? String == "U3")
            let form = try runCLI(["form", "change-approval", "CR-1"], store: store)
            #expect(form.stdout.contains("接收单位意见") && form.stdout.contains("复旦大学（公章）"))
        }),
    RuleCase(
        "R-CHG-10", "rev. 2: the leader who applied keeps its request and form after a change of leader",
        ok([Scenario.change("CR-1", kind: "changeLeader", details: ["newLeader": newLeader]), Scenario.submit("CR-1")])
            + ok(reviewChain)
            + [
                fails(
                    "forbidden", Scenario.change("CR-2", kind: "changeTitle", details: ["newTitle": "新"]),
                    cites: "R-CHG-4")
            ],
        check: { store throws in
            #expect(try runCLI(["form", "change-approval", "CR-1", "--as", "L1"], store: store).status == 0)
            #expect(try runCLI(["query", "change", "CR-1", "--as", "L1"], store: store).status == 0)
            #expect(try runCLI(["query", "project", "24BZX001", "--as", "L1"], store: store).status == 1)
        }),
    RuleCase(
        "R-CHG-11", "rev. 2: member lists without repeats or the leader; one active project per leader",
        [
            fails(
                "invalidInput",
                Scenario.change(
                    "CR-1", kind: "changeMembers",
                    details: ["add": [newMember(IDs.expert3), newMember(IDs.expert3)], "remove": [] as [Any]])),
            fails(
                "invalidInput",
                Scenario.change(
                    "CR-1", kind: "changeMembers", details: ["add": [newMember(IDs.leader)], "remove": [] as [Any]])),
            ok(Scenario.project("24BZX002", leader: IDs.newLeader)),
            fails(
                "leaderLimitExceeded", Scenario.change("CR-2", kind: "changeLeader", details: ["newLeader": newLeader])),
            ok(
                Scenario.change(
                    "CR-1", kind: "changeMembers", details: ["add": [newMember(IDs.expert3)], "remove": [] as [Any]])),
        ]),
    RuleCase(
        "R-PRJ-5", "rev. 2: the national office ends a project; the leader and the unit are told",
        ok([Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"])])
            + [
                fails(
                    "forbidden",
                    line("endProject", ["projectNo": "24BZX001", "outcome": "terminated", "reason": "清理"], by: "UA1")),
                ok(
                    line(
                        "endProject", ["projectNo": "24BZX001", "outcome": "withdrawn", "reason": "逾期三年未结项"], by: "N0")),
                fails(
                    "projectNotActive",
                    line("endProject", ["projectNo": "24BZX001", "outcome": "terminated", "reason": "清理"], by: "N0")),
            ],
        check: { store throws in
            #expect(try member(store, ["change", "CR-1"], "status") as? String == "closed")
            let ended = try #require(try member(store, ["project", "24BZX001"], "endedByOffice") as? [String: Any])
            #expect(ended["by"] as? String == "N0" && ended["reason"] as? String == "逾期三年未结项")
            let sent = try #require(try query(store, ["outbox"]) as? [[String: Any]])
            let notices = sent.filter { $0["template"] as? String == "projectEnded" }
            #expect(
                Set(notices.filter { $0["recipient"] as? String == "L1" }.compactMap { $0["channel"] as? String }) == [
                    "sms", "email",
                ])
            #expect(notices.contains { $0["recipient"] as? String == "UA1" && $0["channel"] as? String == "inbox" })
        }),
]

private func newMember(_ idNumber: String) -> [String: Any] {
    ["name": "周十", "idType": "residentId", "idNumber": idNumber, "unit": "北京大学", "title": "讲师", "role": "成员"]
}

/// Every rule of docs/rules.md through the command line: each case has an accepting and a rejecting step.
@Suite("Rules through the CLI contract")
struct RuleContractTests {
    @Test("every case has an accepting and a rejecting step")
    func everyCaseAcceptsAndRejects() {
        for rule in ruleCases + moreRuleCases + revisionTwoCases {
            #expect(rule.steps.contains { $0.expect == "ok" }, "\(rule.rule) accepts nothing")
            #expect(rule.steps.contains { $0.expect != "ok" }, "\(rule.rule) rejects nothing")
        }
    }

    @Test(arguments: ruleCases + moreRuleCases + revisionTwoCases)
    func rule(_ rule: RuleCase) throws {
        let dir = TemporaryDirectory()
        let setup = try apply(Scenario.standard, store: dir.path, environment: now)
        #expect(setup.status == 0, "\(setup.stdout)")
        let result = try apply(rule.steps.map(\.line), store: dir.path, environment: now)
        #expect(result.results.count == rule.steps.count, "\(result.stderr)")
        for (index, outcome) in result.results.enumerated() where index < rule.steps.count {
            let step = rule.steps[index]
            let got = (outcome["error"] as? [String: Any])?["code"] as? String ?? "ok"
            #expect(got == step.expect, "\(rule.rule) step \(index + 1): \(result.lines[index])")
            guard step.expect != "ok", let error = outcome["error"] as? [String: Any] else { continue }
            let cited = error["rule"] as? String ?? RuleStep.noRule
            #expect(
                cited == step.cites ?? rule.rule,
                "\(rule.rule) step \(index + 1) cites \(cited): \(result.lines[index])")
        }
        try rule.check?(dir.path)
        #expect(try runCLI(["replay", "rebuild", "--check"], store: dir.path).status == 0)
    }
}
