import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// The attacks of the trust-boundary issue, each written as the hostile client would send it
/// (docs/security.md lists them): forged time, reused command ids, a borrowed identity and a
/// password oracle; plus the rule that rejected commands leave every byte of the store as it was.
@Suite("Trust boundary")
struct TrustBoundaryTests {
    static let now = "2026-01-05T09:00:00+08:00"

    /// A ledger on the ledger's own clock (the default): commands are stamped with `now`.
    static func untrusted(_ dir: TemporaryDirectory) throws -> Ledger {
        try openTestLedger(dir.path, now: now, trustCommandTime: false)
    }

    nonisolated(unsafe) static let registration: [String: Any] = [
        "accountId": "L2", "role": "leader", "username": "13800000002", "email": "l2@example.cn", "name": "冒名者",
        "idType": "residentId", "idNumber": IDs.leader, "unitId": "U3", "password": password, "agreedToTerms": true,
    ]

    // MARK: 1. Time is the ledger's (R-LOG-4)

    @Test("attack 1: a registration dated 2999 is clockSkew and the store keeps working (R-LOG-4)")
    func futureTimeCannotBrickTheStore() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Self.untrusted(dir)
        defer { ledger.close() }
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        let before = try StoreSnapshot(ledger)
        let forged = line(
            "registerAccount",
            Self.registration.merging(["accountId": "X9", "idNumber": IDs.otherLeader]) { $1 },
            at: "2999-12-31T00:00:00+08:00")
        let answer = await ledger.expectRejected(forged, "clockSkew")
        #expect(answer.error?.rule == "R-LOG-4")
        #expect(try StoreSnapshot(ledger) == before)
        // Later commands are stamped with the ledger's clock and go on being accepted.
        await ledger.expectAccepted(line("createProvince", ["provinceId": "P3", "name": "天津市"], by: "N0"))
        let head = try ledger.head()
        #expect(head.time == Timestamp(iso8601: Self.now)!.epochMilliseconds)
    }

    @Test("an `at` within the tolerance is accepted but the ledger's clock stamps the event (R-LOG-4)")
    func toleratedTimeIsStampedByTheClock() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Self.untrusted(dir)
        defer { ledger.close() }
        await ledger.expectAccepted(Scenario.organisation[0])
        await ledger.expectAccepted(
            line("createProvince", ["provinceId": "P1", "name": "北京市"], by: "N0", at: "2026-01-05T09:04:00+08:00"))
        #expect(try ledger.head().time == Timestamp(iso8601: Self.now)!.epochMilliseconds)
        await ledger.expectRejected(
            line("createProvince", ["provinceId": "P2", "name": "上海市"], by: "N0", at: "2026-01-05T08:54:59+08:00"),
            "clockSkew")
    }

    @Test("attack 1b: logins dated after the lock cannot skip the lockout (R-ACC-6, R-LOG-4)")
    func futureTimeCannotSkipTheLockout() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Self.untrusted(dir)
        defer { ledger.close() }
        for text in Scenario.organisation
            + Scenario.account("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
        {
            await ledger.expectAccepted(text)
        }
        let wrong = ["role": "leader", "username": "13800000001", "password": "Wrong1234"]
        for _ in 0..<5 { await ledger.expectRejected(line("login", wrong), "invalidCredentials") }
        let right = ["role": "leader", "username": "13800000001", "password": password]
        await ledger.expectRejected(line("login", right), "accountLocked")
        await ledger.expectRejected(line("login", right, at: "2026-01-05T09:30:00+08:00"), "clockSkew")
        await ledger.expectRejected(line("login", right), "accountLocked")
    }

    @Test("trusted command time takes `at`, and refuses only a time earlier than the newest event (R-LOG-4)")
    func trustedTimeRefusesGoingBack() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, trustCommandTime: true)
        defer { ledger.close() }
        await ledger.expectAccepted(Scenario.organisation[0])
        await ledger.expectAccepted(
            line("createProvince", ["provinceId": "P1", "name": "北京市"], by: "N0", at: "2027-06-01T09:00:00+08:00"))
        #expect(try ledger.head().time == Timestamp(iso8601: "2027-06-01T09:00:00+08:00")!.epochMilliseconds)
        await ledger.expectRejected(
            line("createProvince", ["provinceId": "P2", "name": "上海市"], by: "N0", at: "2027-05-31T09:00:00+08:00"),
            "clockSkew")
        // A command without `at` takes the clock's time, which (the test clock being earlier) is raised
        // to the newest event's, as without trusted time; an outside audit saw it refused instead.
        await ledger.expectAccepted(line("createProvince", ["provinceId": "P3", "name": "天津市"], by: "N0"))
        #expect(try ledger.head().time == Timestamp(iso8601: "2027-06-01T09:00:00+08:00")!.epochMilliseconds)
    }

    @Test("the CLI refuses a forged time unless the operator passes --trust-command-time (R-LOG-4)")
    func cliTrustsTimeOnlyWithTheFlag() throws {
        let dir = TemporaryDirectory()
        let env = ["GRANTLEDGER_NOW": Self.now]
        let forged = line(
            "createProvince", ["provinceId": "P9", "name": "远方"], by: "N0", at: "2999-01-01T00:00:00+08:00")
        let first = try apply([Scenario.organisation[0]], store: dir.path, environment: env)
        #expect(first.status == 0)
        #expect(!first.stderr.contains("warning"), "an import of times within the clock's tolerance warns of nothing")
        let refused = try apply([forged], store: dir.path, environment: env, trustCommandTime: false)
        #expect(refused.status == 1)
        #expect((refused.results.first?["error"] as? [String: Any])?["code"] as? String == "clockSkew")
        let trusted = try apply([forged], store: dir.path, environment: env, trustCommandTime: true)
        #expect(trusted.status == 0)
        // The operator is told that the log now runs ahead of the clock, and what that holds back.
        #expect(trusted.stderr.contains("warning: the newest event's time 2999-01-01T00:00:00+08:00 is"))
        #expect(trusted.stderr.contains("lockouts, reset tokens"))
    }

    @Test("a retry is answered from the record before its `at` is checked; a new id with that `at` is clockSkew")
    func retryIsAnsweredBeforeTheClockCheck() async throws {
        let dir = TemporaryDirectory()
        let province = line(
            "createProvince", ["provinceId": "RT", "name": "重试省"], by: "N0", id: "retry-1", at: Self.now)
        let first: CommandOutcome
        do {
            let ledger = try Self.untrusted(dir)
            defer { ledger.close() }
            await ledger.expectAccepted(Scenario.organisation[0])
            first = await ledger.expectAccepted(province)
        }
        // Ten minutes later the same line's `at` is beyond the tolerance, but its id is on record.
        let ledger = try openTestLedger(dir.path, now: "2026-01-05T09:10:00+08:00", trustCommandTime: false)
        defer { ledger.close() }
        let before = try StoreSnapshot(ledger)
        let retry = await ledger.expectAccepted(province)
        #expect(retry.deduplicated && retry.position == first.position && retry.events == first.events)
        let other = line("createProvince", ["provinceId": "RU", "name": "别省"], by: "N0", id: "retry-1", at: Self.now)
        await ledger.expectRejected(other, "idempotencyConflict")
        let fresh = line("createProvince", ["provinceId": "RT", "name": "重试省"], by: "N0", id: "retry-2", at: Self.now)
        let skew = await ledger.expectRejected(fresh, "clockSkew")
        #expect(skew.error?.rule == "R-LOG-4")
        let login = line(
            "login", ["role": "nationalOffice", "username": "national", "password": password], id: "retry-1",
            at: Self.now)
        await ledger.expectRejected(login, "idempotencyConflict")
        let loginWithNewId = line(
            "login", ["role": "nationalOffice", "username": "national", "password": password], id: "retry-3",
            at: Self.now)
        await ledger.expectRejected(loginWithNewId, "clockSkew")
        #expect(try StoreSnapshot(ledger) == before)
    }

    @Test("`apply` answers a retry from the record whatever its `at`, also when queued behind its first attempt")
    func cliRetryIsAnsweredBeforeTheClockCheck() throws {
        let dir = TemporaryDirectory()
        let province = line(
            "createProvince", ["provinceId": "RT", "name": "重试省"], by: "N0", id: "retry-1", at: Self.now)
        let first = try apply(
            [Scenario.organisation[0], province], store: dir.path, environment: ["GRANTLEDGER_NOW": Self.now],
            trustCommandTime: false)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        let later = ["GRANTLEDGER_NOW": "2026-01-05T09:10:00+08:00"]
        let retried = try apply([province], store: dir.path, environment: later, trustCommandTime: false)
        #expect(retried.status == 0, "\(retried.stdout)")
        #expect(retried.results.first?["replayed"] as? Bool == true)
        #expect(retried.results.first?["position"] as? Int == first.results.last?["position"] as? Int)
        // A first attempt and its retry in one run: the retry is prepared before the first attempt is
        // on record, and answered from it once it is. A new id with the same `at` is still clockSkew.
        let current = line(
            "createProvince", ["provinceId": "RV", "name": "又一省"], by: "N0", id: "retry-4",
            at: "2026-01-05T09:10:00+08:00")
        var stale = try JSONSerialization.jsonObject(with: Data(current.utf8)) as! [String: Any]
        stale["at"] = Self.now
        let staleRetry = String(decoding: try JSONSerialization.data(withJSONObject: stale), as: UTF8.self)
        let fresh = line("createProvince", ["provinceId": "RW", "name": "新省"], by: "N0", id: "retry-5", at: Self.now)
        let queued = try apply(
            [current, staleRetry, fresh], store: dir.path, environment: later, trustCommandTime: false)
        #expect(queued.status == 1)
        #expect(queued.results.count == 3)
        #expect(queued.results[0]["ok"] as? Bool == true && queued.results[0]["replayed"] == nil)
        #expect(queued.results[1]["ok"] as? Bool == true && queued.results[1]["replayed"] as? Bool == true)
        #expect(queued.results[1]["position"] as? Int == queued.results[0]["position"] as? Int)
        #expect((queued.results[2]["error"] as? [String: Any])?["code"] as? String == "clockSkew")
    }

    // MARK: 2. Command ids carry a fingerprint (R-LOG-3)

    @Test("attack 2: a reused login id never answers from the record, and never swallows another command (R-LOG-3)")
    func reusedLoginIdIsCheckedEveryTime() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let right = ["role": "leader", "username": "13800000001", "password": password]
        let first = await ledger.expectAccepted(line("login", right, id: "L-1"))
        #expect(first.result["accountId"] == "L1")
        let wrong = ["role": "leader", "username": "13800000001", "password": "Wrong1234"]
        let second = await ledger.expectRejected(line("login", wrong, id: "L-1"), "invalidCredentials")
        #expect(second.result["accountId"] == nil)
        let province = await ledger.expectAccepted(
            line("createProvince", ["provinceId": "P7", "name": "重庆市"], by: "N0", id: "L-1"))
        #expect(province.events == ["ProvinceCreated"])
        #expect(!province.deduplicated)
    }

    @Test("the same id and command replays the first result; another command under that id is idempotencyConflict")
    func fingerprintedIdempotency() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let draft = Scenario.extensionRequest()
        let tagged = { (text: String, id: String, at: String?) -> String in
            var object = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            object["id"] = id
            if let at { object["at"] = at }
            return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let first = await ledger.expectAccepted(tagged(draft, "c-1", nil))
        let head = try ledger.head()
        // A retry, even with another `at`, is the same command.
        let retry = await ledger.expectAccepted(tagged(draft, "c-1", "2026-01-05T09:01:00+08:00"))
        #expect(retry.deduplicated)
        #expect(retry.jsonLine.contains(#""replayed":true"#))
        #expect(retry.position == first.position && retry.result == first.result)
        let before = try StoreSnapshot(ledger)
        let other = await ledger.expectRejected(
            tagged(Scenario.extensionRequest("CR-9", newEnd: "2028-03-31"), "c-1", nil), "idempotencyConflict")
        #expect(other.error?.rule == "R-LOG-3")
        #expect(try ledger.head() == head)
        #expect(try StoreSnapshot(ledger) == before)
        // The same command by another actor is another command.
        var object = try JSONSerialization.jsonObject(with: Data(tagged(draft, "c-1", nil).utf8)) as! [String: Any]
        object["actor"] = "UA1"
        let asOther = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        await ledger.expectRejected(asOther, "idempotencyConflict")
    }

    @Test("a line's fingerprint ignores key order, spacing, nulls, `id` and `at`, and nothing else (R-LOG-3)")
    func fingerprintIgnoresSpelling() throws {
        func line(_ text: String) throws -> CommandEnvelope { try CommandDecoder.decode(line: Array(text.utf8)) }
        let first = try line(#"{"id":"a","type":"createProvince","actor":"N0","provinceId":"P1","name":"北京市"}"#)
        let spelled = try line(
            #"{ "name": "北京市", "provinceId": "P1", "actor": "N0", "causationId": null, "type": "createProvince", "id": "b", "at": "2026-01-01T00:00:00Z" }"#
        )
        #expect(first.fingerprint == spelled.fingerprint)
        for other in [
            #"{"id":"a","type":"createProvince","actor":"N0","provinceId":"P1","name":"北京"}"#,
            #"{"id":"a","type":"createProvince","actor":"N1","provinceId":"P1","name":"北京市"}"#,
            #"{"id":"a","type":"createProvince","actor":"N0","provinceId":"P1","name":"北京市","causationId":"x"}"#,
        ] {
            #expect(try line(other).fingerprint != first.fingerprint, "\(other)")
        }
        // Text in another Unicode form is the same text (it is stored in NFC).
        let composed = try line(
            #"{"id":"a","type":"createProvince","actor":"N0","provinceId":"P1","name":"caf\u00e9"}"#)
        let decomposed = try line(
            #"{"id":"a","type":"createProvince","actor":"N0","provinceId":"P1","name":"cafe\u0301"}"#)
        #expect(composed.fingerprint == decomposed.fingerprint)
        #expect(composed.fingerprint != first.fingerprint)
        // A password is never part of it (a fast hash of an otherwise public command would be a fast
        // hash of the password); the personal values are, beside a fingerprint without them.
        let registration =
            #"{"id":"r","type":"registerAccount","role":"leader","username":"13800000009","email":"a@b.cn","name":"张三","idType":"residentId","idNumber":"\#(IDs.leader)","unitId":"U1","agreedToTerms":true,"password":"#
        let one = try line(registration + #""Secret123"}"#)
        let another = try line(registration + #""Other4567"}"#)
        #expect(one.fingerprint == another.fingerprint)
        let otherNumber = try line(
            registration.replacingOccurrences(of: IDs.leader, with: IDs.member) + #""Secret123"}"#)
        #expect(otherNumber.fingerprint != one.fingerprint)
        #expect(otherNumber.publicFingerprint == one.publicFingerprint)
        #expect(one.publicFingerprint != nil && one.publicFingerprint != one.fingerprint)
        // A profile's extra fields are named by their own keys in a line, and are personal too.
        let profile =
            #"{"id":"p","type":"completeProfile","actor":"L1","profile":{"gender":"男","birthDate":"1980-01-01","title":"教授","degree":"博士","researchArea":"哲学","officePhone":"#
        let office = try line(profile + #""010-62751999"}}"#)
        let otherOffice = try line(profile + #""010-62750000"}}"#)
        #expect(office.fingerprint != otherOffice.fingerprint)
        #expect(office.publicFingerprint != nil && office.publicFingerprint == otherOffice.publicFingerprint)
        let otherTitle = try line(profile.replacingOccurrences(of: "教授", with: "讲师") + #""010-62751999"}}"#)
        #expect(otherTitle.publicFingerprint != office.publicFingerprint, "the title is not personal")
        let plain = try line(#"{"id":"a","type":"setAccountEnabled","actor":"N0","accountId":"L1","enabled":false}"#)
        #expect(plain.publicFingerprint == nil, "a command without personal values has one fingerprint")
        // Envelopes built in Swift have their own canonical form: equal values, equal fingerprints.
        let typed = CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P1", name: "北京市"))
        let same = CommandEnvelope(id: "z", actor: "N0", command: .createProvince(provinceId: "P1", name: "北京市"))
        let other = CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P1", name: "北京"))
        #expect(typed.fingerprint == same.fingerprint)
        #expect(other.fingerprint != typed.fingerprint)
    }

    // MARK: 3. Identity (R-ACC-1, R-PRJ-2)

    @Test("attack 3: a second leader account with the leader's ID number is duplicateIdNumber (R-ACC-1)")
    func secondAccountWithTheSameIdIsRefused() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let answer = await ledger.expectRejected(line("registerAccount", Self.registration), "duplicateIdNumber")
        #expect(answer.error?.rule == "R-ACC-1")
        // An expert account with the same number is another role: allowed (R-ACC-1).
        await ledger.expectAccepted(
            line(
                "registerAccount",
                Self.registration.merging(["accountId": "X2", "role": "expert", "username": "13900000009"]) { $1 }))
        // A rejected account frees the number; its owner cannot take it back while another holds it.
        await ledger.expectAccepted(line("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1"))
        await ledger.expectRejected(line("registerAccount", Self.registration), "duplicateIdNumber")
    }

    @Test("attack 3b: an account with the leader's number but another ID type sees nothing of the project (R-PRJ-2)")
    func matchingNeedsTheSameIdType() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.organisation + [Scenario.project()] { await ledger.expectAccepted(text) }
        for text in Scenario.account("L2", phone: "13800000002", idNumber: IDs.leader, unit: "U3") {
            // Registered as a passport holder with the resident ID's characters.
            let passport = text.replacingOccurrences(of: #""idType":"residentId""#, with: #""idType":"passport""#)
            await ledger.expectAccepted(passport)
        }
        #expect(throws: LedgerError.self) { try ledger.project("24BZX001", as: .account("L2")) }
        await ledger.expectRejected(
            Scenario.change("CR-1", kind: "changeTitle", details: ["newTitle": "新"], by: "L2"), "forbidden")
    }

    @Test("a pending or disabled leader account is not matched; setLeaderIdNumber only while unmatched (R-PRJ-2)")
    func setLeaderIdNumberOnlyWhileUnmatched() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let set = line(
            "setLeaderIdNumber", ["projectNo": "24BZX001", "idType": "residentId", "idNumber": IDs.otherLeader],
            by: "UA1")
        let refused = await ledger.expectRejected(set, "invalidState")
        #expect(refused.error?.rule == "R-PRJ-2")
        // Disabled, L1 no longer matches: the unit admin may correct the number.
        await ledger.expectAccepted(line("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1"))
        await ledger.expectAccepted(set)
    }

    // MARK: 4. resubmitRegistration is no password oracle (R-ACC-6)

    /// The organisation and L2's registration, rejected by U3's admin: L2 may resubmit.
    static func rejectedRegistration() async throws -> (TemporaryDirectory, Ledger) {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(line("registerAccount", Self.registration))
        await ledger.expectAccepted(
            line("reviewRegistration", ["accountId": "L2", "decision": "reject", "reason": "单位不符"], by: "UA3"))
        return (dir, ledger)
    }

    @Test("attack 4: wrong passwords to resubmitRegistration count toward the lockout (R-ACC-6)")
    func resubmitCountsFailures() async throws {
        let (dir, ledger) = try await Self.rejectedRegistration()
        defer { ledger.close() }
        _ = dir
        let wrong = line("resubmitRegistration", ["accountId": "L2", "password": "Wrong1234", "unitId": "U1"])
        for _ in 0..<5 {
            let answer = await ledger.expectRejected(wrong, "invalidCredentials")
            #expect(answer.error?.rule == "R-ACC-6")
        }
        // An unknown account answers the same.
        await ledger.expectRejected(
            line("resubmitRegistration", ["accountId": "NOBODY", "password": "Wrong1234"]), "invalidCredentials")
        let right = line("resubmitRegistration", ["accountId": "L2", "password": password, "unitId": "U1"])
        await ledger.expectRejected(right, "accountLocked")
    }

    @Test(
        "attack 4b: a retry of resubmitRegistration under its id is answered from the record only with the right password"
    )
    func resubmitRetryChecksThePassword() async throws {
        let (dir, ledger) = try await Self.rejectedRegistration()
        defer { ledger.close() }
        _ = dir
        func resubmit(_ password: String) -> String {
            line("resubmitRegistration", ["accountId": "L2", "password": password, "unitId": "U1"], id: "rs-1")
        }
        let first = await ledger.expectAccepted(resubmit(password))
        let head = try ledger.head()
        let retried = await ledger.execute(line: Array(resubmit(password).utf8))
        #expect(retried.isAccepted && retried.deduplicated && retried.position == first.position)
        // Wrong passwords under the recorded id: refused, counted, nothing appended.
        for _ in 0..<5 {
            let answer = await ledger.expectRejected(resubmit("Wrong1234"), "invalidCredentials")
            #expect(answer.error?.rule == "R-ACC-6")
        }
        #expect(try ledger.head() == head)
        await ledger.expectRejected(
            line(
                "login",
                ["role": "leader", "username": Self.registration["username"] as? String ?? "", "password": password]),
            "accountLocked")
    }

    // MARK: Scope (R-ACC-11)

    @Test("pending, disabled and unknown viewers see nothing, with one answer (R-ACC-11)")
    func inactiveViewersSeeNothing() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(
            line("registerAccount", Self.registration.merging(["idNumber": IDs.otherLeader]) { $1 }))
        await ledger.expectAccepted(line("setAccountEnabled", ["accountId": "E1", "enabled": false], by: "UA2"))
        var answers: [String] = []
        for viewer in ["L2", "E1", "NOBODY"] {
            do {
                _ = try ledger.account(viewer, as: .account(viewer))
                Issue.record("\(viewer) saw its account")
            } catch {
                #expect(error.code == .forbidden)
                answers.append(error.code.rawValue)
            }
            #expect(throws: LedgerError.self) { try ledger.projects(as: .account(viewer)) }
        }
        #expect(Set(answers).count == 1)
    }

    @Test("an expert sees no project, history, change or adjustment, even of what it appraises (R-ACC-11)")
    func expertsSeeNoProjectRecords() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard + [Scenario.extensionRequest()] { await ledger.expectAccepted(text) }
        let fifthExpert = Scenario.account(
            "E5", role: "expert", phone: "13900000005", idNumber: residentId("31010419740909009"), unit: "U3",
            name: "周九")
        for text in Scenario.readyCloseout() + fifthExpert { await ledger.expectAccepted(text) }
        for text in [
            line("submitCloseout", ["closeoutId": "C1"], by: "L1"), Scenario.reviewCloseout(by: "UA1"),
            Scenario.reviewCloseout(by: "PO1"),
            line("assignAppraisalExperts", ["closeoutId": "C1", "experts": ["E1", "E2", "E5"]], by: "PO1"),
        ] {
            await ledger.expectAccepted(text)
        }
        let expert = Viewer.account("E1")
        let attempts: [(String, () throws -> Void)] = [
            ("project", { _ = try ledger.project("24BZX001", as: expert) }),
            ("history", { _ = try ledger.history("24BZX001", as: expert) }),
            ("change", { _ = try ledger.change("CR-1", as: expert) }),
            ("unknown change", { _ = try ledger.change("CR-404", as: expert) }),
        ]
        var messages: [String] = []
        for (what, attempt) in attempts {
            do {
                try attempt()
                Issue.record("the expert read the \(what)")
            } catch let error as LedgerError {
                #expect(error.code == .forbidden, "\(what)")
                messages.append(error.message.replacingOccurrences(of: "CR-404", with: "CR-1"))
            }
        }
        // An unknown request and one outside the view get the same answer.
        #expect(messages[2] == messages[3])
        let projects = try ledger.projects(as: expert)
        #expect(projects == .array([]))
    }

    @Test("a leader asking for an unknown project and for another's gets the same answer (R-ACC-11)")
    func unknownAndOutOfScopeLookAlike() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard + [Scenario.project("24BZX002", leader: IDs.otherLeader)] {
            await ledger.expectAccepted(text)
        }
        func answer(_ no: String) -> String {
            do {
                _ = try ledger.project(no, as: .account("L1"))
                return "seen"
            } catch {
                return "\(error.code) " + error.message.replacingOccurrences(of: no, with: "NO")
            }
        }
        #expect(answer("24BZX002") == answer("24BZX404"))
        #expect(answer("24BZX002").hasPrefix("forbidden"))
        #expect(answer("24BZX001") == "seen")
        // The national office sees everything: only an unknown id is refused it, as notFound.
        #expect(throws: LedgerError(.notFound, "no project 24BZX404")) {
            try ledger.project("24BZX404", as: .account("N0"))
        }

        // --as-of a moment before an out-of-scope item existed: still the unknown id's answer, for
        // change requests as for projects (an audit found "… at that moment is outside …" instead).
        await ledger.expectAccepted(Scenario.extensionRequest("CR-9"))
        func change(_ id: String, asOf: AsOf?) -> String {
            do {
                _ = try ledger.change(id, as: .account("UA2"), asOf: asOf)
                return "seen"
            } catch {
                return "\(error.code) " + error.message.replacingOccurrences(of: id, with: "ID")
            }
        }
        #expect(change("CR-9", asOf: .position(1)) == change("CR-404", asOf: .position(1)))
        #expect(change("CR-9", asOf: nil) == change("CR-404", asOf: nil))
        #expect(change("CR-9", asOf: .position(1)).hasPrefix("forbidden"))
        // The operator is told it did not exist then.
        #expect(throws: LedgerError.self) { try ledger.change("CR-9", as: .everything, asOf: .position(1)) }
        #expect((try? ledger.change("CR-9", as: .account("UA1"))) != nil)
    }

    @Test("a command naming an item the actor may not see gets the unknown id's answer, and changes nothing (R-ACC-11)")
    func commandsAnswerHiddenAndUnknownAlike() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        // L1's project 24BZX001 (unit U1, province P1) with a pending change, a pending adjustment, an
        // open closeout and a pending registration in U1; L2 leads 24BZX002 in U3 (province P2).
        let setup =
            Scenario.standard + Scenario.account("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U3")
            + [
                Scenario.project("24BZX002", leader: IDs.otherLeader, unit: "U3"), Scenario.extensionRequest(),
                Scenario.submit("CR-1"), Scenario.adjustment("BA-1"),
                line("submitBudgetAdjustment", ["adjustmentId": "BA-1"], by: "L1"),
                line("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1"),
                line(
                    "registerAccount",
                    [
                        "accountId": "L9", "role": "leader", "username": "13800000009", "email": "l9@example.cn",
                        "name": "王九", "idType": "residentId", "idNumber": IDs.newLeader, "unitId": "U1",
                        "password": password, "agreedToTerms": true,
                    ]),
            ]
        for text in setup { await ledger.expectAccepted(text) }
        let review: [String: Any] = ["decision": "approve", "opinion": "同意"]
        let title: [String: Any] = ["newTitle": "新"]
        let file: [String: Any] = [
            "purpose": "ledger", "filename": "a.pdf", "mediaType": "application/pdf", "contentBase64": "YQ==",
        ]
        // (actor, command, the field naming the item, its seen value, an unknown value, other fields)
        let probes: [(String, String, String, String, String, [String: Any])] = [
            (
                "L2", "draftChangeRequest", "projectNo", "24BZX001", "24BZX404",
                ["requestId": "CR-9", "kind": "changeTitle", "details": title, "reason": "r"]
            ),
            ("L2", "editChangeRequest", "requestId", "CR-1", "CR-404", ["details": title, "reason": "r"]),
            ("L2", "submitChangeRequest", "requestId", "CR-1", "CR-404", [:]),
            ("L2", "recallChangeRequest", "requestId", "CR-1", "CR-404", [:]),
            ("L2", "cancelChangeRequest", "requestId", "CR-1", "CR-404", [:]),
            ("L2", "openCloseout", "projectNo", "24BZX001", "24BZX404", ["closeoutId": "C9"]),
            (
                "L2", "saveCloseoutSection", "closeoutId", "C1", "C404",
                ["section": "avoidedExperts", "data": [] as [Any]]
            ),
            ("L2", "submitCloseout", "closeoutId", "C1", "C404", [:]),
            ("L2", "recallCloseout", "closeoutId", "C1", "C404", [:]),
            ("L2", "attachFile", "closeoutId", "C1", "C404", file),
            ("L2", "attachFile", "requestId", "CR-1", "CR-404", file),
            ("L2", "attachFile", "adjustmentId", "BA-1", "BA-404", file),
            (
                "L2", "draftBudgetAdjustment", "projectNo", "24BZX001", "24BZX404",
                [
                    "adjustmentId": "BA-9", "direct": ["equipment": 100_000, "business": 300_000, "labor": 100_000],
                    "indirect": 100_000, "external": [] as [Any], "reason": "r",
                ]
            ),
            ("L2", "submitBudgetAdjustment", "adjustmentId", "BA-1", "BA-404", [:]),
            ("L2", "recallBudgetAdjustment", "adjustmentId", "BA-1", "BA-404", [:]),
            ("L2", "cancelBudgetAdjustment", "adjustmentId", "BA-1", "BA-404", [:]),
            ("UA3", "reviewChangeRequest", "requestId", "CR-1", "CR-404", review),
            ("PO2", "reviewChangeRequest", "requestId", "CR-1", "CR-404", review),
            ("UA3", "reviewBudgetAdjustment", "adjustmentId", "BA-1", "BA-404", review),
            ("UA3", "reviewCloseout", "closeoutId", "C1", "C404", review),
            ("PO2", "assignAppraisalExperts", "closeoutId", "C1", "C404", ["experts": ["E1", "E2", "E3"]]),
            ("E1", "submitAppraisal", "closeoutId", "C1", "C404", ["grade": "good", "comments": "x"]),
            (
                "UA3", "setLeaderIdNumber", "projectNo", "24BZX001", "24BZX404",
                ["idType": "residentId", "idNumber": IDs.leader]
            ),
            ("UA3", "setAccountEnabled", "accountId", "L1", "L404", ["enabled": false]),
            ("PO2", "setAccountEnabled", "accountId", "L1", "L404", ["enabled": false]),
            ("PO1", "setAccountEnabled", "accountId", "N0", "N404", ["enabled": false]),
            ("UA2", "reviewRegistration", "accountId", "L9", "L404", ["decision": "approve"]),
        ]
        let before = try StoreSnapshot(ledger)
        for (actor, type, field, seen, unknown, fields) in probes {
            func answer(_ value: String) async -> String {
                var object = fields
                object[field] = value
                let outcome = await ledger.execute(line: line(type, object, by: actor))
                return outcome.jsonLine.replacingOccurrences(of: value, with: "ITEM")
            }
            let hidden = await answer(seen)
            #expect(hidden == (await answer(unknown)), "\(actor) \(type) \(seen)")
            #expect(hidden.contains(#""code":"forbidden""#), "\(actor) \(type) \(seen): \(hidden)")
        }
        // The national office sees everything: an unknown id is all it can meet, and it is told so.
        let unknownToTheOffice = await ledger.execute(
            line:
                line("reviewChangeRequest", ["requestId": "CR-404"].merging(review) { a, _ in a }, by: "N0"))
        #expect(unknownToTheOffice.error?.code.rawValue == "notFound")
        #expect(try StoreSnapshot(ledger) == before)
        // The same items exist for those who see them: each insider gets past the lookup.
        let insiders: [(String, String, [String: Any])] = [
            ("L1", "submitChangeRequest", ["requestId": "CR-1"]),
            ("UA1", "reviewChangeRequest", ["requestId": "CR-1"].merging(review) { a, _ in a }),
            ("UA1", "setAccountEnabled", ["accountId": "L1", "enabled": true]),
            ("L1", "recallCloseout", ["closeoutId": "C1"]),
            ("PO1", "setAccountEnabled", ["accountId": "PO1", "enabled": true]),
        ]
        for (actor, type, fields) in insiders {
            let outcome = await ledger.execute(line: line(type, fields, by: actor))
            #expect(outcome.error?.code.rawValue != "notFound", "\(actor) \(type): \(outcome.jsonLine)")
        }
    }

    // MARK: Nothing changes (R-LOG-1)

    @Test("every rejected attack leaves head, digest, models, outbox and credentials byte for byte (R-LOG-1)")
    func rejectedCommandsChangeNothing() async throws {
        let dir = TemporaryDirectory()
        let ledger = try Self.untrusted(dir)
        defer { ledger.close() }
        for text in Scenario.standard + [Scenario.extensionRequest()] { await ledger.expectAccepted(text) }
        let before = try StoreSnapshot(ledger)
        #expect(before.tables.count >= 4, "the snapshot covers the log and the ledger's databases")
        let attacks: [(String, String)] = [
            (
                line("createProvince", ["provinceId": "P8", "name": "x"], by: "N0", at: "2999-01-01T00:00:00Z"),
                "clockSkew"
            ),
            (line("registerAccount", Self.registration), "duplicateIdNumber"),
            (Scenario.extensionRequest("CR-2"), "duplicatePendingChange"),
            (
                line(
                    "setLeaderIdNumber", ["projectNo": "24BZX001", "idType": "passport", "idNumber": "E1234567"],
                    by: "UA1"), "invalidState"
            ),
            (Scenario.change("CR-3", kind: "changeTitle", details: ["newTitle": "新"], by: "E1"), "forbidden"),
            ("{\"type\":\"login\"", "invalidInput"),
        ]
        for (text, code) in attacks { await ledger.expectRejected(text, code) }
        let after = try StoreSnapshot(ledger)
        #expect(after.head == before.head)
        for name in before.tables.keys.sorted() {
            #expect(after.tables[name] == before.tables[name], "database \(name) changed")
        }
        #expect(after == before)
    }
}
