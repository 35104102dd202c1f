internal import ArgumentParser
internal import EventLog
internal import GrantLedger
internal import GrantWorkflow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `grantledger backup DEST`: a consistent, compacted copy of the store while writers go on.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent, compacted copy of the store (log, read models, outbox, credentials) to DEST.",
        discussion: """
            DEST is a folder, created when missing, that must not already hold a store. The copy is made \
            from one read transaction while writers go on, is owner-only (0700/0600) like the store, and \
            opens as a store of its own. Prints the copy's event count and head digest. On failure (exit 2) \
            nothing is left behind: what the backup created in DEST is removed.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The folder to write the copy into.") var destination: String

    func run() throws {
        // A copy inside the store's own folder would change the store and be copied by the next backup.
        if FileSystem.isInside(destination, folder: storeOptions.path) {
            Terminal.err("grantledger: cannot back up to '\(destination)': it is inside the store's folder")
            throw ExitStatus.unusable
        }
        let ledger = try CLIStore.open(storeOptions, mustExist: true)
        defer { ledger.close() }
        let target: BackupDestination
        do {
            target = try BackupDestination(destination)
        } catch {
            Terminal.err("grantledger: cannot back up to '\(destination)': \(error.reason)")
            throw ExitStatus.unusable
        }
        do {
            try ledger.store.backup(to: destination)
        } catch {
            // The copy becomes `data.mdb` only once it is whole (`EventStore.backup` removes its
            // partial file when it fails), so a `data.mdb` there now is someone else's: only the
            // folders this run made are removed, when empty.
            target.discard(copyStarted: false)
            Terminal.err("grantledger: cannot back up to '\(destination)': \(error.message)")
            throw ExitStatus.unusable
        }
        let copy: Head
        do {
            let store = try EventStore(path: destination, options: EventStoreOptions(extraDatabases: []))
            defer { store.close() }
            copy = try store.head()
        } catch {
            target.discard(copyStarted: true)
            Terminal.err("grantledger: the copy in '\(destination)' does not open (removed): \(error)")
            throw ExitStatus.unusable
        }
        Terminal.outLine("backup: \(destination)")
        Terminal.outLine("events: \(copy.position)")
        Terminal.outLine("head digest: \(PasswordHasher.hex(copy.digest))")
        Terminal.flush()
    }
}

/// The folder a backup writes into, checked and made before anything is copied, remembering what of
/// it this run created so that a failure removes exactly that (docs/decisions.md, "backup DEST").
struct BackupDestination {
    struct Refusal: Error {
        var reason: String
    }

    let path: String
    /// The folders this run created, outermost first.
    private var createdFolders: [String] = []
    /// Whether DEST held a `lock.mdb` before (opening the copy creates one).
    private var hadLockFile = false

    /// Refuses an empty DEST, a path through or at something that is not a folder, and a folder that
    /// already holds a store or cannot be written; creates the missing folders (the last one `0700`).
    init(_ path: String) throws(Refusal) {
        self.path = path
        guard !path.isEmpty else { throw Refusal(reason: "DEST is empty; name a folder for the copy") }
        var current = path.hasPrefix("/") ? "" : "."
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            current += "/" + component
            let shown = path.hasPrefix("/") ? current : String(current.dropFirst(2))
            var info = stat()
            if stat(current, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    discard(copyStarted: false)
                    throw Refusal(reason: "\(shown) exists and is not a folder")
                }
                continue
            }
            let last = index == components.count - 1
            guard mkdir(current, last ? 0o700 : 0o755) == 0 else {
                let reason = String(cString: strerror(errno))
                discard(copyStarted: false)
                throw Refusal(reason: "cannot create the folder \(shown): \(reason)")
            }
            createdFolders.append(current)
        }
        var info = stat()
        guard lstat(path + "/data.mdb", &info) != 0 else {
            throw Refusal(reason: "it already holds a store (data.mdb); back up into a new folder")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            discard(copyStarted: false)
            throw Refusal(reason: "the folder cannot be written: \(reason)")
        }
        hadLockFile = lstat(path + "/lock.mdb", &info) == 0
    }

    /// Removes what this run created: the copy once it was started, the lock file opening it made, and
    /// the folders (each only when empty, so nothing another process put there goes with them).
    func discard(copyStarted: Bool) {
        if copyStarted { unlink(path + "/data.mdb") }
        if copyStarted, !hadLockFile { unlink(path + "/lock.mdb") }
        for folder in createdFolders.reversed() { rmdir(folder) }
    }
}
