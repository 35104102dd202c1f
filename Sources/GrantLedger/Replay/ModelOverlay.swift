internal import Dispatch
internal import EventLog
internal import GrantWorkflow
internal import Synchronization

internal import class Foundation.ProcessInfo

/// The read models of a replay in progress: what the events of the current chunk wrote, held in
/// memory over the models stored in LMDB (``ModelStore``), and written through ``ModelStore`` once
/// per entity at ``flush()``.
///
/// A rebuild or a catch-up evolves tens of events per entity; writing each change through
/// ``ModelStore`` would cost a B-tree lookup, a decode, an encode and a put per event, plus the
/// derived keys and counters each time. The overlay pays those once per entity and chunk, and
/// memory stays bounded by the chunk instead of growing with the log. Flushing goes through the
/// live path's own `put…` methods, so the stored bytes, derived keys and counters are the live
/// ones (R-LOG-5); counters depend only on the final entities, so the order of the flush does not
/// matter.
struct ModelOverlay: WorkflowStateWriter {
    /// The stored models, read on a miss and written at ``flush()``.
    var base: ModelStore

    private var accounts: [String: Account] = [:]
    private var provinces: [String: Province] = [:]
    private var units: [String: Unit] = [:]
    private var projects: [String: Project] = [:]
    private var changeRequests: [String: ChangeRequest] = [:]
    private var closeouts: [String: Closeout] = [:]
    private var adjustments: [String: BudgetAdjustment] = [:]
    /// Records whose value is an id (usernames, open items, certificates); nil: removed.
    private var strings: [[UInt8]: String?] = [:]
    /// Marker records (ID numbers, admin scopes, active projects): present or removed.
    private var markers: [[UInt8]: Bool] = [:]
    /// Item id lists of projects, by the list's key.
    private var lists: [[UInt8]: [String]] = [:]
    /// The stored versions read so far (nil: not stored), so that neither a later read nor the
    /// flush decodes them again.
    private let stored = StoredVersions()

    init(base: ModelStore) {
        self.base = base
    }

    /// Entities and records held in memory (the chunk's footprint).
    var count: Int {
        accounts.count + provinces.count + units.count + projects.count + changeRequests.count + closeouts.count
            + adjustments.count + strings.count + markers.count + lists.count
    }

    /// Writes everything held to the stored models and empties the overlay.
    ///
    /// All reads of the stored models come first (each entity's stored version, for the derived
    /// keys it drops and the counters it moves; the counters' current values), then the deletions,
    /// then the puts in key order: appended without a search when the models were empty (the first
    /// chunk of a rebuild). The records are the live path's (``ModelRecords``, ``ModelCounters``,
    /// the entities' binary form); counters are summed per chunk and written once.
    mutating func flush(releasingMappedPages: Bool = false) {
        // Freeing a chunk's entities and records took a fifth of a rebuild's writer time: a large
        // flush hands them to another thread. The entities go as soon as their records are built
        // (``write(releasingMappedPages:handingOver:)``), to be freed while the writer alone merges,
        // puts and commits, with the other core idle; the records go once they are written.
        let large = count >= Self.large
        var runs: [FlushRecords] = []
        do {
            runs = try write(releasingMappedPages: releasingMappedPages, handingOver: large)
        } catch {
            base.faults.record("writing the models: \(error)")
        }
        self = ModelOverlay(base: base)
        if large { Disposal.shared.dispose(consume runs) }
    }

    /// Entities and records from which a flush is large: built in parts on every core, and freed on
    /// another thread.
    static let large = 4_096

    /// Writes the held records; returns them, as runs sorted by key. With `handingOver`, the overlay's
    /// entities (and the list of them built here) go to ``Disposal`` once their records are built,
    /// and this overlay is left empty.
    private mutating func write(releasingMappedPages: Bool, handingOver: Bool) throws -> [FlushRecords] {
        let access = base.access
        let models = base.dbs.models
        let empty = try access.entryCount(models) == 0
        // The records written here (sorted with the entities' parts), then the entities' parts, then
        // the counters: the runs merged in key order.
        var records = FlushRecords()

        /// The stored version of an entity (none when the models were empty).
        func old<T>(_ load: () -> T?) -> T? { empty ? nil : load() }
        func storedUnit(_ projectNo: String) -> String { old { storedProject(projectNo) }?.unitId ?? "" }
        func unit(_ projectNo: String) -> String { project(projectNo)?.unitId ?? "" }

        for (key, value) in strings {
            if let value { records.puts.append((key, Array(value.utf8))) } else { records.deletes.append(key) }
        }
        for (key, present) in markers {
            if present { records.puts.append((key, [])) } else { records.deletes.append(key) }
        }
        for (key, ids) in lists { records.puts.append((key, ids.binaryEncoded)) }
        for province in provinces.values {
            records.puts.append((ModelKey.make(.province, province.id), province.binaryEncoded))
        }
        for unit in units.values { records.puts.append((ModelKey.make(.unit, unit.id), unit.binaryEncoded)) }
        // The entities with their stored versions, read here (through this transaction, which no other
        // thread touches); their records depend on the two versions alone, so they are built and
        // sorted in parts on every core (``FlushRecords/parts(_:hasher:lanes:alsoSorting:)``).
        var entities: [FlushEntity] = []
        entities.reserveCapacity(
            accounts.count + projects.count + changeRequests.count + closeouts.count + adjustments.count)
        for account in accounts.values { entities.append(.account(account, old: old { storedAccount(account.id) })) }
        var movedProjects: [(Project, old: Project)] = []
        for project in projects.values {
            let old = old { storedProject(project.projectNo) }
            entities.append(.project(project, old: old))
            if let old, old.unitId != project.unitId { movedProjects.append((project, old)) }
        }
        for request in changeRequests.values {
            entities.append(
                .changeRequest(
                    request, old: old { storedChangeRequest(request.id) },
                    units: (storedUnit(request.projectNo), unit(request.projectNo))))
        }
        for closeout in closeouts.values {
            entities.append(
                .closeout(
                    closeout, old: old { storedCloseout(closeout.id) },
                    units: (storedUnit(closeout.projectNo), unit(closeout.projectNo))))
        }
        for adjustment in adjustments.values {
            entities.append(
                .adjustment(
                    adjustment, old: old { storedAdjustment(adjustment.id) },
                    units: (storedUnit(adjustment.projectNo), unit(adjustment.projectNo))))
        }
        // A project that changed unit takes its items' counters along; the items this chunk changed
        // are counted with the entities, from their stored version under the stored unit.
        for (project, old) in movedProjects {
            for id in changeRequestIds(ofProject: project.projectNo) where changeRequests[id] == nil {
                let item = storedChangeRequest(id)
                records.tally(
                    ModelCounters.counters(of: item, unit: old.unitId),
                    ModelCounters.counters(of: item, unit: project.unitId))
            }
            for id in closeoutIds(ofProject: project.projectNo) where closeouts[id] == nil {
                let item = storedCloseout(id)
                records.tally(
                    ModelCounters.counters(of: item, unit: old.unitId),
                    ModelCounters.counters(of: item, unit: project.unitId))
            }
            for id in budgetAdjustmentIds(ofProject: project.projectNo) where adjustments[id] == nil {
                let item = storedAdjustment(id)
                records.tally(
                    ModelCounters.counters(of: item, unit: old.unitId),
                    ModelCounters.counters(of: item, unit: project.unitId))
            }
        }
        var runs = FlushRecords.parts(entities, hasher: base.dbs.hasher, alsoSorting: &records)
        if handingOver {
            // Nothing below reads the overlay's entities: they hold the last references to them.
            var held = ModelOverlay(base: base)
            swap(&self, &held)
            Disposal.shared.dispose((consume held, consume entities))
        }
        var counters = FlushRecords()
        for part in runs { counters.add(counts: part.counts) }
        counters.add(counts: records.counts)
        runs.insert(records, at: 0)
        for (counter, delta) in counters.counts where delta != 0 {
            let key = ModelCounters.key(counter)
            let current = empty ? 0 : Int(try access.get(models, key).flatMap(BigEndian.value) ?? 0)
            if current + delta > 0 {
                counters.puts.append((key, BigEndian.bytes(UInt64(current + delta))))
            } else {
                counters.deletes.append(key)
            }
        }
        counters.sort()
        runs.append(counters)
        if !empty {
            for run in runs { for key in run.deletes { try access.delete(models, key) } }
        }
        var index = 0
        try FlushRecords.merged(runs) { record in
            try access.put(models, record.key, record.value, append: empty)
            index += 1
            if releasingMappedPages && index & 0x3FFF == 0 { access.releaseMappedPages() }
        }
        return runs
    }

    private func string(_ key: [UInt8], else stored: () -> String?) -> String? {
        if let entry = strings[key] { return entry }
        return stored()
    }

    private func list(_ key: [UInt8], else stored: () -> [String]) -> [String] {
        lists[key] ?? stored()
    }

    private mutating func append(_ id: String, toList key: [UInt8], stored: [String]) {
        var ids = lists[key] ?? stored
        guard !ids.contains(id) else { return }
        ids.append(id)
        lists[key] = ids
    }

    /// Ids under an index prefix: the stored ones with the overlay's markers applied, in key order.
    private func ids(prefix: [UInt8], stored: [String]) -> [String] {
        var present = Set(stored)
        for (key, isPresent) in markers where key.starts(with: prefix) && key.count > prefix.count {
            let id = String(decoding: key[prefix.count...], as: UTF8.self)
            if isPresent { present.insert(id) } else { present.remove(id) }
        }
        return present.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: Stored versions

    private func storedAccount(_ id: String) -> Account? {
        if let entry = stored.accounts[id] { return entry }
        let value = base.account(id)
        stored.accounts[id] = .some(value)
        return value
    }

    private func storedProject(_ projectNo: String) -> Project? {
        if let entry = stored.projects[projectNo] { return entry }
        let value = base.project(projectNo)
        stored.projects[projectNo] = .some(value)
        return value
    }

    private func storedChangeRequest(_ id: String) -> ChangeRequest? {
        if let entry = stored.changeRequests[id] { return entry }
        let value = base.changeRequest(id)
        stored.changeRequests[id] = .some(value)
        return value
    }

    private func storedCloseout(_ id: String) -> Closeout? {
        if let entry = stored.closeouts[id] { return entry }
        let value = base.closeout(id)
        stored.closeouts[id] = .some(value)
        return value
    }

    private func storedAdjustment(_ id: String) -> BudgetAdjustment? {
        if let entry = stored.adjustments[id] { return entry }
        let value = base.budgetAdjustment(id)
        stored.adjustments[id] = .some(value)
        return value
    }

    // MARK: WorkflowStateReader

    func account(_ id: String) -> Account? { accounts[id] ?? storedAccount(id) }

    func accountId(role: Role, username: String) -> String? {
        guard let name = ModelRecords.usernameComponent(role, username, hasher: base.dbs.hasher) else { return nil }
        return string(ModelKey.make(.username, role.rawValue, name)) {
            base.accountId(role: role, username: username)
        }
    }

    func personalAccountIds(role: Role, idNumber: String) -> [String] {
        guard let number = ModelRecords.idNumberComponent(idNumber, hasher: base.dbs.hasher) else { return [] }
        return ids(
            prefix: ModelKey.prefix(.personById, role.rawValue, number),
            stored: base.personalAccountIds(role: role, idNumber: idNumber))
    }

    func adminAccountIds(_ scope: AdminScope) -> [String] {
        ids(prefix: ModelKey.prefix(.adminScope, ModelKey.scopeComponent(scope)), stored: base.adminAccountIds(scope))
    }

    func province(_ id: String) -> Province? { provinces[id] ?? base.province(id) }

    func unit(_ id: String) -> Unit? { units[id] ?? base.unit(id) }

    func project(_ projectNo: String) -> Project? { projects[projectNo] ?? storedProject(projectNo) }

    func forEachActiveProject(_ body: (Project) -> Void) {
        var stored: [String] = []
        base.forEachActiveProject { stored.append($0.projectNo) }
        for projectNo in ids(prefix: ModelKey.prefix(.activeProject), stored: stored) {
            if let project = project(projectNo) { body(project) }
        }
    }

    func projectNumbers(ledBy idType: IdType, idNumber: String) -> [String] {
        let number = IdentityNumber.normalized(idNumber)
        var numbers = Set(base.projectNumbers(ledBy: idType, idNumber: idNumber))
        for project in projects.values {
            if project.leader.idType == idType && IdentityNumber.normalized(project.leader.idNumber) == number {
                numbers.insert(project.projectNo)
            } else {
                numbers.remove(project.projectNo)
            }
        }
        return numbers.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func subjectStatus(_ target: SubjectTarget) -> SubjectStatus {
        do {
            return try SubjectDirectory(access: base.access, dbs: base.dbs).status(target) { account($0)?.idNumber }
        } catch {
            base.faults.record("reading subject keys: \(error)")
            return .unknown
        }
    }

    func changeRequest(_ id: String) -> ChangeRequest? { changeRequests[id] ?? storedChangeRequest(id) }

    func openChangeRequestId(projectNo: String, kind: ChangeKind) -> String? {
        string(ModelKey.make(.openChange, projectNo, kind.rawValue)) {
            base.openChangeRequestId(projectNo: projectNo, kind: kind)
        }
    }

    func changeRequestIds(ofProject projectNo: String) -> [String] {
        list(ModelKey.make(.changesOfProject, projectNo)) { base.changeRequestIds(ofProject: projectNo) }
    }

    func closeout(_ id: String) -> Closeout? { closeouts[id] ?? storedCloseout(id) }

    func openCloseoutId(projectNo: String) -> String? {
        string(ModelKey.make(.openCloseout, projectNo)) { base.openCloseoutId(projectNo: projectNo) }
    }

    func closeoutIds(ofProject projectNo: String) -> [String] {
        list(ModelKey.make(.closeoutsOfProject, projectNo)) { base.closeoutIds(ofProject: projectNo) }
    }

    func budgetAdjustment(_ id: String) -> BudgetAdjustment? { adjustments[id] ?? storedAdjustment(id) }

    func openBudgetAdjustmentId(projectNo: String) -> String? {
        string(ModelKey.make(.openAdjustment, projectNo)) { base.openBudgetAdjustmentId(projectNo: projectNo) }
    }

    func budgetAdjustmentIds(ofProject projectNo: String) -> [String] {
        list(ModelKey.make(.adjustmentsOfProject, projectNo)) { base.budgetAdjustmentIds(ofProject: projectNo) }
    }

    func closeoutId(certificateNo: String) -> String? {
        string(ModelKey.make(.certificate, certificateNo)) { base.closeoutId(certificateNo: certificateNo) }
    }

    // Credentials are not read models: events never change them (credential changes are applied by
    // the command, not by evolve), so they pass straight through.
    func credential(_ accountId: String) -> Credential? { base.credential(accountId) }

    func resetToken(digest: String) -> ResetTokenRecord? { base.resetToken(digest: digest) }

    func passwordResetState(_ accountId: String) -> PasswordResetState? { base.passwordResetState(accountId) }

    // MARK: WorkflowStateWriter

    mutating func putAccount(_ account: Account) { accounts[account.id] = account }

    mutating func setAccountId(role: Role, username: String, accountId: String?) {
        guard let name = ModelRecords.usernameComponent(role, username, hasher: base.dbs.hasher) else { return }
        strings.updateValue(accountId, forKey: ModelKey.make(.username, role.rawValue, name))
    }

    mutating func setPersonalAccount(role: Role, idNumber: String, accountId: String, present: Bool) {
        guard let number = ModelRecords.idNumberComponent(idNumber, hasher: base.dbs.hasher) else { return }
        markers[ModelKey.make(.personById, role.rawValue, number, accountId)] = present
    }

    mutating func addAdminAccount(_ scope: AdminScope, accountId: String) {
        markers[ModelKey.make(.adminScope, ModelKey.scopeComponent(scope), accountId)] = true
    }

    mutating func putProvince(_ province: Province) { provinces[province.id] = province }

    mutating func putUnit(_ unit: Unit) { units[unit.id] = unit }

    mutating func putProject(_ project: Project) { projects[project.projectNo] = project }

    mutating func setActiveProject(_ projectNo: String, active: Bool) {
        markers[ModelKey.make(.activeProject, projectNo)] = active
    }

    mutating func putChangeRequest(_ request: ChangeRequest) { changeRequests[request.id] = request }

    mutating func setOpenChangeRequestId(projectNo: String, kind: ChangeKind, requestId: String?) {
        strings.updateValue(requestId, forKey: ModelKey.make(.openChange, projectNo, kind.rawValue))
    }

    mutating func addChangeRequestId(projectNo: String, requestId: String) {
        let key = ModelKey.make(.changesOfProject, projectNo)
        append(requestId, toList: key, stored: lists[key] == nil ? base.changeRequestIds(ofProject: projectNo) : [])
    }

    mutating func putCloseout(_ closeout: Closeout) { closeouts[closeout.id] = closeout }

    mutating func setOpenCloseoutId(projectNo: String, closeoutId: String?) {
        strings.updateValue(closeoutId, forKey: ModelKey.make(.openCloseout, projectNo))
    }

    mutating func addCloseoutId(projectNo: String, closeoutId: String) {
        let key = ModelKey.make(.closeoutsOfProject, projectNo)
        append(closeoutId, toList: key, stored: lists[key] == nil ? base.closeoutIds(ofProject: projectNo) : [])
    }

    mutating func putBudgetAdjustment(_ adjustment: BudgetAdjustment) { adjustments[adjustment.id] = adjustment }

    mutating func setOpenBudgetAdjustmentId(projectNo: String, adjustmentId: String?) {
        strings.updateValue(adjustmentId, forKey: ModelKey.make(.openAdjustment, projectNo))
    }

    mutating func addBudgetAdjustmentId(projectNo: String, adjustmentId: String) {
        let key = ModelKey.make(.adjustmentsOfProject, projectNo)
        append(
            adjustmentId, toList: key, stored: lists[key] == nil ? base.budgetAdjustmentIds(ofProject: projectNo) : [])
    }

    mutating func setCertificate(_ certificateNo: String, closeoutId: String) {
        strings.updateValue(closeoutId, forKey: ModelKey.make(.certificate, certificateNo))
    }

    mutating func putCredential(_ credential: Credential) { base.putCredential(credential) }

    mutating func putResetToken(_ token: ResetTokenRecord) { base.putResetToken(token) }

    mutating func putPasswordResetState(_ resetState: PasswordResetState) { base.putPasswordResetState(resetState) }
}

/// An entity a flush writes, with its stored version (and, for the items of a project, the stored
/// and the final unit of their project, under which their counters move).
enum FlushEntity: Sendable {
    case account(Account, old: Account?)
    case project(Project, old: Project?)
    case changeRequest(ChangeRequest, old: ChangeRequest?, units: (old: String, new: String))
    case closeout(Closeout, old: Closeout?, units: (old: String, new: String))
    case adjustment(BudgetAdjustment, old: BudgetAdjustment?, units: (old: String, new: String))
}

/// The records a flush writes: the entities' records with their derived keys and summaries (puts),
/// the derived keys they dropped (deletes), and the counters' moves.
struct FlushRecords: Sendable {
    typealias Record = (key: [UInt8], value: [UInt8])

    var puts: [Record] = []
    var deletes: [[UInt8]] = []
    var counts: [ModelCounters.Counter: Int] = [:]

    /// An entity's record, with the derived keys that `new` adds to or drops from `old`.
    mutating func put(_ key: [UInt8], _ value: [UInt8], derived old: [[UInt8]], _ new: [[UInt8]]) {
        puts.append((key, value))
        for key in old where !new.contains(where: { ModelKey.same($0, key) }) { deletes.append(key) }
        for key in new where !old.contains(where: { ModelKey.same($0, key) }) { puts.append((key, [])) }
    }

    /// Moves the counters of an entity's stored version to those of its new one.
    mutating func tally(_ old: [ModelCounters.Counter], _ new: [ModelCounters.Counter]) {
        for counter in old { counts[counter, default: 0] -= 1 }
        for counter in new { counts[counter, default: 0] += 1 }
    }

    /// Adds another part's counter moves to these.
    mutating func add(counts other: [ModelCounters.Counter: Int]) {
        for (counter, delta) in other { counts[counter, default: 0] += delta }
    }

    /// Sorts the puts by key, stably (of equal keys, the later stays later).
    mutating func sort() {
        puts.sort { ModelKey.precedes($0.key, $1.key) }
    }

    /// The records of `entities`, built in parts on every core when there are enough of them (or in
    /// `lanes` parts; part k holds the entities at k, k + lanes, …), each part sorted; `other` is
    /// sorted beside them.
    static func parts(
        _ entities: [FlushEntity], hasher: LookupHasher, lanes: Int? = nil, alsoSorting other: inout FlushRecords
    ) -> [FlushRecords] {
        let lanes = max(
            1,
            lanes ?? (entities.count >= ModelOverlay.large ? min(ProcessInfo.processInfo.activeProcessorCount, 4) : 1))
        let size = (entities.count + lanes - 1) / lanes
        let parts = Parts(count: lanes + 1)
        parts.set(lanes, other)
        other = FlushRecords()
        let build = { @Sendable (lane: Int) in
            guard lane < lanes else {
                // The other records: sorted beside the parts.
                var part = parts.take(lanes)
                part.sort()
                parts.set(lanes, part)
                return
            }
            // Every lanes-th entity: the kinds (projects, closeouts, …) differ in cost, and each part
            // gets its share of each. Parts are merged by key, so which part holds what does not matter.
            var part = FlushRecords()
            part.puts.reserveCapacity(size * 6)
            for index in stride(from: lane, to: entities.count, by: lanes) {
                part.add(entities[index], hasher: hasher)
            }
            part.sort()
            parts.set(lane, part)
        }
        if lanes == 1 {
            build(0)
            build(1)
        } else {
            DispatchQueue.concurrentPerform(iterations: lanes + 1, execute: build)
        }
        var all = (0...lanes).map(parts.take)
        other = all.removeLast()
        return all
    }

    /// The parts of a flush's records while they are built, one slot per part.
    private final class Parts: Sendable {
        private let slots: Mutex<[FlushRecords]>

        init(count: Int) { slots = Mutex(Array(repeating: FlushRecords(), count: count)) }

        func set(_ index: Int, _ part: consuming FlushRecords) {
            slots.withLock { [part = consume part] in $0[index] = part }
        }

        func take(_ index: Int) -> FlushRecords {
            slots.withLock { slots in
                defer { slots[index] = FlushRecords() }
                return slots[index]
            }
        }
    }

    /// The records of `runs` (each sorted by key, stably), in key order; of records with equal keys
    /// only the last is passed (the later run's, or the later in its run). Equal keys cannot come
    /// from different entities; this keeps the last if they ever do, as the live path's puts would.
    static func merged(_ runs: [FlushRecords], _ body: (Record) throws -> Void) rethrows {
        try withRecords(of: runs[...], []) { runs in
            var heads = [Int](repeating: 0, count: runs.count)
            var pending: UnsafePointer<Record>?
            while true {
                var best = -1
                var next: UnsafePointer<Record>?
                for run in runs.indices where heads[run] < runs[run].count {
                    let record = runs[run].baseAddress! + heads[run]
                    if let next, !ModelKey.precedes(record.pointee.key, next.pointee.key) { continue }
                    best = run
                    next = record
                }
                guard let next else { break }
                if let last = pending, !ModelKey.same(last.pointee.key, next.pointee.key) { try body(last.pointee) }
                pending = next
                heads[best] += 1
            }
            if let last = pending { try body(last.pointee) }
        }
    }

    /// Calls `body` with the puts of every run in `runs`, in place.
    private static func withRecords<R>(
        of runs: ArraySlice<FlushRecords>, _ buffers: [UnsafeBufferPointer<Record>],
        _ body: ([UnsafeBufferPointer<Record>]) throws -> R
    ) rethrows -> R {
        guard let first = runs.first else { return try body(buffers) }
        return try first.puts.withUnsafeBufferPointer { try withRecords(of: runs.dropFirst(), buffers + [$0], body) }
    }

    /// What the live path writes for one entity (``ModelStore``'s `put…` methods).
    mutating func add(_ entity: FlushEntity, hasher: LookupHasher) {
        switch entity {
        case .account(let account, let old):
            put(
                ModelKey.make(.account, account.id), account.binaryEncoded,
                derived: ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: account))
        case .project(let project, let old):
            add(project, old: old, hasher: hasher)
        case .changeRequest(let request, let old, let units):
            put(
                ModelKey.make(.change, request.id), request.binaryEncoded,
                derived: ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: request))
            tally(
                ModelCounters.counters(of: old, unit: units.old), ModelCounters.counters(of: request, unit: units.new))
        case .closeout(let closeout, let old, let units):
            put(
                ModelKey.make(.closeout, closeout.id), closeout.binaryEncoded,
                derived: ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: closeout))
            tally(
                ModelCounters.counters(of: old, unit: units.old), ModelCounters.counters(of: closeout, unit: units.new))
        case .adjustment(let adjustment, let old, let units):
            put(
                ModelKey.make(.adjustment, adjustment.id), adjustment.binaryEncoded,
                derived: ModelRecords.derivedKeys(of: old), ModelRecords.derivedKeys(of: adjustment))
            tally(
                ModelCounters.counters(of: old, unit: units.old),
                ModelCounters.counters(of: adjustment, unit: units.new))
        }
    }

    /// What the live path writes for one project (``ModelStore``'s `putProject`).
    mutating func add(_ project: Project, old: Project?, hasher: LookupHasher) {
        let derived = ModelRecords.derivedKeys(of: old, project, hasher: hasher)
        put(ModelKey.make(.project, project.projectNo), project.binaryEncoded, derived: derived.old, derived.new)
        if old.map(ProjectSummary.init) != ProjectSummary(project) {
            puts.append(ModelRecords.summaryRecord(of: project))
        }
        tally(ModelCounters.counters(of: old), ModelCounters.counters(of: project))
    }
}

/// Frees what large flushes leave behind on a thread of its own, one load at a time: a flush hands
/// over its entities and then its records, and one that finds two loads still waiting waits for the
/// older, so memory stays bounded by two chunks.
final class Disposal: Sendable {
    static let shared = Disposal()

    private let queue = DispatchQueue(label: "grantledger.disposal", qos: .utility)
    /// Loads that may wait to be freed.
    private let slots = DispatchSemaphore(value: 2)
    /// Loads handed over so far (tests check that large flushes took this path).
    let handedOver = Atomic<Int>(0)

    /// Frees `load` (referenced only from here) on the disposal thread; waits first while two earlier
    /// loads are still waiting.
    func dispose<Load>(_ load: consuming Load) {
        slots.wait()
        handedOver.add(1, ordering: .relaxed)
        let box = Box(consume load)
        queue.async { [slots] in
            box.empty()
            slots.signal()
        }
    }

    private final class Box: @unchecked Sendable {
        var load: Any?
        init<Load>(_ load: consuming Load) { self.load = load }
        func empty() { load = nil }
    }
}

/// The stored versions a ``ModelOverlay`` has read (an entry of nil: not stored); a class, because
/// the reader protocol's methods do not mutate.
private final class StoredVersions {
    var accounts: [String: Account?] = [:]
    var projects: [String: Project?] = [:]
    var changeRequests: [String: ChangeRequest?] = [:]
    var closeouts: [String: Closeout?] = [:]
    var adjustments: [String: BudgetAdjustment?] = [:]
}
