extension Decider {
    /// R-LOG-6 (rev. 2): the national office erases a person's personal data. The engine destroys the
    /// subjects' keys in the same transaction; every account of the person is closed.
    mutating func eraseSubject(_ target: SubjectTarget, reason: String) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, rule: "R-LOG-6")
        guard !reason.allSatisfy(\.isWhitespace) else {
            throw WorkflowError.invalidInput("reason", "须说明理由 (a reason is required)", rule: "R-LOG-6")
        }
        if case .account(let accountId) = target, state.account(accountId) == nil {
            throw WorkflowError.notFound("account", accountId, field: "accountId")
        }
        switch state.subjectStatus(target) {
        case .unknown:
            throw WorkflowError(
                .notFound, rule: "R-LOG-6", field: target.field,
                "no encrypted personal data of this person is held (data written before encryption is "
                    + "erased by `grantledger migrate --encrypt-personal-data`)")
        case .erased:
            throw WorkflowError.invalidState("this person's personal data is already erased", rule: "R-LOG-6")
        case .live(let subjects, let accounts):
            guard !accounts.contains(admin.id) else {
                throw WorkflowError.forbidden("an office cannot erase its own account", rule: "R-LOG-6")
            }
            decision.append(
                .subjectErased(
                    SubjectErased(subjects: subjects, accounts: accounts, reason: reason, by: admin.id, at: time)))
            for accountId in accounts {
                // R-ACC-7: a reset token sent before the erasure resets nothing after it.
                // `resetPassword` also refuses any token of an erased person's account.
                if var resetState = state.passwordResetState(accountId), resetState.currentDigest != nil {
                    resetState.currentDigest = nil
                    decision.credentialChanges.append(.setPasswordResetState(resetState))
                }
                guard let account = state.account(accountId), account.enabled else { continue }
                decision.append(
                    .accountEnabledSet(AccountEnabledSet(accountId: accountId, enabled: false, by: admin.id, at: time)))
            }
            decision.result = ["subjects": "\(subjects.count)", "accountsClosed": "\(accounts.count)"]
        }
    }
}

extension SubjectTarget {
    /// The command field that names the person.
    var field: String {
        switch self {
        case .account: return "accountId"
        case .person: return "idNumber"
        }
    }
}
