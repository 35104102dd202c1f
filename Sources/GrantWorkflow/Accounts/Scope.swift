/// Who may see what (R-ACC-11): the one definition the rules of commands and the engine's queries
/// share, so that a command can never tell an account more than a query would.
extension Account {
    /// Whether this account's admin scope covers the unit: the national office everything, a
    /// provincial office the units of its province, a unit admin its unit; never a leader or an
    /// expert. `directory` answers the unit's province.
    public func administers(unitId: String, in directory: some WorkflowStateReader) -> Bool {
        switch role {
        case .nationalOffice: return true
        case .provincialOffice: return provinceId != nil && directory.unit(unitId)?.provinceId == provinceId
        case .unitAdmin: return self.unitId == unitId
        case .leader, .expert: return false
        }
    }

    /// Whether this account may see `other`: itself, or an account in its admin scope (a
    /// provincial office also sees the offices of its province, a unit admin the admins of its unit).
    public func sees(_ other: Account, in directory: some WorkflowStateReader) -> Bool {
        if id == other.id { return true }
        switch role {
        case .nationalOffice: return true
        case .provincialOffice:
            if let unitId = other.unitId { return administers(unitId: unitId, in: directory) }
            return other.provinceId != nil && other.provinceId == provinceId
        case .unitAdmin: return other.unitId != nil && other.unitId == unitId
        case .leader, .expert: return false
        }
    }

    /// Whether this account sees `project` and its items: admins in scope and its leader. Never an
    /// expert, who reads only the appraisal material of what it appraises.
    public func sees(_ project: Project, in directory: some WorkflowStateReader) -> Bool {
        administers(unitId: project.unitId, in: directory) || leads(project)
    }

    /// Whether this account is a party to a change request beyond its project's view (R-CHG-6,
    /// R-CHG-10, rev. 2):
    /// - the leader account that applied for a change of leader keeps that request, once decided,
    ///   after it takes effect (its other requests are the new leader's, who may edit them);
    /// - the admin of the receiving unit of a change of unit reads the request while it awaits that
    ///   unit, and afterwards if that unit decided on it (an admin of it, in `directory`) and the
    ///   request still names it: never the draft, nor a request the current unit has not passed on,
    ///   nor one re-addressed to it after another unit refused.
    public func isParty(to request: ChangeRequest, in directory: some WorkflowStateReader) -> Bool {
        guard isActive else { return false }
        if role == .leader {
            return request.createdBy == id && request.kind == .changeLeader && !request.status.isOpen
        }
        guard case .changeUnit(let newUnitId) = request.details, role == .unitAdmin, unitId == newUnitId else {
            return false
        }
        if request.awaiting == .receivingUnit { return true }
        return request.decisions.contains {
            $0.level == .receivingUnit && directory.account($0.by)?.unitId == newUnitId
        }
    }
}
