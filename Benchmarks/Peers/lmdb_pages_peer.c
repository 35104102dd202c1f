/* Raw LMDB: what one durable commit costs as it dirties more pages, the floor under one client.
 *
 * Fills a `models` database with 200,000 records of 200 bytes (random-looking keys), then runs N
 * durable commits, each appending one 400-byte event under the next sequence key (as lmdb_peer.c
 * does) and overwriting K records of `models` chosen at random, so that a commit dirties about K
 * more leaf pages (and their branch pages), as an engine command dirties its read models, indexes,
 * counters and key records. Prints commits per second for each K given.
 *
 * Usage: lmdb_pages_peer DIR N K...   (DIR must exist and be empty)
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_NAME "lmdb_pages_peer"
#include "lmdb_peer.h"

#define RECORDS 200000

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s DIR N K...\n", argv[0]);
        return 2;
    }
    long n = atol(argv[2]);
    MDB_env *env;
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_maxdbs(env, 4));
    CHECK(mdb_env_set_mapsize(env, (size_t)1 << 32));
    CHECK(mdb_env_open(env, argv[1], 0, 0600));
    MDB_txn *txn;
    MDB_dbi events, models;
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, "events", MDB_CREATE, &events));
    CHECK(mdb_dbi_open(txn, "models", MDB_CREATE, &models));
    char value[400];
    memset(value, 'x', sizeof value);
    for (uint64_t i = 0; i < RECORDS; i++) {
        uint64_t k = mix(i);
        MDB_val key = {sizeof k, &k}, data = {200, value};
        CHECK(mdb_put(txn, models, &key, &data, 0));
    }
    CHECK(mdb_txn_commit(txn));

    uint64_t sequence = 0, seed = 1;
    for (int arg = 3; arg < argc; arg++) {
        long k = atol(argv[arg]);
        double start = now();
        for (long c = 0; c < n; c++) {
            CHECK(mdb_txn_begin(env, NULL, 0, &txn));
            uint64_t position = __builtin_bswap64(++sequence);
            MDB_val key = {sizeof position, &position}, data = {400, value};
            CHECK(mdb_put(txn, events, &key, &data, MDB_APPEND));
            for (long j = 0; j < k; j++) {
                uint64_t record = mix(mix(++seed) % RECORDS);
                MDB_val mkey = {sizeof record, &record}, mdata = {200, value};
                CHECK(mdb_put(txn, models, &mkey, &mdata, 0));
            }
            CHECK(mdb_txn_commit(txn));
        }
        double seconds = now() - start;
        printf("K=%ld commits_per_s %.0f us_per_commit %.1f\n", k, n / seconds, 1e6 * seconds / n);
    }
    mdb_env_close(env);
    return 0;
}
