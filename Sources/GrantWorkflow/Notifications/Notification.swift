/// The channel a notification goes out on (R-NTF-1).
public enum NotificationChannel: String, Sendable, Codable, CaseIterable, BinaryCodable {
    /// Text message to the account's phone.
    case sms
    /// E-mail to the account's address.
    case email
    /// The platform's in-app inbox.
    case inbox
}

/// A notification for the outbox: the engine stores it in the same transaction as the events (R-NTF-1).
public struct Notification: Codable, Sendable, Hashable {
    /// The recipient account.
    public var recipient: String
    /// The channel.
    public var channel: NotificationChannel
    /// The template name (see ``NotificationTemplate``).
    public var template: String
    /// The template's parameters.
    public var parameters: [String: String]

    /// Creates a notification.
    public init(recipient: String, channel: NotificationChannel, template: String, parameters: [String: String]) {
        self.recipient = recipient
        self.channel = channel
        self.template = template
        self.parameters = parameters
    }
}

/// The names of the notification templates the domain uses.
public enum NotificationTemplate {
    /// A registration was approved (R-ACC-4). Parameters: `accountId`.
    public static let registrationApproved = "registrationApproved"
    /// A registration was rejected (R-ACC-4). Parameters: `accountId`, `reason`.
    public static let registrationRejected = "registrationRejected"
    /// A password-reset token (R-ACC-7). Parameters: `token`, `expiresAt`.
    public static let passwordReset = "passwordReset"
    /// An item waits for the recipient's review. Parameters: `itemKind`, `itemId`, `projectNo`, `level`.
    public static let reviewRequested = "reviewRequested"
    /// An item of the recipient was decided. Parameters: `itemKind`, `itemId`, `projectNo`, `decision`, `level`, `opinion`.
    public static let itemDecided = "itemDecided"
    /// A change or adjustment took effect at the unit: filing record (备案, R-CHG-6, R-BUD-3).
    /// Parameters: `itemKind`, `itemId`, `projectNo`, `kind`.
    public static let filingRecord = "filingRecord"
    /// An item was closed because its project left `active` (R-CHG-8). Parameters: `itemKind`, `itemId`, `projectNo`, `reason`.
    public static let itemClosed = "itemClosed"
    /// An expert was assigned a closeout to appraise (R-CLO-5). Parameters: `closeoutId` (no project
    /// number: the appraisal is blind).
    public static let appraisalAssigned = "appraisalAssigned"
    /// A deadline reminder (R-NTF-2). Parameters: `projectNo`, `plannedEndDate`, `daysBefore`.
    public static let deadlineReminder = "deadlineReminder"
    /// A project of the recipient's unit is overdue (R-NTF-2). Parameters: `projectNo`, `plannedEndDate`.
    public static let projectOverdue = "projectOverdue"
    /// The national office ended a project (R-PRJ-5): to the leader (SMS, e-mail) and the unit (inbox).
    public static let projectEnded = "projectEnded"
}
