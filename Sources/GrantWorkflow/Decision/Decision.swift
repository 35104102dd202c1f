/// An event to append, with the stream it goes to.
public struct PendingEvent: Sendable, Hashable {
    /// The stream id (see ``StreamID``).
    public var stream: String
    /// The event.
    public var event: DomainEvent

    /// Wraps an event with its own stream (``DomainEvent/streamId``).
    public init(_ event: DomainEvent) {
        self.stream = event.streamId
        self.event = event
    }
}

/// A change to the credentials store, which lives outside the event log (R-ACC-6, R-ACC-7, R-ACC-8).
public enum CredentialChange: Sendable, Hashable {
    /// Sets an account's password hash; clears failed attempts and any lock.
    case setPassword(accountId: String, hash: PasswordHash)
    /// Stores a reset token's digest with its expiry.
    case storeResetToken(ResetTokenRecord)
    /// Marks a reset token used.
    case consumeResetToken(digest: String)
    /// Replaces an account's password-reset bookkeeping: its current token and recent requests.
    case setPasswordResetState(PasswordResetState)
    /// Records the login attempt counter and lock of an account after a failed login.
    case recordFailedLogin(accountId: String, failedAttempts: Int, lockedUntil: Timestamp?)
    /// Resets the attempt counter after a successful login.
    case resetLoginAttempts(accountId: String)
}

/// What an accepted command produces: events, outbox notifications, credential changes, attachment
/// bytes and the result fields for the caller. The engine applies all of it in one transaction.
public struct Decision: Sendable, Hashable {
    /// The events to append, in order.
    public var events: [PendingEvent]
    /// The notifications to put in the outbox (R-NTF-1).
    public var notifications: [Notification]
    /// The changes to the credentials store.
    public var credentialChanges: [CredentialChange]
    /// Attachment bytes to store by digest (R-ATT-1).
    public var attachments: [AttachmentBlob]
    /// Result fields for the caller (`requestId`, `accountId` …).
    public var result: [String: String]

    /// Creates a decision.
    public init(
        events: [PendingEvent] = [], notifications: [Notification] = [], credentialChanges: [CredentialChange] = [],
        attachments: [AttachmentBlob] = [], result: [String: String] = [:]
    ) {
        self.events = events
        self.notifications = notifications
        self.credentialChanges = credentialChanges
        self.attachments = attachments
        self.result = result
    }

    /// The events alone.
    public var domainEvents: [DomainEvent] { events.map(\.event) }

    /// Appends an event to its own stream.
    public mutating func append(_ event: DomainEvent) { events.append(PendingEvent(event)) }

    /// Queues a notification.
    public mutating func notify(
        _ recipient: String, _ channel: NotificationChannel, _ template: String, _ parameters: [String: String]
    ) {
        notifications.append(
            Notification(recipient: recipient, channel: channel, template: template, parameters: parameters))
    }
}

/// A rejected command: the error, and the credential changes a rejected login still makes.
///
/// R-LOG-1 says a rejected command changes nothing; failed logins are the one documented exception
/// (they count toward the lockout of R-ACC-6), see `docs/decisions.md`.
public struct Rejection: Error, Sendable, Hashable {
    /// The error to return.
    public var error: WorkflowError
    /// Credential changes to persist although the command is rejected (failed logins only).
    public var credentialChanges: [CredentialChange]

    /// Creates a rejection.
    public init(_ error: WorkflowError, credentialChanges: [CredentialChange] = []) {
        self.error = error
        self.credentialChanges = credentialChanges
    }
}

/// The outcome of `decide`.
public enum DecisionOutcome: Sendable, Hashable {
    /// Accepted: apply the decision.
    case accepted(Decision)
    /// Rejected: return the error; persist only `credentialChanges`.
    case rejected(Rejection)

    /// The decision, or nil when rejected.
    public var decision: Decision? {
        if case .accepted(let decision) = self { return decision }
        return nil
    }

    /// The error, or nil when accepted.
    public var error: WorkflowError? {
        if case .rejected(let rejection) = self { return rejection.error }
        return nil
    }

    /// The decision, or throws the error.
    public func get() throws(WorkflowError) -> Decision {
        switch self {
        case .accepted(let decision): return decision
        case .rejected(let rejection): throw rejection.error
        }
    }
}
