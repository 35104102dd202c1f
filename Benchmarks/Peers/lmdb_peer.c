/* Raw LMDB: the floor under GrantLedger's event log, with no engine at all.
 *
 * Appends N events of 400 bytes under 8-byte big-endian sequence keys (MDB_APPEND), BATCH events per
 * write transaction, each commit durable (no MDB_NOSYNC unless asked), then reads every event back
 * with one cursor. Prints events per second for both.
 *
 * Usage: lmdb_peer DIR N BATCH [NOSYNC]   (DIR must exist and be empty)
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_NAME "lmdb_peer"
#include "lmdb_peer.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s DIR N BATCH [NOSYNC]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    long n = atol(argv[2]), batch = atol(argv[3]);
    int nosync = argc > 4 ? atoi(argv[4]) : 0;
    char payload[400];
    memset(payload, 'x', sizeof payload);

    MDB_env *env;
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_mapsize(env, (size_t)8 << 30));
    CHECK(mdb_env_set_maxdbs(env, 4));
    CHECK(mdb_env_open(env, dir, nosync ? MDB_NOSYNC : 0, 0644));
    MDB_dbi dbi;
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, "events", MDB_CREATE, &dbi));
    CHECK(mdb_txn_commit(txn));

    double t0 = now();
    uint64_t sequence = 0;
    for (long i = 0; i < n; i += batch) {
        CHECK(mdb_txn_begin(env, NULL, 0, &txn));
        for (long j = 0; j < batch && i + j < n; j++) {
            uint64_t key = __builtin_bswap64(++sequence);
            MDB_val k = {sizeof key, &key}, v = {sizeof payload, payload};
            CHECK(mdb_put(txn, dbi, &k, &v, MDB_APPEND));
        }
        CHECK(mdb_txn_commit(txn));
    }
    double t1 = now();

    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    MDB_cursor *cursor;
    CHECK(mdb_cursor_open(txn, dbi, &cursor));
    MDB_val k, v;
    long count = 0;
    size_t bytes = 0;
    while (mdb_cursor_get(cursor, &k, &v, MDB_NEXT) == 0) {
        count++;
        bytes += v.mv_size;
    }
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    double t2 = now();

    printf("lmdb n=%ld batch=%ld%s: append %.0f events/s (%.3f s), cursor scan %.0f events/s (%ld events, %zu bytes)\n",
           n, batch, nosync ? " nosync" : "", n / (t1 - t0), t1 - t0, count / (t2 - t1), count, bytes);
    mdb_env_close(env);
    return 0;
}
