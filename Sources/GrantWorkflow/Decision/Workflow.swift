/// The workflow's entry points: `decide` (command → events or error) and `evolve` (event → state).
///
/// Both are pure and deterministic: no I/O, no clock, no randomness (R-LOG-4). Time, policy,
/// password hashes, tokens and generated ids come in through ``DecisionContext``.
public enum Workflow {
    /// Decides a command against the current state.
    ///
    /// - Parameters:
    ///   - command: the decoded command.
    ///   - actor: the acting account id from the envelope (nil for anonymous commands).
    ///   - state: read access to the state (the engine's write transaction, or a ``WorkflowState``).
    ///   - context: time, policy and prepared secrets.
    /// - Returns: the decision to apply, or the rejection (whose credential changes a failed login still makes).
    public static func decide(
        _ command: Command, actor: String?, state: some WorkflowStateReader, context: DecisionContext
    ) -> DecisionOutcome {
        var decider = Decider(state: state, context: context, actorId: actor)
        do throws(WorkflowError) {
            try decider.run(command)
            return .accepted(decider.decision)
        } catch {
            return .rejected(Rejection(error, credentialChanges: decider.rejectionCredentialChanges))
        }
    }

    /// Decides a decoded envelope (its actor and command).
    public static func decide(
        _ envelope: CommandEnvelope, state: some WorkflowStateReader, context: DecisionContext
    ) -> DecisionOutcome {
        decide(envelope.command, actor: envelope.actor, state: state, context: context)
    }

    /// Decides, applies the accepted events and credential changes to `state`, and returns the outcome.
    ///
    /// A convenience for tests and in-memory use: the engine applies decisions to its own stores.
    public static func execute(
        _ command: Command, actor: String?, state: inout some WorkflowStateWriter, context: DecisionContext
    ) -> DecisionOutcome {
        let outcome = decide(command, actor: actor, state: state, context: context)
        switch outcome {
        case .accepted(let decision):
            for pending in decision.events { evolve(pending.event, into: &state) }
            for change in decision.credentialChanges { apply(change, to: &state) }
        case .rejected(let rejection):
            for change in rejection.credentialChanges { apply(change, to: &state) }
        }
        return outcome
    }
}
