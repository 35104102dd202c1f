/* What the raw LMDB peers share: a monotonic clock and a check that exits on any LMDB error,
 * naming the program (PEER_NAME, defined before this header is included). */
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

#endif
