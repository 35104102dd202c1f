/// The rules of provinces and units (docs/rules.md §1, docs/cli.md).
extension Decider {
    mutating func createProvince(provinceId: String, name: String) throws(WorkflowError) {
        let admin = try actor(.nationalOffice)
        guard state.province(provinceId) == nil else {
            throw WorkflowError(.duplicateId, field: "provinceId", "province \(provinceId) already exists")
        }
        decision.append(.provinceCreated(ProvinceCreated(provinceId: provinceId, name: name, by: admin.id, at: time)))
    }

    mutating func createUnit(unitId: String, name: String, provinceId: String) throws(WorkflowError) {
        let admin = try actor(.nationalOffice, .provincialOffice)
        guard state.province(provinceId) != nil else {
            throw WorkflowError.notFound("province", provinceId, field: "provinceId")
        }
        guard admin.role == .nationalOffice || admin.provinceId == provinceId else {
            throw WorkflowError.forbidden("a provincial office creates units of its own province only")
        }
        guard state.unit(unitId) == nil else {
            throw WorkflowError(.duplicateId, field: "unitId", "unit \(unitId) already exists")
        }
        decision.append(
            .unitCreated(UnitCreated(unitId: unitId, name: name, provinceId: provinceId, by: admin.id, at: time)))
    }
}
