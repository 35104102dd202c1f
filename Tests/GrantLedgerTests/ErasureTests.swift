import EventLog
import Foundation
import GrantLedger
import GrantWorkflow
import Testing

/// R-LOG-6 (rev. 2): personal data sealed per subject, erasure by destroying the key, and what stays.
@Suite("Personal data erasure (R-LOG-6)")
struct ErasureTests {
    static let phone = "13800000001"

    /// The standard world, a change request through the unit, and a closeout whose member section
    /// names the member.
    static func world(_ path: String) async throws -> Ledger {
        let ledger = try openTestLedger(path)
        let approval = [
            Scenario.extensionRequest(), Scenario.submit("CR-1"), Scenario.review("CR-1", by: "UA1"),
            Scenario.review("CR-1", by: "PO1"), Scenario.review("CR-1", by: "N0"),
        ]
        for text in Scenario.standard + approval + Scenario.readyCloseout() {
            await ledger.expectAccepted(text)
        }
        return ledger
    }

    static func erase(_ fields: [String: Any], by actor: String = "N0") -> String {
        var fields = fields
        fields["reason"] = "依本人申请删除个人信息"
        return line("eraseSubject", fields, by: actor)
    }

    /// Every text a viewer or an export could show: events, queries, the approval form.
    static func everythingShown(_ ledger: Ledger) throws -> String {
        var texts: [String] = []
        try ledger.forEachEvent { texts.append($0.serialized()) }
        texts.append(try ledger.project("24BZX001", as: .everything).serialized())
        texts.append(try ledger.account("L1", as: .everything).serialized())
        texts.append(try ledger.closeout("C1", as: .everything).serialized())
        texts.append(try ledger.change("CR-1", as: .everything).serialized())
        texts.append(try ledger.approvalForm("CR-1", as: .everything).html())
        return texts.joined(separator: "\n")
    }

    @Test("personal fields are never plain in the log, and read back plain while their subject lives")
    func sealedAtRest() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        let events = try ledger.store.readAll(from: 1)
        let payloads = events.flatMap(\.payload)
        for secret in [IDs.leader, IDs.member, Self.phone, "l1@example.cn"] {
            #expect(payloads.firstRange(of: Array(secret.utf8)) == nil, "\(secret) is plain in an event payload")
        }
        let shown = try Self.everythingShown(ledger)
        #expect(shown.contains(IDs.leader))
        #expect(shown.contains(IDs.member))
        #expect(try ledger.verify().firstBadPosition == nil)
    }

    @Test("erasing the leader and a member: chain intact, fields erased everywhere, accounts closed")
    func eraseLeaderAndMember() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        let before = try ledger.head()
        let asOfBefore = before.position

        await ledger.expectAccepted(Self.erase(["accountId": "L1"]))
        await ledger.expectAccepted(Self.erase(["idType": "residentId", "idNumber": IDs.member]))

        // The chain: every record before the erasure keeps its digest; verify passes.
        let report = try ledger.verify()
        #expect(report.firstBadPosition == nil, "\(report.reason ?? "")")
        #expect(report.headDigest == (try ledger.head()).digest)
        let old = try #require(try ledger.store.read { txn in try txn.record(at: before.position) })
        #expect(old.digest == before.digest)

        // Nothing shows the numbers or the phone; erased fields say so.
        let shown = try Self.everythingShown(ledger)
        for secret in [IDs.leader, IDs.member, Self.phone, "l1@example.cn"] {
            #expect(!shown.contains(secret), "\(secret) is still shown")
        }
        let account = try ledger.account("L1", as: .everything).serialized()
        #expect(!account.contains("1980-01-01"), "the birth date is still shown: \(account)")
        #expect(!account.contains("张三"), "an account's name is personal: \(account)")
        #expect(shown.contains(#"{"erased":true}"#))
        let project = try ledger.project("24BZX001", as: .everything)
        #expect(project.serialized().contains(#""leader":{"idNumber":{"erased":true}"#) || shown.contains("erased"))
        #expect(project[member: "leader"]?[member: "name"] == .string("张三"), "names on the funding record stay")

        // As of a position before the erasure, the fields are erased too (the key is gone).
        let then = try ledger.project("24BZX001", as: .everything, asOf: .position(asOfBefore))
        #expect(!then.serialized().contains(IDs.leader))
        #expect(then.serialized().contains(#"{"erased":true}"#))

        // The leader's account is closed: no login, no re-enabling.
        await ledger.expectRejected(
            line("login", ["role": "leader", "username": Self.phone, "password": password]), "invalidCredentials")
        await ledger.expectRejected(
            line("setAccountEnabled", ["accountId": "L1", "enabled": true], by: "N0"), "invalidState")

        // The read models equal a rebuild.
        #expect(try ledger.checkModels().differences == [])

        // A compacted backup holds neither number nor the phone, anywhere in its bytes.
        let copy = dir.child("backup")
        try ledger.store.backup(to: copy)
        ledger.close()
        var files = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: copy) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: copy + "/" + name)))
            files += 1
            for secret in [IDs.leader, IDs.member, Self.phone, "l1@example.cn"] {
                #expect(bytes.firstRange(of: Array(secret.utf8)) == nil, "\(secret) is in the backup's \(name)")
            }
        }
        #expect(files > 0)
        let restored = try openTestLedger(copy)
        defer { restored.close() }
        #expect(try restored.verify().firstBadPosition == nil)
        #expect(try restored.checkModels().differences == [])
    }

    @Test("an account registered with someone else's ID number reads only itself through query subject (R-LOG-6)")
    func subjectShowsOnlyWhatTheAccountSees() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        // An expert account with the leader's number (one account per role is allowed, R-ACC-1),
        // approved by another unit's admin.
        for text in Scenario.account("E9", role: "expert", phone: "13900000009", idNumber: IDs.leader, unit: "U3") {
            await ledger.expectAccepted(text)
        }
        let impostor = try ledger.subject(.account("E9"), as: .account("E9")).serialized()
        let byNumber = try ledger.subject(.person(idType: .residentId, idNumber: IDs.leader), as: .account("E9"))
        let ownSubjects = try ledger.subject(.account("E9"), as: .account("N0"))
        for text in [impostor, byNumber.serialized()] {
            #expect(text.contains("13900000009"), "\(text)")
            // Only the subjects of what the account sees: fewer than the office is shown.
            #expect(
                text.components(separatedBy: #""subject":"#).count
                    < ownSubjects.serialized().components(separatedBy: #""subject":"#).count)
            for secret in [Self.phone, #""accountId":"L1""#, "l1@example.cn", "24BZX001", "CR-1", "C1"] {
                #expect(!text.contains(secret), "the expert account reads \(secret): \(text)")
            }
        }
        // The leader reads its account and its project, not the expert account; the office reads both.
        let leader = try ledger.subject(.account("L1"), as: .account("L1")).serialized()
        #expect(leader.contains(Self.phone) && leader.contains("24BZX001") && !leader.contains("13900000009"))
        let office = try ledger.subject(.account("L1"), as: .account("N0")).serialized()
        #expect(office.contains(Self.phone) && office.contains("13900000009") && office.contains("24BZX001"))
    }

    @Test("erasing twice is invalidState; only the national office erases; a live person can be asked about")
    func refusals() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        await ledger.expectRejected(Self.erase(["accountId": "L1"], by: "PO1"), "forbidden")
        await ledger.expectRejected(Self.erase(["accountId": "L1"], by: "L1"), "forbidden")
        await ledger.expectRejected(Self.erase(["accountId": "L1"], by: "UA1"), "forbidden")
        await ledger.expectRejected(Self.erase(["accountId": "NOPE"]), "notFound")
        await ledger.expectRejected(Self.erase(["accountId": "L1", "idType": "residentId"]), "invalidInput")
        await ledger.expectRejected(Self.erase(["accountId": "N0"]), "forbidden")

        // query subject: the person and the national office only.
        let mine = try ledger.subject(.account("L1"), as: .account("L1"))
        #expect(mine.serialized().contains(IDs.leader))
        #expect(mine.serialized().contains(Self.phone))
        #expect(mine.serialized().contains(#""as":"leader""#))
        let office = try ledger.subject(.person(idType: .residentId, idNumber: IDs.member), as: .account("N0"))
        #expect(office.serialized().contains(#""as":"member""#))
        #expect(office.serialized().contains(#""closeoutId":"C1""#))
        #expect(throws: LedgerError.self) { try ledger.subject(.account("L1"), as: .account("UA1")) }
        // An unknown account is an unknown person, for the office as for everyone.
        #expect {
            try ledger.subject(.account("NOPE"), as: .account("N0"))
        } throws: { error in
            (error as? LedgerError)?.code.rawValue == "notFound"
        }
        #expect(throws: LedgerError.self) {
            try ledger.subject(.person(idType: .residentId, idNumber: IDs.member), as: .account("L1"))
        }

        await ledger.expectAccepted(Self.erase(["accountId": "L1"]))
        await ledger.expectRejected(Self.erase(["accountId": "L1"]), "invalidState")
        // By document number, the store keeps nothing that links the number to the erasure (not even a
        // keyed hash), so a second request finds no data at all.
        await ledger.expectRejected(Self.erase(["idType": "residentId", "idNumber": IDs.leader]), "notFound")
        let after = try ledger.subject(.account("L1"), as: .account("N0")).serialized()
        #expect(!after.contains(IDs.leader))
        #expect(after.contains(#""status":"erased""#))
    }

    @Test("an erasure revokes the person's reset token and retires what still waits for them in the outbox")
    func erasureRetiresResetsAndNotifications() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        await ledger.expectAccepted(line("requestPasswordReset", ["role": "leader", "username": Self.phone]))
        let pending = try ledger.outboxNotifications(undeliveredOnly: true)
        let waiting = pending.filter { $0.recipient == "L1" }
        let token = try #require(waiting.first { $0.template == "passwordReset" }?.parameters["token"])
        let others = Set(pending.filter { $0.recipient != "L1" }.map(\.sequence))
        #expect(waiting.count >= 2 && !others.isEmpty)
        await ledger.expectAccepted(Self.erase(["accountId": "L1"]))
        // Nothing waits for the erased account: its notifications are dead letters without their
        // secrets (R-ACC-7), and say why; everyone else's still wait.
        let after = try ledger.outboxNotifications(undeliveredOnly: true)
        #expect(!after.contains { $0.recipient == "L1" })
        #expect(others.isSubset(of: Set(after.map(\.sequence))))
        let dead = try ledger.outboxNotifications(deadOnly: true).filter { $0.recipient == "L1" }
        #expect(Set(dead.map(\.sequence)) == Set(waiting.map(\.sequence)))
        for entry in dead {
            #expect(entry.parameters["token"] == nil)
            #expect(entry.lastError?.contains("erased") == true)
            #expect(entry.deliveredAt == nil && entry.deadAt != nil)
        }
        // The token sent before the erasure resets nothing after it.
        await ledger.expectRejected(
            line("resetPassword", ["token": token, "newPassword": "NewSecret123"]), "tokenInvalid")
        var passwordChanges = 0
        try ledger.forEachEvent { if $0.serialized().contains("PasswordChanged") { passwordChanges += 1 } }
        #expect(passwordChanges == 0)
    }

    @Test("after an erasure no stored fingerprint confirms a guess of the erased number; retries still answer")
    func fingerprintsDoNotOutliveTheErasure() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        let stranger = residentId("11010819930715427")
        func registration(member: String) -> String {
            var object =
                try! JSONSerialization.jsonObject(
                    with: Data(Scenario.project("24BZX002", leader: IDs.otherLeader).utf8)) as! [String: Any]
            var members = object["members"] as! [[String: Any]]
            members[0]["idNumber"] = member
            object["members"] = members
            object["id"] = "rp-9"
            return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        let register = registration(member: stranger)
        let erase = line(
            "eraseSubject", ["idType": "residentId", "idNumber": stranger, "reason": "依本人申请"], by: "N0", id: "erase-9")
        await ledger.expectAccepted(register)
        // While the person lives, the full fingerprint tells a command with another number apart.
        await ledger.expectRejected(registration(member: residentId("11010819940101005")), "idempotencyConflict")
        await ledger.expectAccepted(erase)

        // What an attacker holding the store would compute for a right guess: each line's fingerprint.
        let guesses = try [register, erase].map { try CommandDecoder.decode(line: Array($0.utf8)) }
        for envelope in guesses {
            let stored = try #require(try ledger.store.read { txn in try txn.commandResult(envelope.id!) })
            #expect(stored.firstRange(of: envelope.fingerprint) == nil, "\(envelope.id!) keeps its full fingerprint")
            let publicFingerprint = try #require(envelope.publicFingerprint)
            #expect(stored.firstRange(of: publicFingerprint) != nil)
        }
        // Nor anywhere in a compacted backup's bytes.
        let copy = dir.child("backup")
        try ledger.store.backup(to: copy)
        for name in try FileManager.default.contentsOfDirectory(atPath: copy) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: copy + "/" + name)))
            for envelope in guesses {
                #expect(bytes.firstRange(of: envelope.fingerprint) == nil, "\(envelope.id!) in the backup's \(name)")
            }
        }

        // Retries are still answered from the record; another command under the id is still refused.
        let retried = await ledger.expectAccepted(register)
        #expect(retried.deduplicated)
        #expect(await ledger.expectAccepted(erase).deduplicated)
        await ledger.expectRejected(
            line("createProvince", ["provinceId": "P9", "name": "重庆市"], by: "N0", id: "rp-9"), "idempotencyConflict")
        // Told apart by everything but the personal values, which the record no longer holds.
        #expect(await ledger.expectAccepted(registration(member: residentId("11010819940101005"))).deduplicated)
        // But an erasure of someone else, by number, under the erasure's id is not taken for a retry:
        // that person still has live data, so it cannot be the same erasure.
        let reused = line(
            "eraseSubject", ["idType": "residentId", "idNumber": IDs.expert2, "reason": "依本人申请"], by: "N0",
            id: "erase-9")
        await ledger.expectRejected(reused, "idempotencyConflict")
        // A command with no personal value of its own keeps its whole fingerprint through an erasure
        // that reaches its events (an erasure by account): another command under its id is refused.
        await ledger.expectAccepted(
            line("eraseSubject", ["accountId": "E3", "reason": "依本人申请"], by: "N0", id: "erase-e3"))
        #expect(
            await ledger.expectAccepted(
                line("eraseSubject", ["accountId": "E3", "reason": "依本人申请"], by: "N0", id: "erase-e3")
            ).deduplicated)
        await ledger.expectRejected(
            line("eraseSubject", ["accountId": "E1", "reason": "依本人申请"], by: "N0", id: "erase-e3"),
            "idempotencyConflict")
        #expect(try ledger.verify().firstBadPosition == nil)
        #expect(try ledger.checkModels().differences == [])
    }

    @Test("a registration that once named another person's number ties the registrant to them in neither direction")
    func borrowedNumberTiesNobody() async throws {
        let own = residentId("11010819770707222")
        let phone6 = "13800000066"
        let registration = [
            line(
                "registerAccount",
                [
                    "accountId": "L6", "role": "leader", "username": phone6, "email": "l6@example.cn", "name": "钱六",
                    "idType": "residentId", "idNumber": IDs.member, "unitId": "U1", "password": password,
                    "agreedToTerms": true,
                ]),
            line("reviewRegistration", ["accountId": "L6", "decision": "reject", "reason": "身份证号有误"], by: "UA1"),
            line("resubmitRegistration", ["accountId": "L6", "password": password, "idNumber": own]),
            line("reviewRegistration", ["accountId": "L6", "decision": "approve"], by: "UA1"),
            line(
                "completeProfile",
                [
                    "profile": [
                        "gender": "女", "birthDate": "1977-07-07", "title": "教授", "degree": "博士", "researchArea": "哲学",
                    ]
                ], by: "L6"),
        ]
        func events(_ ledger: Ledger) throws -> String {
            var texts: [String] = []
            try ledger.forEachEvent { texts.append($0.serialized()) }
            return texts.joined(separator: "\n")
        }

        // Erasing the member (the number's holder) closes no account that holds another number now.
        let first = TemporaryDirectory()
        let ledger = try await Self.world(first.path)
        for text in registration { await ledger.expectAccepted(text) }
        await ledger.expectAccepted(Self.erase(["idType": "residentId", "idNumber": IDs.member]))
        #expect(!(try ledger.project("24BZX001", as: .everything).serialized().contains(IDs.member)))
        #expect(!(try events(ledger).contains(IDs.member)))
        await ledger.expectAccepted(line("login", ["role": "leader", "username": phone6, "password": password]))
        let kept = try ledger.account("L6", as: .everything).serialized()
        #expect(kept.contains(own) && kept.contains(phone6), "\(kept)")
        #expect(try events(ledger).contains("l6@example.cn"), "what the registrant typed stays theirs")
        #expect(try ledger.checkModels().differences == [])
        ledger.close()

        // Erasing the registrant leaves the member's number, which the registration once named, alone.
        let second = TemporaryDirectory()
        let other = try await Self.world(second.path)
        defer { other.close() }
        for text in registration { await other.expectAccepted(text) }
        await other.expectAccepted(Self.erase(["accountId": "L6"]))
        #expect(try other.project("24BZX001", as: .everything).serialized().contains(IDs.member))
        let shown = try events(other) + (try other.account("L6", as: .everything).serialized())
        for secret in [own, phone6, "l6@example.cn", "1977-07-07"] {
            #expect(!shown.contains(secret), "\(secret) is still shown")
        }
        await other.expectAccepted(line("login", ["role": "leader", "username": Self.phone, "password": password]))
        #expect(try other.verify().firstBadPosition == nil)
        #expect(try other.checkModels().differences == [])
    }

    @Test("a profile's further fields show erased after an erasure, not as an empty set (R-LOG-6)")
    func furtherProfileFieldsShowErased() async throws {
        let dir = TemporaryDirectory()
        let ledger = try await Self.world(dir.path)
        defer { ledger.close() }
        for text in Scenario.account("L6", phone: "13800000006", idNumber: IDs.member, unit: "U1").dropLast() {
            await ledger.expectAccepted(text)
        }
        await ledger.expectAccepted(
            line(
                "completeProfile",
                [
                    "profile": [
                        "gender": "女", "birthDate": "1977-07-07", "title": "教授", "degree": "博士", "researchArea": "哲学",
                        "officePhone": "010-62751234",
                    ]
                ], by: "L6"))
        // L7 fills in no further field: an empty set, live, stays {}.
        for text in Scenario.account("L7", phone: "13800000007", idNumber: IDs.otherLeader, unit: "U1") {
            await ledger.expectAccepted(text)
        }
        func profileEvent(_ account: String) throws -> String {
            var found = ""
            try ledger.forEachEvent { event in
                let text = event.serialized()
                if text.contains("ProfileCompleted"), text.contains("\"accountId\":\"\(account)\"") { found = text }
            }
            return found
        }
        #expect(try profileEvent("L6").contains(#""extra":{"officePhone":"010-62751234"}"#))
        await ledger.expectAccepted(Self.erase(["accountId": "L6"]))
        let erased = try profileEvent("L6")
        #expect(erased.contains(#""extra":{"erased":true}"#), "\(erased)")
        #expect(!erased.contains("010-62751234"))
        let subject = try ledger.subject(.account("L6"), as: .everything).serialized()
        #expect(subject.contains(#""extra":{"erased":true}"#), "\(subject)")
        #expect(try profileEvent("L7").contains(#""extra":{}"#))
        #expect(try ledger.subject(.account("L7"), as: .everything).serialized().contains(#""extra":{}"#))
        #expect(try ledger.checkModels().differences == [])
    }

    @Test("a migration copies an erased person as erased; a change quoting them keeps them erased")
    func erasuresSurviveTheMigration() async throws {
        let dir = TemporaryDirectory()
        let source = dir.child("source")
        do {
            let ledger = try await Self.world(source)
            // A change of leader taking effect after the erasure quotes the erased number in its event.
            let newLeader = ["name": "王新", "idType": "residentId", "idNumber": IDs.newLeader]
            await ledger.expectAccepted(
                Scenario.change("CR-L", kind: "changeLeader", details: ["newLeader": newLeader]))
            await ledger.expectAccepted(Scenario.submit("CR-L"))
            for reviewer in ["UA1", "PO1"] { await ledger.expectAccepted(Scenario.review("CR-L", by: reviewer)) }
            await ledger.expectAccepted(Self.erase(["accountId": "L1"]))
            func keyRecords() throws -> Int {
                let subjects = try ledger.store.database("subjects")
                var count = 0
                try ledger.store.read { txn in
                    try txn.scan(subjects, prefix: [UInt8(ascii: "k")]) { _, _ in
                        count += 1
                        return true
                    }
                }
                return count
            }
            let subjectsBefore = try keyRecords()
            await ledger.expectAccepted(Scenario.review("CR-L", by: "N0"))
            let changed = try #require(try ledger.store.readAll(from: 1).last { $0.type == "ProjectLeaderChanged" })
            #expect(changed.payload.firstRange(of: Array(IDs.leader.utf8)) == nil)
            // The quoted number stays under the erased subject: no new subject over the pseudonym.
            #expect(try keyRecords() == subjectsBefore, "no new subject over the quoted pseudonym")
            #expect(try ledger.change("CR-L", as: .everything).serialized().contains("张三 已删除"))
            #expect(try ledger.verify().firstBadPosition == nil)
            #expect(try ledger.checkModels().differences == [])
            ledger.close()
        }
        let copy = dir.child("copy")
        let result = try runCLI(["migrate", "--encrypt-personal-data", source, copy], store: source)
        #expect(result.status == 0, "\(result.stderr)")
        let migrated = try openTestLedger(copy)
        defer { migrated.close() }
        let report = try migrated.verify()
        #expect(report.firstBadPosition == nil, "\(report.reason ?? "")")
        #expect(try migrated.checkModels().differences == [])
        let status = try migrated.subject(.account("L1"), as: .account("N0")).serialized()
        #expect(status.contains(#""status":"erased""#) && !status.contains(#""status":"live""#), "\(status)")
        #expect(!(try Self.everythingShown(migrated).contains(IDs.leader)))
        await migrated.expectRejected(Self.erase(["accountId": "L1"]), "invalidState")
    }

    @Test(
        "a change of leader whose new leader is erased while it waits is invalidState on approval, and can be rejected")
    func erasedNewLeaderStopsTheChange() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.standard { await ledger.expectAccepted(text) }
        let newLeader = ["name": "王新", "idType": "residentId", "idNumber": IDs.newLeader]
        await ledger.expectAccepted(Scenario.change("CR-L", kind: "changeLeader", details: ["newLeader": newLeader]))
        await ledger.expectAccepted(Scenario.submit("CR-L"))
        await ledger.expectAccepted(Self.erase(["idType": "residentId", "idNumber": IDs.newLeader]))
        for reviewer in ["UA1", "PO1"] { await ledger.expectAccepted(Scenario.review("CR-L", by: reviewer)) }
        // The last approval would make it take effect.
        let refused = await ledger.expectRejected(Scenario.review("CR-L", by: "N0"), "invalidState")
        #expect(refused.error?.message.contains("erased") == true, "\(String(describing: refused.error))")
        await ledger.expectAccepted(Scenario.review("CR-L", "reject", by: "N0"))
        #expect(try ledger.checkModels().differences == [])
    }

    @Test("a command built in Swift cannot smuggle the erased marker or control characters in")
    func typedCommandsAreChecked() async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        for text in Scenario.organisation { await ledger.expectAccepted(text) }
        let marker = String(Character(PersonalData.marker)) + "erased:" + String(repeating: "0", count: 32)
        for name in [marker, "北京\u{1B}[31m", "北京\u{202E}学大"] {
            let before = try ledger.head()
            let outcome = await ledger.execute(
                CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: name)))
            #expect(outcome.error?.code.rawValue == "invalidInput", "\(outcome.jsonLine)")
            #expect(try ledger.head() == before)
        }
        let fine = await ledger.execute(
            CommandEnvelope(actor: "N0", command: .createProvince(provinceId: "P9", name: "广东省\n")))
        #expect(fine.isAccepted, "newline and tab stay allowed: \(fine.jsonLine)")
    }

    @Test("a missing key of a subject never erased is corruption, found by verify")
    func keyLossIsNotSilent() async throws {
        let dir = TemporaryDirectory()
        do {
            let ledger = try await Self.world(dir.path)
            #expect(try ledger.verify().firstBadPosition == nil)
            ledger.close()
        }
        // Delete one subject key behind the engine's back.
        do {
            var options = EventStoreOptions()
            options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]
            let store = try EventStore(path: dir.path, options: options)
            let subjects = try store.database("subjects")
            _ = try store.writeSync { txn in
                var victim: [UInt8]?
                try txn.scan(subjects, prefix: [UInt8(ascii: "k")]) { key, _ in
                    victim = Array(key)
                    return false
                }
                if let victim { _ = try txn.delete(subjects, victim) }
            }
            store.close()
        }
        let ledger = try openTestLedger(dir.path)
        defer { ledger.close() }
        let report = try ledger.verify()
        #expect(report.firstBadPosition != nil)
        #expect(report.reason?.contains("missing") == true, "\(report.reason ?? "")")
    }

    @Test("an erasure mark no SubjectErased event made is a lost key, found by verify; a real one passes")
    func forgedErasureMarkIsNotSilent() async throws {
        let dir = TemporaryDirectory()
        let erasedAt: UInt64
        do {
            let ledger = try await Self.world(dir.path)
            await ledger.expectAccepted(Self.erase(["idType": "residentId", "idNumber": IDs.member]))
            erasedAt = try #require(try ledger.store.readAll(from: 1).last { $0.type == "SubjectErased" }?.position)
            let report = try ledger.verify()
            #expect(report.firstBadPosition == nil, "\(report.reason ?? "")")
            ledger.close()
        }
        // A live subject's key replaced by an erasure mark: naming the real erasure (of someone else),
        // then a position with no event.
        for position in [erasedAt, 1_000_000] {
            do {
                var options = EventStoreOptions()
                options.extraDatabases = ["models", "outbox", "credentials", "attachments", "ledger", "subjects"]
                let store = try EventStore(path: dir.path, options: options)
                let subjects = try store.database("subjects")
                _ = try store.writeSync { txn in
                    var victim: [UInt8]?
                    try txn.scan(subjects, prefix: [UInt8(ascii: "k")]) { key, value in
                        if value.first == 1 { victim = Array(key) }
                        return victim == nil
                    }
                    let mark = [UInt8(2)] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: position >> ($0 * 8)) }
                    if let victim { try txn.put(subjects, victim, mark) }
                }
                store.close()
            }
            let ledger = try openTestLedger(dir.path)
            let report = try ledger.verify()
            ledger.close()
            #expect(report.firstBadPosition != nil, "a mark naming position \(position) passed")
            #expect(report.reason?.contains("no SubjectErased event names it") == true, "\(report.reason ?? "")")
        }
    }
}

/// The same through the command line: `apply` an erasure, `query subject`, tables in Chinese.
@Suite("Erasure through the CLI (R-LOG-6)")
struct ErasureCLITests {
    @Test("eraseSubject through apply; query subject for the person only; erased fields read 已删除")
    func commandLine() async throws {
        let dir = TemporaryDirectory()
        let store = dir.child("store")
        try await ErasureTests.world(store).close()
        let env = ["GRANTLEDGER_NOW": "2026-03-01T09:00:00+08:00"]

        let own = try runCLI(["query", "subject", "L1", "--as", "L1", "--format", "json"], store: store)
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout.contains(IDs.leader))
        let other = try runCLI(["query", "subject", "L1", "--as", "UA1", "--format", "json"], store: store)
        #expect(other.status == 1)
        #expect(other.stderr.contains("forbidden"))
        let bad = try runCLI(["query", "subject", "L1", "--id-type", "residentId"], store: store)
        #expect(bad.status == 64, "an account and a document together are a usage error")

        let erase = try runCLI(
            ["apply", "-"], store: store,
            input: ErasureTests.erase(["idType": "residentId", "idNumber": IDs.leader]) + "\n", environment: env)
        #expect(erase.status == 0, "\(erase.stdout) \(erase.stderr)")
        #expect(erase.stdout.contains(#""accountsClosed":"1""#), "\(erase.stdout)")

        let table = try runCLI(["query", "project", "24BZX001", "--lang", "zh"], store: store)
        #expect(table.status == 0)
        #expect(table.stdout.contains("已删除"), "\(table.stdout)")
        #expect(!table.stdout.contains(IDs.leader))
        let csv = try runCLI(["query", "account", "L1", "--format", "csv"], store: store)
        #expect(!csv.stdout.contains(ErasureTests.phone))
        #expect(csv.stdout.contains("erased"))
        let events = try runCLI(["replay", "events"], store: store)
        #expect(!events.stdout.contains(IDs.leader))
        #expect(!events.stdout.contains(ErasureTests.phone))
        #expect(events.stdout.contains("SubjectErased"))
        let verify = try runCLI(["replay", "verify"], store: store)
        #expect(verify.status == 0, "\(verify.stdout)")
        let check = try runCLI(["replay", "rebuild", "--check"], store: store)
        #expect(check.status == 0, "\(check.stdout)")
    }
}

/// The property: for random workloads with random erasures (people with accounts, members without),
/// a rebuild from the log equals the live read models, and the chain verifies, at every checkpoint.
@Suite("Erasure property (R-LOG-5, R-LOG-6)")
struct ErasurePropertyTests {
    @Test("random workloads with random erasures: rebuild equals the live models", arguments: [1, 2, 3, 4] as [UInt64])
    func rebuildEqualsLive(seed: UInt64) async throws {
        let dir = TemporaryDirectory()
        let ledger = try openTestLedger(dir.path, trustCommandTime: false)
        defer { ledger.close() }
        var rng = SeededGenerator(seed: seed &* 7919)
        var lines = RandomWorkload.lines(count: 240, seed: seed)
        let erasures: [[String: Any]] = [
            ["accountId": "L1"], ["idType": "residentId", "idNumber": IDs.member], ["accountId": "E1"],
            ["accountId": "E2"], ["accountId": "UA2"],
        ].shuffled(using: &rng)
        let setup = Scenario.standard.count + RandomWorkload.projects.count
        for erasure in erasures.prefix(Int.random(in: 2...erasures.count, using: &rng)) {
            let at = Int.random(in: setup..<lines.count, using: &rng)
            lines.insert(ErasureTests.erase(erasure), at: at)
        }
        var erased = 0
        for (index, text) in lines.enumerated() {
            let outcome = await ledger.execute(line: text)
            if text.contains("eraseSubject") {
                #expect(outcome.isAccepted, "\(outcome.jsonLine)")
                erased += 1
            }
            if index % 97 == 0 || text.contains("eraseSubject") {
                #expect(try ledger.checkModels().differences == [], "after line \(index): \(text)")
            }
        }
        #expect(erased >= 2)
        #expect(try ledger.checkModels().differences == [])
        #expect(try ledger.verify().firstBadPosition == nil)
        let shown = try ErasureTests.everythingShownLoosely(ledger)
        if lines.contains(where: { $0.contains(#""accountId":"L1""#) && $0.contains("eraseSubject") }) {
            #expect(!shown.contains(IDs.leader))
        }
    }
}

extension ErasureTests {
    /// Every event, exported.
    static func everythingShownLoosely(_ ledger: Ledger) throws -> String {
        var texts: [String] = []
        try ledger.forEachEvent { texts.append($0.serialized()) }
        return texts.joined(separator: "\n")
    }
}
