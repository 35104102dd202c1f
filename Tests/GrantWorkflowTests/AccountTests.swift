import GrantWorkflow
import Testing

@Suite("Accounts (R-ACC)") struct AccountTests {
    @Test("R-ACC-1 the same phone may hold one leader and one expert account")
    func samePhoneTwoRoles() {
        var w = World.organisation()
        w.when("registerAccount", World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1"))
            .thenEvents(["AccountRegistered"])
        w.when(
            "registerAccount",
            World.registration("E1", role: "expert", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
        ).thenEvents(["AccountRegistered"])
    }

    @Test("R-ACC-1 a second account with the same phone in the same role is refused")
    func duplicatePhone() {
        var w = World.organisation()
        w.given("registerAccount", World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1"))
        w.when("registerAccount", World.registration("L2", phone: "13800000001", idNumber: IDs.otherLeader, unit: "U1"))
            .thenError(.duplicateAccount, rule: "R-ACC-1", field: "username")
    }

    @Test("R-ACC-1 an expert account can never perform a leader operation")
    func expertCannotActAsLeader() {
        var w = World.standard()
        w.approvedAccount("X1", role: "expert", phone: "13800000001", idNumber: IDs.leader, unit: "U2")
        w.when("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "X1")
            .thenError(.forbidden, rule: "R-ACC-1")
        w.when("openCloseout", ["closeoutId": "C1", "projectNo": "24BZX001"], by: "L1").thenEvents(["CloseoutOpened"])
    }

    @Test("R-ACC-2 registration needs accepted terms, an existing unit, a valid phone, e-mail and ID number")
    func registrationValidation() {
        var w = World.organisation()
        var fields = World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
        fields["agreedToTerms"] = false
        w.when("registerAccount", fields).thenError(.termsNotAccepted, rule: "R-ACC-2")
        fields["agreedToTerms"] = true
        fields["unitId"] = "U9"
        w.when("registerAccount", fields).thenError(.unknownUnit, rule: "R-ACC-2")
        fields["unitId"] = "U1"
        fields["username"] = "23800000001"
        w.when("registerAccount", fields).thenError(.invalidInput, rule: "R-ACC-2", field: "username")
        fields["username"] = "13800000001"
        fields["email"] = "not-an-email"
        w.when("registerAccount", fields).thenError(.invalidInput, rule: "R-ACC-2", field: "email")
        fields["email"] = "l1@example.cn"
        fields["idNumber"] = String(IDs.leader.dropLast()) + (IDs.leader.hasSuffix("1") ? "2" : "1")
        w.when("registerAccount", fields).thenError(.invalidIdNumber, rule: "R-ACC-2")
        fields["idType"] = "passport"
        fields["idNumber"] = "E1234"
        w.when("registerAccount", fields).thenEvents(["AccountRegistered"])
        #expect(w.state.account("L1")?.registration == .pending)
    }

    @Test("R-ACC-2 a passport number must have 5 to 32 characters")
    func passportLength() {
        var w = World.organisation()
        var fields = World.registration("L1", phone: "13800000001", idNumber: "E123", unit: "U1")
        fields["idType"] = "passport"
        w.when("registerAccount", fields).thenError(.invalidIdNumber, rule: "R-ACC-2")
    }

    @Test(
        "R-ACC-1, R-ACC-2 a passport or other number that only looks like another is refused, in accounts and projects")
    func lookAlikeNumbers() {
        var w = World.organisation()
        var fields = World.registration("L1", phone: "13800000001", idNumber: "E12345678", unit: "U1")
        fields["idType"] = "passport"
        // An outside audit registered each of these beside E12345678 as a second account of one person.
        for variant in [
            "E1234\u{200B}5678", "\u{FF25}12345678", "E12345678\u{00A0}", "\u{FEFF}E12345678", "E1234\u{3000}5678",
            "E1234\u{00AD}5678", "E12345678\u{0301}", "E1234\t5678",
        ] {
            fields["idNumber"] = variant
            w.when("registerAccount", fields).thenError(.invalidIdNumber, rule: "R-ACC-2", field: "idNumber")
        }
        // Other kinds of document keep their free text: Chinese characters, ASCII spaces and hyphens.
        fields["idType"] = "other"
        fields["idNumber"] = "南字第 12-3456 号"
        w.when("registerAccount", fields).thenEvents(["AccountRegistered"])
        fields["accountId"] = "L2"
        fields["username"] = "13800000002"
        fields["idType"] = "passport"
        fields["idNumber"] = "E12345678"
        w.when("registerAccount", fields).thenEvents(["AccountRegistered"])
        // The same check guards the numbers a project names.
        var project = World.projectFields("24BZX002")
        project["members"] = [
            [
                "name": "王二", "idType": "passport", "idNumber": "P1234\u{200B}567", "unit": "北大", "title": "讲师",
                "role": "成员",
            ]
        ]
        w.when("registerProject", project, by: "N0").thenError(.invalidIdNumber, rule: "R-ACC-2")
    }

    @Test("R-ACC-3 only an admin of the account's unit approves or rejects; a rejected account resubmits")
    func reviewAndResubmit() {
        var w = World.organisation()
        w.given("registerAccount", World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1"))
        w.when("reviewRegistration", ["accountId": "L1", "decision": "approve"], by: "UA2")
            .thenError(.forbidden, rule: "R-ACC-3")
        w.when("reviewRegistration", ["accountId": "L1", "decision": "approve"], by: "N0")
            .thenError(.forbidden, rule: "R-ACC-3")
        w.when("reviewRegistration", ["accountId": "L1", "decision": "reject", "reason": "单位信息有误"], by: "UA1")
            .thenEvents(["RegistrationReviewed"])
        #expect(w.state.account("L1")?.registration == .rejected)
        w.when("resubmitRegistration", ["accountId": "L1", "password": "Wrong1234", "unitId": "U2"])
            .thenError(.invalidCredentials)
        w.when("resubmitRegistration", ["accountId": "L1", "password": password, "unitId": "U2"])
            .thenEvents(["RegistrationResubmitted"])
        #expect(w.state.account("L1")?.registration == .pending)
        #expect(w.state.account("L1")?.unitId == "U2")
        w.when("resubmitRegistration", ["accountId": "L1", "password": password])
            .thenError(.invalidState, rule: "R-ACC-3")
        w.when("reviewRegistration", ["accountId": "L1", "decision": "approve"], by: "UA2")
            .thenEvents(["RegistrationReviewed"])
    }

    @Test("R-ACC-4 only an approved account logs in or acts; decisions notify by SMS and e-mail")
    func approvalGate() {
        var w = World.organisation()
        w.given("registerAccount", World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1"))
        w.when("login", ["role": "leader", "username": "13800000001", "password": password])
            .thenError(.accountNotApproved, rule: "R-ACC-4")
        w.when("completeProfile", ["profile": World.profile], by: "L1").thenError(.accountNotApproved, rule: "R-ACC-4")
        let decision = w.when("reviewRegistration", ["accountId": "L1", "decision": "approve"], by: "UA1").accepted()
        #expect(Set(decision.notifications.map(\.channel)) == [.sms, .email])
        #expect(decision.notifications.allSatisfy { $0.recipient == "L1" && $0.template == "registrationApproved" })
        let login = w.when("login", ["role": "leader", "username": "13800000001", "password": password]).accepted()
        #expect(login.result["accountId"] == "L1")
        #expect(login.events.isEmpty)
    }

    @Test("R-ACC-5 until the profile is complete every command but completeProfile and login fails")
    func profileGate() {
        var w = World.standard()
        w.given(
            "registerAccount", World.registration("L2", phone: "13800000002", idNumber: IDs.otherLeader, unit: "U1"))
        w.given("reviewRegistration", ["accountId": "L2", "decision": "approve"], by: "UA1")
        w.when("login", ["role": "leader", "username": "13800000002", "password": password]).accepted()
        w.when("openCloseout", ["projectNo": "24BZX001"], by: "L2").thenError(.profileIncomplete, rule: "R-ACC-5")
        w.when("completeProfile", ["profile": World.profile], by: "L2").thenEvents(["ProfileCompleted"])
        w.when("openCloseout", ["projectNo": "24BZX001"], by: "L2").thenError(.forbidden)
    }

    @Test("R-ACC-6 a weak password is refused; a strong one is stored only as a hash outside the events")
    func passwordStrength() {
        var w = World.organisation()
        var fields = World.registration("L1", phone: "13800000001", idNumber: IDs.leader, unit: "U1")
        for weak in ["short1", "allletters", "1234567890"] {
            fields["password"] = weak
            w.when("registerAccount", fields).thenError(.weakPassword, rule: "R-ACC-6", field: "password")
        }
        fields["password"] = "Good1234"
        let decision = w.when("registerAccount", fields).accepted()
        guard case .setPassword(let id, let hash)? = decision.credentialChanges.first else {
            Issue.record("no password set")
            return
        }
        #expect(id == "L1")
        #expect(PasswordHasher.verify(password: "Good1234", against: hash))
        #expect(!PasswordHasher.verify(password: "Good1235", against: hash))
        let payloads = decision.domainEvents.flatMap(\.testPayload)
        #expect(!String(decoding: payloads, as: UTF8.self).contains("Good1234"))
    }

    @Test("R-ACC-6 five failed logins lock the account for 15 minutes; a success resets the count")
    func lockout() {
        var w = World.standard()
        let wrong: [String: Any] = ["role": "leader", "username": "13800000001", "password": "Wrong1234"]
        let right: [String: Any] = ["role": "leader", "username": "13800000001", "password": password]
        for _ in 0..<4 { w.when("login", wrong).thenError(.invalidCredentials) }
        w.when("login", right).accepted()
        #expect(w.state.credential("L1")?.failedAttempts == 0)
        for _ in 0..<5 { w.when("login", wrong).thenError(.invalidCredentials, rule: "R-ACC-10") }
        #expect(w.state.credential("L1")?.lockedUntil != nil)
        w.when("login", right).thenError(.accountLocked, rule: "R-ACC-6")
        w.now = w.now.adding(minutes: 14)
        w.when("login", right).thenError(.accountLocked, rule: "R-ACC-6")
        w.now = w.now.adding(minutes: 2)
        w.when("login", right).accepted()
        #expect(w.state.credential("L1")?.lockedUntil == nil)
    }

    @Test("R-ACC-6 a failed login is rejected but returns the attempt counter to persist")
    func failedLoginCredentialChange() {
        let w = World.standard()
        let line = World.json(["type": "login", "role": "leader", "username": "13800000001", "password": "Wrong1234"])
        let envelope = try? CommandDecoder.decode(line: line)
        guard let envelope else { return }
        let context = DecisionContext(time: w.now, secrets: PreparedSecrets(passwordMatches: false))
        let outcome = Workflow.decide(envelope, state: w.state, context: context)
        guard case .rejected(let rejection) = outcome else {
            Issue.record("expected rejection")
            return
        }
        #expect(rejection.error.code == .invalidCredentials)
        #expect(
            rejection.credentialChanges == [.recordFailedLogin(accountId: "L1", failedAttempts: 1, lockedUntil: nil)])
    }

    @Test("R-ACC-7 a reset token goes to phone and e-mail, is single-use and expires after 30 minutes")
    func passwordReset() {
        var w = World.standard()
        let decision = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        #expect(decision.events.isEmpty)
        #expect(decision.notifications.map(\.channel).sorted { $0.rawValue < $1.rawValue } == [.email, .sms])
        let token = decision.notifications.first?.parameters["token"] ?? ""
        #expect(decision.notifications.allSatisfy { $0.template == "passwordReset" && $0.parameters["token"] == token })
        w.when("resetPassword", ["token": "nonsense", "newPassword": "NewPass123"]).thenError(
            .tokenInvalid, rule: "R-ACC-7")
        w.when("resetPassword", ["token": token, "newPassword": "weak"]).thenError(.weakPassword)
        w.when("resetPassword", ["token": token, "newPassword": "NewPass123"]).thenEvents(["PasswordChanged"])
        w.when("resetPassword", ["token": token, "newPassword": "NewPass456"]).thenError(.tokenInvalid, rule: "R-ACC-7")
        w.when("login", ["role": "leader", "username": "13800000001", "password": "NewPass123"]).accepted()
        let second = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        let token2 = second.notifications.first?.parameters["token"] ?? ""
        w.now = w.now.adding(minutes: 30)
        w.when("resetPassword", ["token": token2, "newPassword": "NewPass789"]).thenError(
            .tokenInvalid, rule: "R-ACC-7")
    }

    @Test(
        "R-ACC-7 (rev. 2) given two requests, when the first token is used, then it is tokenInvalid; the second works")
    func newerRequestRevokes() {
        var w = World.standard()
        let first = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        let second = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        let old = first.notifications.first?.parameters["token"] ?? ""
        let new = second.notifications.first?.parameters["token"] ?? ""
        w.when("resetPassword", ["token": old, "newPassword": "NewPass123"]).thenError(.tokenInvalid, rule: "R-ACC-7")
        w.when("resetPassword", ["token": new, "newPassword": "NewPass123"]).thenEvents(["PasswordChanged"])
        w.when("resetPassword", ["token": new, "newPassword": "NewPass456"]).thenError(.tokenInvalid, rule: "R-ACC-7")
    }

    @Test(
        "R-ACC-7 (rev. 2) given 3 requests within the hour, when a 4th comes, then nothing is sent and nothing changes")
    func resetThrottle() {
        var w = World.standard()
        var decisions: [Decision] = []
        for _ in 1...3 {
            decisions.append(w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted())
            w.now = w.now.adding(minutes: 15)
        }
        #expect(decisions.allSatisfy { $0.notifications.count == 2 })
        let throttled = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        #expect(throttled == Decision(), "no events, notifications, credential changes or result")
        let third = decisions[2].notifications.first?.parameters["token"] ?? ""
        w.when("resetPassword", ["token": third, "newPassword": "NewPass123"]).thenEvents(["PasswordChanged"])
        w.now = w.now.adding(minutes: 15)
        let later = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        #expect(later.notifications.count == 2, "an hour after the first request, one more is sent")
    }

    @Test("R-ACC-7 the answer to a reset request never reveals whether the username exists")
    func resetDoesNotReveal() {
        var w = World.standard()
        let known = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        let unknown = w.when("requestPasswordReset", ["role": "leader", "username": "13800009999"]).accepted()
        #expect(known.events == unknown.events)
        #expect(known.result == unknown.result)
        #expect(unknown.notifications.isEmpty)
        #expect(unknown.credentialChanges.isEmpty)
    }

    /// The byte-wise path for ASCII numbers gives exactly what the general one (Unicode upper-casing,
    /// grapheme clusters) gives, for random ASCII and non-ASCII texts alike, and erased texts stay.
    @Test("normalised ID numbers: the ASCII path equals the general one")
    func normalizedNumbers() {
        func reference(_ text: String) -> String {
            PersonalData.isErased(text) ? text : String(text.uppercased().filter { $0 != " " })
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        let alphabet =
            Array(" aAxXzZ09e\r\n\t-~".unicodeScalars) + ["ß", "é", "ｘ", "\u{301}", "ﬁ"].flatMap(\.unicodeScalars)
        var asciiSeen = 0
        for round in 0..<20_000 {
            let count = Int(next() % 24)
            let pool = round % 2 == 0 ? alphabet.filter(\.isASCII) : alphabet
            var text = String.UnicodeScalarView()
            for _ in 0..<count { text.append(pool[Int(next() % UInt64(pool.count))]) }
            let number = String(text)
            if number.utf8.allSatisfy({ $0 < 0x80 }) { asciiSeen += 1 }
            #expect(IdentityNumber.normalized(number) == reference(number), "\(Array(number.unicodeScalars))")
        }
        #expect(asciiSeen > 9_000)
        #expect(IdentityNumber.normalized("11010819800101001x") == "11010819800101001X")
        #expect(IdentityNumber.normalized(" e 1234567 ") == "E1234567")
        #expect(IdentityNumber.normalized("E1234567") == "E1234567")
        let erased = PersonalData.erasedText(subject: Array(repeating: 7, count: 16))
        #expect(IdentityNumber.normalized(erased) == erased)
    }

    @Test("R-ACC-8 ID numbers are masked to their first 4 and last 4 characters; secrets never enter events")
    func masking() {
        #expect(IdentityNumber.masked("110108198001010015") == "1101**********0015")
        #expect(IdentityNumber.masked("E1234") == "*****")
        var w = World.standard()
        let reset = w.when("requestPasswordReset", ["role": "leader", "username": "13800000001"]).accepted()
        let token = reset.notifications.first?.parameters["token"] ?? "?"
        let decision = w.when("resetPassword", ["token": token, "newPassword": "NewPass123"]).accepted()
        let bytes = decision.domainEvents.flatMap(\.testPayload)
        #expect(!String(decoding: bytes, as: UTF8.self).contains(token))
        #expect(!String(decoding: bytes, as: UTF8.self).contains("NewPass123"))
    }

    @Test("R-ACC-9 an admin in scope disables and re-enables an account; a disabled account cannot act")
    func disable() {
        var w = World.standard()
        w.when("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA2").thenError(
            .forbidden, rule: "R-ACC-9")
        w.when("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1").thenEvents(["AccountEnabledSet"])
        #expect(w.state.account("L1")?.status == .disabled)
        w.when("openCloseout", ["projectNo": "24BZX001"], by: "L1").thenError(.accountDisabled, rule: "R-ACC-9")
        w.when("login", ["role": "leader", "username": "13800000001", "password": password])
            .thenError(.accountDisabled, rule: "R-ACC-9")
        w.when("setAccountEnabled", ["accountId": "L1", "enabled": true], by: "PO1").thenEvents(["AccountEnabledSet"])
        w.when("login", ["role": "leader", "username": "13800000001", "password": password]).accepted()
    }

    @Test("R-ACC-10 a wrong password is invalidCredentials whatever the account's state")
    func passwordFirst() {
        var w = World.standard()
        w.given("setAccountEnabled", ["accountId": "L1", "enabled": false], by: "UA1")
        w.when("login", ["role": "leader", "username": "13800000001", "password": "Wrong1234"])
            .thenError(.invalidCredentials, rule: "R-ACC-10")
        w.when("login", ["role": "leader", "username": "13899999999", "password": password])
            .thenError(.invalidCredentials, rule: "R-ACC-10")
        w.when("login", ["role": "leader", "username": "13800000001", "password": password])
            .thenError(.accountDisabled)
    }

    @Test("bootstrap is the first command only and admins are created in scope")
    func bootstrapAndAdmins() {
        var w = World.organisation()
        w.when("bootstrap", ["username": "again", "password": password, "name": "x"]).thenError(.invalidState)
        w.when(
            "createAdminAccount",
            ["role": "unitAdmin", "unitId": "U3", "username": "x", "password": password, "name": "x"], by: "PO1"
        ).thenError(.forbidden)
        w.when(
            "createAdminAccount",
            ["role": "provincialOffice", "provinceId": "P1", "username": "y", "password": password, "name": "y"],
            by: "PO1"
        ).thenError(.forbidden)
        w.when("createUnit", ["unitId": "U4", "name": "上海交通大学", "provinceId": "P2"], by: "PO1").thenError(.forbidden)
        w.when("createUnit", ["unitId": "U4", "name": "上海交通大学", "provinceId": "P2"], by: "PO2").thenEvents([
            "UnitCreated"
        ])
        w.when("createUnit", ["unitId": "U4", "name": "x", "provinceId": "P2"], by: "N0").thenError(.duplicateId)
        let created = w.when(
            "createAdminAccount",
            ["role": "unitAdmin", "unitId": "U4", "username": "ua4", "password": password, "name": "交大科研处"], by: "PO2"
        ).accepted()
        #expect(created.result["accountId"] != nil)
    }

    @Test("hex of bytes: the array path and the sequence path give the same lower-case digits")
    func hexDigits() {
        #expect(PasswordHasher.hex([0x00, 0x0F, 0xA5, 0xFF, 0x10]) == "000fa5ff10")
        #expect(PasswordHasher.hex([UInt8]()) == "")
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(PasswordHasher.hex(bytes) == PasswordHasher.hex(bytes.lazy.map { $0 }))
        }
    }
}
