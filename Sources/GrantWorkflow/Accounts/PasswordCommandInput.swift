/// Checks of an account's fields that need no store (R-ACC-2).
enum AccountFields {
    /// A mainland mobile number: 11 digits starting with 1.
    static func isValidPhone(_ phone: String) -> Bool {
        let bytes = Array(phone.utf8)
        return bytes.count == 11 && bytes[0] == UInt8(ascii: "1")
            && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `local@domain.tld`, at most 200 characters, no whitespace.
    static func isValidEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, email.count <= 200,
            !email.contains(where: { $0.isWhitespace })
        else { return false }
        let domain = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return domain.count >= 2 && domain.allSatisfy { !$0.isEmpty }
    }
}

extension Command {
    /// The first input rule a command that hashes or checks a password breaks, found without the store:
    /// what the engine refuses before it spends PBKDF2 time on the password (a malformed line costs no
    /// hashing). Rules that read the store (a unit that must exist, the actor's scope, a number already
    /// registered) are checked by the writer after the hash: commands are prepared ahead of the commits
    /// before them, so the store a command will meet is not yet known here (docs/decisions.md).
    public var inputRefusal: WorkflowError? {
        switch self {
        case .registerAccount(let input):
            guard input.agreedToTerms else {
                return WorkflowError(
                    .termsNotAccepted, rule: "R-ACC-2", field: "agreedToTerms", "请阅读并同意用户协议 (accept the user agreement)"
                )
            }
            guard input.role == .leader || input.role == .expert else {
                return WorkflowError.invalidInput("role", "must be leader or expert", rule: "R-ACC-1")
            }
            return Self.registrationRefusal(
                username: input.username, email: input.email, idType: input.idType, idNumber: input.idNumber)
        case .resubmitRegistration(let input):
            // The document type may come from the account: a number is checked once its type is known.
            return Self.registrationRefusal(
                username: input.username, email: input.email, idType: input.idType,
                idNumber: input.idType == nil ? nil : input.idNumber)
        case .createAdminAccount(let input):
            guard input.role == .provincialOffice || input.role == .unitAdmin else {
                return WorkflowError.invalidInput("role", "must be provincialOffice or unitAdmin")
            }
            return nil
        case .resetPassword(let token, _):
            // A token is 64 lowercase hex digits (32 random bytes); nothing else can match one.
            let digits = Array(token.utf8)
            guard digits.count == 64, digits.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
            else {
                return WorkflowError(
                    .tokenInvalid, rule: "R-ACC-7", "重置链接无效或已过期 (token used, expired, revoked or unknown)")
            }
            return nil
        default:
            return nil
        }
    }

    private static func registrationRefusal(
        username: String?, email: String?, idType: IdType?, idNumber: String?
    ) -> WorkflowError? {
        if let username, !AccountFields.isValidPhone(username) {
            return WorkflowError.invalidInput(
                "username", "手机号码无效 (a mobile number: 11 digits starting with 1)", rule: "R-ACC-2")
        }
        if let email, !AccountFields.isValidEmail(email) {
            return WorkflowError.invalidInput("email", "电子邮箱无效 (not a valid e-mail address)", rule: "R-ACC-2")
        }
        if let idType, let idNumber, let problem = IdentityNumber.problem(idNumber, type: idType) {
            return WorkflowError(.invalidIdNumber, rule: "R-ACC-2", field: "idNumber", problem)
        }
        return nil
    }
}
