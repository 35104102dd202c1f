/// The rules of accounts and registration (docs/rules.md §1: R-ACC-1 … R-ACC-10).
extension Decider {
    mutating func bootstrap(accountId: String?, username: String, password: String, name: String) throws(WorkflowError)
    {
        guard !state.isBootstrapped else {
            throw WorkflowError.invalidState("the store is already bootstrapped: bootstrap is the first command only")
        }
        let id = try newId(accountId, field: "accountId")
        try requireStrongPassword(password, field: "password")
        let hash = try preparedHash(field: "password")
        decision.append(
            .adminAccountCreated(
                AdminAccountCreated(
                    accountId: id, role: .nationalOffice, username: username, name: name, provinceId: nil,
                    unitId: nil, createdBy: nil, at: time)))
        decision.credentialChanges.append(.setPassword(accountId: id, hash: hash))
        decision.result["accountId"] = id
    }

    mutating func createAdminAccount(_ input: CreateAdminAccount) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, .provincialOffice)
        switch input.role {
        case .provincialOffice:
            guard admin.role == .nationalOffice else {
                throw WorkflowError.forbidden("only the national office creates provincial offices")
            }
            let provinceId = input.provinceId ?? ""
            guard state.province(provinceId) != nil else {
                throw WorkflowError.notFound("province", provinceId, field: "provinceId")
            }
        case .unitAdmin:
            let unitId = input.unitId ?? ""
            guard state.unit(unitId) != nil else {
                throw WorkflowError(.unknownUnit, field: "unitId", "unit \(unitId) does not exist")
            }
            guard covers(admin, unitId: unitId) else {
                throw WorkflowError.forbidden("the unit is not in your province")
            }
        case .nationalOffice, .leader, .expert:
            throw WorkflowError.invalidInput("role", "must be provincialOffice or unitAdmin")
        }
        let id = try newId(input.accountId, field: "accountId")
        guard state.account(id) == nil else {
            throw WorkflowError(.duplicateId, field: "accountId", "account \(id) already exists")
        }
        guard state.accountId(role: input.role, username: input.username) == nil else {
            throw WorkflowError(
                .duplicateAccount, rule: "R-ACC-1", field: "username", "username \(input.username) is taken")
        }
        try requireStrongPassword(input.password, field: "password")
        let hash = try preparedHash(field: "password")
        decision.append(
            .adminAccountCreated(
                AdminAccountCreated(
                    accountId: id, role: input.role, username: input.username, name: input.name,
                    provinceId: input.role == .provincialOffice ? input.provinceId : nil,
                    unitId: input.role == .unitAdmin ? input.unitId : nil, createdBy: admin.id, at: time)))
        decision.credentialChanges.append(.setPassword(accountId: id, hash: hash))
        decision.result["accountId"] = id
    }

    mutating func setAccountEnabled(accountId: String, enabled: Bool) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, .provincialOffice, .unitAdmin, rule: "R-ACC-9")
        guard let target = state.account(accountId), admin.sees(target, in: state) else {
            throw unseen("account", accountId, field: "accountId", rule: "R-ACC-9", by: admin)
        }
        guard target.id != admin.id else {
            throw WorkflowError.forbidden("an admin cannot disable or enable itself", rule: "R-ACC-9")
        }
        let allowed: Bool
        switch admin.role {
        case .nationalOffice:
            allowed = true
        case .provincialOffice:
            if target.role == .provincialOffice || target.role == .nationalOffice {
                allowed = false
            } else {
                allowed = covers(admin, unitId: target.unitId ?? "")
            }
        case .unitAdmin:
            allowed = target.role.isPersonal && target.unitId == admin.unitId
        case .leader, .expert:
            allowed = false
        }
        guard allowed else { throw WorkflowError.forbidden("the account is not in your scope", rule: "R-ACC-9") }
        guard target.enabled != enabled else {
            throw WorkflowError.invalidState(
                "the account is already \(enabled ? "enabled" : "disabled")", rule: "R-ACC-9")
        }
        guard !(enabled && target.isErased) else {
            throw WorkflowError.invalidState(
                "the account's personal data was erased; it stays closed", rule: "R-LOG-6")
        }
        decision.append(
            .accountEnabledSet(AccountEnabledSet(accountId: accountId, enabled: enabled, by: admin.id, at: time)))
    }

    // MARK: registration

    func validateRegistration(
        username: String, email: String, idType: IdType, idNumber: String, unitId: String
    ) throws(WorkflowError) {
        guard state.unit(unitId) != nil else {
            throw WorkflowError(.unknownUnit, rule: "R-ACC-2", field: "unitId", "单位不存在 (unit \(unitId) does not exist)")
        }
        guard AccountFields.isValidPhone(username) else {
            throw WorkflowError.invalidInput(
                "username", "手机号码无效 (a mobile number: 11 digits starting with 1)", rule: "R-ACC-2")
        }
        guard AccountFields.isValidEmail(email) else {
            throw WorkflowError.invalidInput("email", "电子邮箱无效 (not a valid e-mail address)", rule: "R-ACC-2")
        }
        try requireValidIdNumber(idNumber, type: idType, field: "idNumber")
    }

    mutating func registerAccount(_ input: RegisterAccount) throws(WorkflowError) {
        guard input.agreedToTerms else {
            throw WorkflowError(
                .termsNotAccepted, rule: "R-ACC-2", field: "agreedToTerms", "请阅读并同意用户协议 (accept the user agreement)")
        }
        guard input.role == .leader || input.role == .expert else {
            throw WorkflowError.invalidInput("role", "must be leader or expert", rule: "R-ACC-1")
        }
        let id = try newId(input.accountId, field: "accountId")
        guard state.account(id) == nil else {
            throw WorkflowError(.duplicateId, field: "accountId", "account \(id) already exists")
        }
        try validateRegistration(
            username: input.username, email: input.email, idType: input.idType, idNumber: input.idNumber,
            unitId: input.unitId)
        try requireStrongPassword(input.password, field: "password")
        guard state.accountId(role: input.role, username: input.username) == nil else {
            throw WorkflowError(
                .duplicateAccount, rule: "R-ACC-1", field: "username",
                "该手机号已注册为\(input.role.label(.zh)) (phone already registered for this role)")
        }
        try requireUnusedIdNumber(role: input.role, idType: input.idType, idNumber: input.idNumber)
        let hash = try preparedHash(field: "password")
        decision.append(
            .accountRegistered(
                AccountRegistered(
                    accountId: id, role: input.role, username: input.username, email: input.email, name: input.name,
                    idType: input.idType, idNumber: input.idNumber, unitId: input.unitId, at: time)))
        decision.credentialChanges.append(.setPassword(accountId: id, hash: hash))
        decision.result["accountId"] = id
        notifyAdmins(
            .unit(input.unitId), NotificationTemplate.reviewRequested,
            ["itemKind": "registration", "itemId": id, "projectNo": "", "level": ReviewLevel.unit.rawValue])
    }

    mutating func resubmitRegistration(_ input: ResubmitRegistration) throws(WorkflowError) {
        let invalid = WorkflowError(.invalidCredentials, rule: "R-ACC-6", "账号或密码错误 (wrong account or password)")
        guard let account = state.account(input.accountId), account.role.isPersonal else { throw invalid }
        try checkPassword(of: account, invalid: invalid)
        guard account.registration == .rejected else {
            throw WorkflowError.invalidState("only a rejected registration can be resubmitted", rule: "R-ACC-3")
        }
        let username = input.username ?? account.username
        let email = input.email ?? account.email ?? ""
        let idType = input.idType ?? account.idType ?? .residentId
        let idNumber = input.idNumber ?? account.idNumber ?? ""
        let unitId = input.unitId ?? account.unitId ?? ""
        try validateRegistration(username: username, email: email, idType: idType, idNumber: idNumber, unitId: unitId)
        if let holder = state.accountId(role: account.role, username: username), holder != account.id {
            throw WorkflowError(.duplicateAccount, rule: "R-ACC-1", field: "username", "username \(username) is taken")
        }
        try requireUnusedIdNumber(role: account.role, idType: idType, idNumber: idNumber, except: account.id)
        decision.append(
            .registrationResubmitted(
                RegistrationResubmitted(
                    accountId: account.id, username: username, email: email, name: input.name ?? account.name,
                    idType: idType, idNumber: idNumber, unitId: unitId, at: time)))
        decision.result["accountId"] = account.id
        notifyAdmins(
            .unit(unitId), NotificationTemplate.reviewRequested,
            ["itemKind": "registration", "itemId": account.id, "projectNo": "", "level": ReviewLevel.unit.rawValue])
    }

    mutating func reviewRegistration(
        accountId: String, decision registrationDecision: RegistrationDecision, reason: String?
    ) throws(WorkflowError) {
        let admin = try actor()
        guard admin.role == .unitAdmin else {
            throw WorkflowError.forbidden(
                "only an admin of the account's unit reviews its registration", rule: "R-ACC-3")
        }
        guard let target = state.account(accountId), admin.sees(target, in: state) else {
            throw unseen("account", accountId, field: "accountId", rule: "R-ACC-3", by: admin)
        }
        guard target.role.isPersonal else {
            throw WorkflowError.forbidden("only leader and expert accounts are registered", rule: "R-ACC-3")
        }
        guard target.registration == .pending else {
            throw WorkflowError.invalidState("the registration is not pending", rule: "R-ACC-3")
        }
        decision.append(
            .registrationReviewed(
                RegistrationReviewed(
                    accountId: accountId, decision: registrationDecision, reason: reason, by: admin.id, at: time)))
        let template =
            registrationDecision == .approve
            ? NotificationTemplate.registrationApproved : NotificationTemplate.registrationRejected
        var parameters = ["accountId": accountId]
        if registrationDecision == .reject { parameters["reason"] = reason ?? "" }
        decision.notify(accountId, .sms, template, parameters)
        decision.notify(accountId, .email, template, parameters)
    }

    // MARK: login and passwords

    mutating func login(role: Role, username: String) throws(WorkflowError) {
        let invalid = WorkflowError(.invalidCredentials, rule: "R-ACC-10", "用户名或密码错误 (wrong username or password)")
        guard let account = state.account(role: role, username: username) else { throw invalid }
        let credential = try checkPassword(of: account, invalid: invalid)
        guard account.enabled else {
            throw WorkflowError(.accountDisabled, rule: "R-ACC-9", "账号已停用 (account disabled)")
        }
        guard account.registration == .approved else {
            throw WorkflowError(.accountNotApproved, rule: "R-ACC-4", "账号尚未审核通过 (account not approved)")
        }
        if credential.failedAttempts != 0 || credential.lockedUntil != nil {
            decision.credentialChanges.append(.resetLoginAttempts(accountId: account.id))
        }
        decision.result["accountId"] = account.id
    }

    /// The password check of every command that takes one (`login`, `resubmitRegistration`;
    /// R-ACC-6 rev. 2, R-ACC-10): a wrong password is `invalid` whatever the account's state, and counts
    /// toward the lockout (kept although the command is rejected); only the right one learns that the
    /// account is locked.
    @discardableResult
    mutating func checkPassword(of account: Account, invalid: WorkflowError) throws(WorkflowError) -> Credential {
        let credential = state.credential(account.id)
        guard context.secrets.passwordMatches == true, let credential else {
            if let credential, !credential.isLocked(at: time) {
                let attempts = credential.failedAttempts &+ 1
                if attempts >= policy.lockoutThreshold {
                    rejectionCredentialChanges.append(
                        .recordFailedLogin(
                            accountId: account.id, failedAttempts: 0,
                            lockedUntil: time.adding(minutes: policy.lockoutMinutes)))
                } else {
                    rejectionCredentialChanges.append(
                        .recordFailedLogin(accountId: account.id, failedAttempts: attempts, lockedUntil: nil))
                }
            }
            throw invalid
        }
        if let lockedUntil = credential.lockedUntil, time < lockedUntil {
            throw WorkflowError(
                .accountLocked, rule: "R-ACC-6", "账号已锁定，请于\(lockedUntil)后重试 (locked until \(lockedUntil))")
        }
        return credential
    }

    /// R-ACC-7: sends a fresh token to the phone and the e-mail of an existing account, unless the
    /// account already had ``WorkflowPolicy/maximumResetRequestsPerHour`` tokens sent within the
    /// last hour. The new token revokes every earlier one. An unknown username and a throttled
    /// request change nothing and send nothing; every case answers the same (no oracle).
    mutating func requestPasswordReset(role: Role, username: String) throws(WorkflowError) {
        guard let token = context.secrets.resetToken, !token.isEmpty else {
            throw WorkflowError.invalidInput("token", "no reset token was prepared", rule: "R-ACC-7")
        }
        guard let account = state.account(role: role, username: username) else { return }
        var resetState = state.passwordResetState(account.id) ?? PasswordResetState(accountId: account.id)
        let windowStart = time.adding(minutes: -60)
        resetState.recentRequests.removeAll { $0 <= windowStart }
        guard resetState.recentRequests.count < policy.maximumResetRequestsPerHour else { return }
        let digest = PasswordHasher.tokenDigest(token)
        let expiresAt = time.adding(minutes: policy.resetTokenMinutes)
        resetState.currentDigest = digest
        resetState.recentRequests.append(time)
        decision.credentialChanges.append(
            .storeResetToken(ResetTokenRecord(digest: digest, accountId: account.id, expiresAt: expiresAt)))
        decision.credentialChanges.append(.setPasswordResetState(resetState))
        let parameters = ["token": token, "expiresAt": expiresAt.description]
        decision.notify(account.id, .sms, NotificationTemplate.passwordReset, parameters)
        decision.notify(account.id, .email, NotificationTemplate.passwordReset, parameters)
    }

    /// R-ACC-7: a token resets the password once, before it expires, and only while it is the
    /// account's current one; success revokes it and every earlier one. The account of an erased
    /// person is closed for good (R-LOG-6): no token of it resets anything.
    mutating func resetPassword(token: String, newPassword: String) throws(WorkflowError) {
        let digest = PasswordHasher.tokenDigest(token)
        let resetState = state.resetToken(digest: digest).flatMap { state.passwordResetState($0.accountId) }
        guard let record = state.resetToken(digest: digest), !record.used, time < record.expiresAt,
            let account = state.account(record.accountId), !account.isErased,
            // Tokens stored before rev. 2 have no bookkeeping record: they stay valid until used or expired.
            resetState.map({ $0.currentDigest == digest }) ?? true
        else {
            throw WorkflowError(.tokenInvalid, rule: "R-ACC-7", "重置链接无效或已过期 (token used, expired, revoked or unknown)")
        }
        try requireStrongPassword(newPassword, field: "newPassword")
        let hash = try preparedHash(field: "newPassword")
        decision.append(.passwordChanged(PasswordChanged(accountId: record.accountId, at: time)))
        decision.credentialChanges.append(.setPassword(accountId: record.accountId, hash: hash))
        decision.credentialChanges.append(.consumeResetToken(digest: digest))
        var revoked = resetState ?? PasswordResetState(accountId: record.accountId)
        revoked.currentDigest = nil
        decision.credentialChanges.append(.setPasswordResetState(revoked))
    }

    mutating func completeProfile(_ profile: Profile) throws(WorkflowError) {
        let account = try actor(allowIncompleteProfile: true)
        guard profile.birthDate < today else {
            throw WorkflowError.invalidInput("profile.birthDate", "must be in the past", rule: "R-ACC-5")
        }
        decision.append(.profileCompleted(ProfileCompleted(accountId: account.id, profile: profile, at: time)))
    }
}
