#ifndef GRANTLEDGER_STORE_GUARD_H
#define GRANTLEDGER_STORE_GUARD_H
// What a process does when LMDB meets a damaged page of a store (docs/decisions.md, "A damaged
// page ends the command with a coded error"). LMDB 0.9 keeps no page checksums: a page damaged in
// place can make it read through a bad pointer (SIGSEGV), past the end of the file (SIGBUS), or stop
// on one of its assertions (abort). By default nothing changes. Once a program calls
// gl_store_guard_install, each of those ends the process with a one-line message on standard
// error and the given exit status instead of a crash: a fault whose instruction lies in LMDB's
// library, a fault on an address inside a mapped `data.mdb`, or an LMDB assertion.

struct MDB_env;

/// Ends the process as described above, with `status`, from now on. Call it once, early, from the
/// main thread of a program (not a library: it replaces the handlers of SIGSEGV and SIGBUS, and
/// passes any other fault on to the handler that was there before).
void gl_store_guard_install(int status);

/// LMDB's assertion callback (`mdb_env_set_assert`). Before gl_store_guard_install it returns,
/// and LMDB prints its message and aborts as it always does.
void gl_store_guard_lmdb_assert(struct MDB_env *env, const char *message);

#endif
