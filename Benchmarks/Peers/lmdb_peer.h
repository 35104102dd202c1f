/* What the raw LMDB peers share: a monotonic clock, a check that exits on any LMDB error, naming
 * the program (PEER_NAME, defined before this header is included), and a store opened read-only. */
#ifndef LMDB_PEER_H
#define LMDB_PEER_H

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

#define CHECK(call)                                                                  \
    do {                                                                             \
        int rc_ = (call);                                                            \
        if (rc_) {                                                                   \
            fprintf(stderr, "%s: %s: %s\n", PEER_NAME, #call, mdb_strerror(rc_));    \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)

/* Opens the store folder PATH read-only (the engine's stores hold up to 32 named databases and map
 * up to 1 TiB), for the floor programs that read a store made by `grantledger`. */
static inline MDB_env *open_store_read_only(const char *path) {
    MDB_env *env;
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_maxdbs(env, 32));
    CHECK(mdb_env_set_mapsize(env, (size_t)1 << 40));
    CHECK(mdb_env_open(env, path, MDB_RDONLY | MDB_NOTLS, 0600));
    return env;
}

#endif
