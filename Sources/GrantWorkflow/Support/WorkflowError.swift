/// The one error type of the workflow domain: a stable code, the rule it enforces and a message.
///
/// `code` is an extensible struct (new codes never break callers that switch with a `default`);
/// `rule` is the id of the rule in docs/rules.md (R-…) when one applies; `field` names the offending
/// input field for validation errors (a dotted path such as `details.newEndDate`, or `$` for the
/// whole line).
public struct WorkflowError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A stable, machine-readable error code (the list in docs/cli.md).
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        /// The code as it appears in JSON results.
        public var rawValue: String
        /// Wraps a raw code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw code.
        public var description: String { rawValue }

        /// A missing, wrongly typed, malformed or over-long input field, or input that is not JSON.
        public static let invalidInput = Code(rawValue: "invalidInput")
        /// The command `type` is not one the domain knows.
        public static let unknownCommand = Code(rawValue: "unknownCommand")
        /// A referenced entity does not exist.
        public static let notFound = Code(rawValue: "notFound")
        /// A client-chosen id (or a certificate number) is already in use.
        public static let duplicateId = Code(rawValue: "duplicateId")
        /// The actor may not perform this command on this target.
        public static let forbidden = Code(rawValue: "forbidden")
        /// The command's time runs backwards (checked by the engine, not the domain).
        public static let clockSkew = Code(rawValue: "clockSkew")
        /// Registration without accepting the user agreement (R-ACC-2).
        public static let termsNotAccepted = Code(rawValue: "termsNotAccepted")
        /// The named unit does not exist (R-ACC-2).
        public static let unknownUnit = Code(rawValue: "unknownUnit")
        /// An ID number that fails its check (R-ACC-2).
        public static let invalidIdNumber = Code(rawValue: "invalidIdNumber")
        /// The username is already taken within the role (R-ACC-1).
        public static let duplicateAccount = Code(rawValue: "duplicateAccount")
        /// An account of the role already holds this ID type and number (R-ACC-1 rev. 2).
        public static let duplicateIdNumber = Code(rawValue: "duplicateIdNumber")
        /// The password is too weak (R-ACC-6).
        public static let weakPassword = Code(rawValue: "weakPassword")
        /// The account is not approved (R-ACC-4).
        public static let accountNotApproved = Code(rawValue: "accountNotApproved")
        /// The account is disabled (R-ACC-9).
        public static let accountDisabled = Code(rawValue: "accountDisabled")
        /// The personal account has not completed its profile (R-ACC-5).
        public static let profileIncomplete = Code(rawValue: "profileIncomplete")
        /// Wrong username or password (R-ACC-6, R-ACC-10).
        public static let invalidCredentials = Code(rawValue: "invalidCredentials")
        /// Too many failed logins (R-ACC-6).
        public static let accountLocked = Code(rawValue: "accountLocked")
        /// A used, expired or unknown reset token (R-ACC-7).
        public static let tokenInvalid = Code(rawValue: "tokenInvalid")
        /// The project is not active, or has a closeout under review (R-CHG-4, R-CLO-1, R-BUD-4).
        public static let projectNotActive = Code(rawValue: "projectNotActive")
        /// The target is not in a state that allows the command.
        public static let invalidState = Code(rawValue: "invalidState")
        /// An open item of the same kind already exists (R-CHG-3, R-BUD-4).
        public static let duplicatePendingChange = Code(rawValue: "duplicatePendingChange")
        /// The new end date is not after the current one (R-CHG-9).
        public static let extensionNotLater = Code(rawValue: "extensionNotLater")
        /// The project already had the maximum number of extensions (R-CHG-9).
        public static let extensionLimitReached = Code(rawValue: "extensionLimitReached")
        /// The extension is too long (R-CHG-9).
        public static let exceedsMaximumPeriod = Code(rawValue: "exceedsMaximumPeriod")
        /// The extension is submitted too close to the end date (R-CHG-9).
        public static let extensionTooLate = Code(rawValue: "extensionTooLate")
        /// The project already has an open closeout (R-CLO-1).
        public static let closeoutAlreadyOpen = Code(rawValue: "closeoutAlreadyOpen")
        /// Closeout sections (or revision notes) are missing (R-CLO-2, R-CLO-7).
        public static let incompleteCloseout = Code(rawValue: "incompleteCloseout")
        /// The detailed ledger attachment is missing (R-CLO-2).
        public static let ledgerAttachmentRequired = Code(rawValue: "ledgerAttachmentRequired")
        /// The proof for an exempt closeout is missing (R-CLO-2).
        public static let exemptionProofRequired = Code(rawValue: "exemptionProofRequired")
        /// Amounts that do not add up (R-CLO-3, R-BUD-2).
        public static let budgetMismatch = Code(rawValue: "budgetMismatch")
        /// The expert may not appraise this closeout (R-CLO-5).
        public static let expertConflict = Code(rawValue: "expertConflict")
        /// The attachment exceeds the size limit (R-ATT-1).
        public static let attachmentTooLarge = Code(rawValue: "attachmentTooLarge")
        /// The indirect cost was changed (R-BUD-1).
        public static let indirectCostNotAdjustable = Code(rawValue: "indirectCostNotAdjustable")
        /// A negative amount (R-BUD-2).
        public static let invalidAmount = Code(rawValue: "invalidAmount")
        /// The closeout belongs to the classified paper procedure, not the platform (R-CLO-2, rev. 2).
        public static let offPlatformProcedure = Code(rawValue: "offPlatformProcedure")
        /// A closeout for appraisal lacks its final deliverable (R-CLO-2, rev. 2).
        public static let finalDeliverableRequired = Code(rawValue: "finalDeliverableRequired")
        /// The new leader already leads another active project (R-CHG-11, rev. 2).
        public static let leaderLimitExceeded = Code(rawValue: "leaderLimitExceeded")
    }

    /// The stable error code.
    public var code: Code
    /// The id of the rule of docs/rules.md that was enforced, when one applies.
    public var rule: String?
    /// A human message; in Chinese where the manual gives the words.
    public var message: String
    /// The offending input field, for validation errors.
    public var field: String?

    /// Creates an error.
    public init(_ code: Code, rule: String? = nil, field: String? = nil, _ message: String) {
        self.code = code
        self.rule = rule
        self.field = field
        self.message = message
    }

    /// `code (rule) field: message`.
    public var description: String {
        var text = code.rawValue
        if let rule { text += " (\(rule))" }
        if let field { text += " \(field)" }
        return text + ": " + message
    }

    /// An `invalidInput` error naming `field`.
    public static func invalidInput(_ field: String, _ message: String, rule: String? = nil) -> WorkflowError {
        WorkflowError(.invalidInput, rule: rule, field: field, message)
    }

    /// A `forbidden` error.
    public static func forbidden(_ message: String, rule: String? = nil) -> WorkflowError {
        WorkflowError(.forbidden, rule: rule, message)
    }

    /// A `notFound` error naming what was looked up.
    public static func notFound(_ what: String, _ id: String, field: String? = nil) -> WorkflowError {
        WorkflowError(.notFound, field: field, "\(what) \(id) not found")
    }

    /// An `invalidState` error.
    public static func invalidState(_ message: String, rule: String? = nil) -> WorkflowError {
        WorkflowError(.invalidState, rule: rule, message)
    }
}
