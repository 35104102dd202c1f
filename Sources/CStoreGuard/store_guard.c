// See include/store_guard.h. Everything the fault handler calls is async-signal-safe: open, read,
// close, write, sigaction, raise and _exit, and plain loops over buffers on its own stack.
#define _GNU_SOURCE
#include "store_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t guard_status = -1;
static struct sigaction previous_segv;
static struct sigaction previous_bus;

static void say(const char *text) {
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t written = write(STDERR_FILENO, text, left);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        text += written;
        left -= (size_t)written;
    }
}

static void stop(const char *what, const char *detail) {
    say("grantledger: the store is corrupted: ");
    say(what);
    if (detail != NULL) {
        say(" (");
        say(detail);
        say(")");
    }
    say(". The command stopped there; a transaction it had not committed was not written. "
        "Restore the store from a backup (docs/operations.md).\n");
    _exit(guard_status);
}

static int contains(const char *text, size_t length, const char *part) {
    size_t n = strlen(part);
    for (size_t i = 0; i + n <= length; i++) {
        if (memcmp(text + i, part, n) == 0) return 1;
    }
    return 0;
}

// Reads a hexadecimal number at *cursor, up to the first character that is not a hex digit.
static uintptr_t hex(const char **cursor, const char *end) {
    uintptr_t value = 0;
    const char *p = *cursor;
    for (; p < end; p++) {
        char c = *p;
        int digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else break;
        value = (value << 4) | (uintptr_t)digit;
    }
    *cursor = p;
    return value;
}

// One line of /proc/self/maps: "start-end perms offset dev inode   path".
static void classify(const char *line, size_t length, uintptr_t pc, uintptr_t address, int *in_lmdb, int *in_store) {
    const char *cursor = line;
    const char *end = line + length;
    uintptr_t start = hex(&cursor, end);
    if (cursor >= end || *cursor != '-') return;
    cursor++;
    uintptr_t stop_at = hex(&cursor, end);
    const char *path = memchr(line, '/', length);
    if (path == NULL) return;
    size_t path_length = (size_t)(end - path);
    if (pc >= start && pc < stop_at && contains(path, path_length, "liblmdb")) *in_lmdb = 1;
    if (address >= start && address < stop_at && contains(path, path_length, "/data.mdb")) *in_store = 1;
}

// Whether the fault's instruction lies in LMDB's library, or its address in a mapped data.mdb.
static void locate(uintptr_t pc, uintptr_t address, int *in_lmdb, int *in_store) {
    int fd;
    do {
        fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return;
    char chunk[1024];
    char line[4352];
    size_t length = 0;
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        for (ssize_t i = 0; i < got; i++) {
            if (chunk[i] == '\n') {
                classify(line, length, pc, address, in_lmdb, in_store);
                length = 0;
            } else if (length < sizeof line) {
                line[length++] = chunk[i];
            }
        }
    }
    if (length > 0) classify(line, length, pc, address, in_lmdb, in_store);
    close(fd);
}

static uintptr_t faulting_instruction(void *context) {
#if defined(__linux__) && defined(__x86_64__)
    return (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
#elif defined(__linux__) && defined(__aarch64__)
    return (uintptr_t)((ucontext_t *)context)->uc_mcontext.pc;
#else
    (void)context;
    return 0;
#endif
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    int saved = errno;
    // A fault the kernel raised (not a signal sent with kill), while the guard is on.
    if (guard_status >= 0 && info != NULL && info->si_code > 0) {
        int in_lmdb = 0;
        int in_store = 0;
        locate(faulting_instruction(context), (uintptr_t)info->si_addr, &in_lmdb, &in_store);
        if (in_lmdb || in_store) {
            stop(signal_number == SIGBUS ? "LMDB read a damaged page of data.mdb (SIGBUS)"
                                         : "LMDB read a damaged page of data.mdb (SIGSEGV)",
                 NULL);
        }
    }
    // Not a damaged store: the handler that was there before takes the signal. A fault happens
    // again when this returns; a signal sent with kill is raised again, and arrives on return.
    sigaction(signal_number, signal_number == SIGBUS ? &previous_bus : &previous_segv, NULL);
    if (info == NULL || info->si_code <= 0) raise(signal_number);
    errno = saved;
}

void gl_store_guard_install(int status) {
    if (guard_status >= 0) {
        guard_status = status;
        return;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
    guard_status = status;
}

void gl_store_guard_lmdb_assert(struct MDB_env *env, const char *message) {
    (void)env;
    if (guard_status < 0) return;
    stop("LMDB stopped on a damaged page of data.mdb", message);
}
