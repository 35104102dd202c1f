/* Raw LMDB's floor under `grantledger replay rebuild`: what LMDB alone needs to read a store's
 * events and to write that store's read models, with no decoding and no engine.
 *
 * Opens STORE read-only, scans its `events` database with one cursor (the bytes a rebuild reads),
 * copies every record of its `models` database into memory (the records a rebuild writes: entities,
 * index keys, counters), then writes them, in key order and in transactions of CHUNK records
 * (default 65,536), into a new environment in DIR, each commit durable. Plain puts by default; with
 * `append`, the first transaction puts with MDB_APPEND, as the rebuild does for its first chunk
 * (the models are empty then: no search, pages filled instead of split in halves), and later ones
 * with plain puts, since the rebuild's overlay then writes into B-trees that already hold records
 * from other chunks. Prints events, records, and the seconds of each step.
 *
 * Usage: lmdb_rebuild_floor STORE DIR [CHUNK [append]]   (DIR must exist and be empty)
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_NAME "lmdb_rebuild_floor"
#include "lmdb_peer.h"

typedef struct {
    MDB_val key, value;
} pair;

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s STORE DIR [CHUNK]\n", argv[0]);
        return 2;
    }
    long chunk = argc > 3 ? atol(argv[3]) : 65536;
    if (chunk < 1) chunk = 1;
    int append = argc > 4 && strcmp(argv[4], "append") == 0;

    MDB_env *source = open_store_read_only(argv[1]);
    MDB_txn *read;
    CHECK(mdb_txn_begin(source, NULL, MDB_RDONLY, &read));
    MDB_dbi events, models;
    CHECK(mdb_dbi_open(read, "events", 0, &events));
    CHECK(mdb_dbi_open(read, "models", 0, &models));

    /* 1. The events, as a rebuild reads them: one cursor, every byte touched. */
    MDB_cursor *cursor;
    MDB_val key, value;
    long count = 0;
    uint64_t sum = 0;
    double start = now();
    CHECK(mdb_cursor_open(read, events, &cursor));
    while (mdb_cursor_get(cursor, &key, &value, count ? MDB_NEXT : MDB_FIRST) == 0) {
        const unsigned char *bytes = value.mv_data;
        for (size_t i = 0; i < value.mv_size; i += 64) sum += bytes[i];
        count++;
    }
    mdb_cursor_close(cursor);
    double scan = now() - start;

    /* 2. The models, copied out (not timed). */
    long records = 0, capacity = 1 << 16;
    pair *pairs = malloc(sizeof(pair) * capacity);
    size_t bytes = 0;
    CHECK(mdb_cursor_open(read, models, &cursor));
    while (mdb_cursor_get(cursor, &key, &value, records ? MDB_NEXT : MDB_FIRST) == 0) {
        if (records == capacity) {
            capacity *= 2;
            pairs = realloc(pairs, sizeof(pair) * capacity);
        }
        pair *p = &pairs[records++];
        p->key.mv_size = key.mv_size;
        p->key.mv_data = malloc(key.mv_size);
        memcpy(p->key.mv_data, key.mv_data, key.mv_size);
        p->value.mv_size = value.mv_size;
        p->value.mv_data = malloc(value.mv_size ? value.mv_size : 1);
        memcpy(p->value.mv_data, value.mv_data, value.mv_size);
        bytes += key.mv_size + value.mv_size;
    }
    mdb_cursor_close(cursor);
    mdb_txn_abort(read);
    mdb_env_close(source);

    /* 3. The models written anew, durable commits of CHUNK records. */
    MDB_env *target;
    CHECK(mdb_env_create(&target));
    CHECK(mdb_env_set_maxdbs(target, 4));
    CHECK(mdb_env_set_mapsize(target, (size_t)1 << 36));
    CHECK(mdb_env_open(target, argv[2], 0, 0600));
    MDB_dbi out;
    MDB_txn *txn;
    CHECK(mdb_txn_begin(target, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, "models", MDB_CREATE, &out));
    CHECK(mdb_txn_commit(txn));
    start = now();
    for (long first = 0; first < records; first += chunk) {
        CHECK(mdb_txn_begin(target, NULL, 0, &txn));
        long last = first + chunk < records ? first + chunk : records;
        unsigned flags = append && first == 0 ? MDB_APPEND : 0;
        for (long i = first; i < last; i++) CHECK(mdb_put(txn, out, &pairs[i].key, &pairs[i].value, flags));
        CHECK(mdb_txn_commit(txn));
    }
    double write = now() - start;
    mdb_env_close(target);

    printf("events %ld scan_s %.4f events_per_s %.0f (checksum %llu)\n", count, scan, count / scan,
           (unsigned long long)sum);
    printf("model_records %ld model_bytes %zu write_s %.4f records_per_s %.0f\n", records, bytes, write,
           records / write);
    printf("floor_s %.4f floor_events_per_s %.0f\n", scan + write, count / (scan + write));
    return 0;
}
