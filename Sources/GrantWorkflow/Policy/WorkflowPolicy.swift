/// The settings where research-management offices could reasonably differ, with the spec's defaults.
///
/// `docs/policy.md` lists each with its source. The engine stores the policy in its `meta` and
/// passes it in every ``DecisionContext``.
public struct WorkflowPolicy: Codable, Sendable, Hashable {
    /// The level whose approval makes a change request effective, by kind (R-CHG-5, R-CHG-6).
    ///
    /// Review always starts at the unit and climbs one level at a time up to this one. Default:
    /// `unit` for `changeMembers`, `selfTermination` and `withdrawal`, `national` for the others.
    public var finalApprovalLevel: [ChangeKind: ReviewLevel]
    /// Kinds whose unit-level effect sends a filing record (备案) to the higher offices (R-CHG-6).
    public var filedKinds: Set<ChangeKind>
    /// Effective extensions allowed per project (R-CHG-9). Default 2.
    public var maximumExtensions: Int
    /// Months one extension may add past the current end date (R-CHG-9). Default 12.
    public var maximumExtensionMonths: Int
    /// Years from approval that extensions may never pass, for the capped categories (R-CHG-9). Default 5.
    public var maximumProjectYears: Int
    /// The categories the five-year cap applies to (R-CHG-9). Default general, youth, western.
    public var cappedCategories: Set<ProjectCategory>
    /// Days before the current end date by which an extension must be submitted (R-CHG-9). Default 90.
    public var extensionNoticeDays: Int
    /// Experts per appraisal (R-CLO-5). Default 3.
    public var expertCount: Int
    /// Avoided experts a leader may list (R-CLO-5). Default 3.
    public var maximumAvoidedExperts: Int
    /// Consecutive failed logins that lock an account (R-ACC-6). Default 5.
    public var lockoutThreshold: Int
    /// Minutes an account stays locked (R-ACC-6). Default 15.
    public var lockoutMinutes: Int
    /// Minutes a reset token is valid (R-ACC-7). Default 30.
    public var resetTokenMinutes: Int
    /// Largest attachment in bytes (R-ATT-1). Default 20 MiB.
    public var maximumAttachmentBytes: Int
    /// PBKDF2-SHA256 iterations for new password hashes (R-ACC-6). Default 210,000 (≥ 100,000).
    public var passwordIterations: Int
    /// Minimum password length (R-ACC-6). Default 8.
    public var minimumPasswordLength: Int
    /// Days before the end date at which the sweep reminds the leader (R-NTF-2). Default 120 and 90.
    public var reminderDays: [Int]
    /// How far, in seconds, a command's `at` may lie from the ledger's clock (R-LOG-4). Default 300.
    public var clockToleranceSeconds: Int

    /// The spec's defaults.
    public init() {
        var levels: [ChangeKind: ReviewLevel] = [:]
        for kind in ChangeKind.allCases { levels[kind] = .national }
        levels[.changeMembers] = .unit
        levels[.selfTermination] = .unit
        levels[.withdrawal] = .unit
        finalApprovalLevel = levels
        filedKinds = [.changeMembers, .selfTermination, .withdrawal]
        maximumExtensions = 2
        maximumExtensionMonths = 12
        maximumProjectYears = 5
        cappedCategories = [.general, .youth, .western]
        extensionNoticeDays = 90
        expertCount = 3
        maximumAvoidedExperts = 3
        lockoutThreshold = 5
        lockoutMinutes = 15
        resetTokenMinutes = 30
        maximumAttachmentBytes = 20 * 1024 * 1024
        passwordIterations = 210_000
        minimumPasswordLength = 8
        reminderDays = [120, 90]
        clockToleranceSeconds = 300
    }

    /// The spec's defaults.
    public static let standard = WorkflowPolicy()

    /// Refuses a password shorter than ``minimumPasswordLength`` or without both a letter and a
    /// digit (R-ACC-6). The engine checks it before hashing, and `decide` again.
    public func requireStrongPassword(_ password: String, field: String) throws(WorkflowError) {
        let hasLetter = password.unicodeScalars.contains { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
        let hasDigit = password.unicodeScalars.contains { ("0"..."9").contains($0) }
        guard password.count >= minimumPasswordLength, hasLetter, hasDigit else {
            throw WorkflowError(
                .weakPassword, rule: "R-ACC-6", field: field,
                "密码至少\(minimumPasswordLength)位，且包含字母和数字 (at least \(minimumPasswordLength) characters with a letter and a digit)"
            )
        }
    }

    /// The level that makes a request of `kind` effective.
    public func finalLevel(for kind: ChangeKind) -> ReviewLevel {
        finalApprovalLevel[kind] ?? .national
    }
}
