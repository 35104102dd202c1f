/* SQLite in WAL mode with synchronous=FULL: what a Swift developer would reach for instead (through
 * GRDB, say), set up as an event store: one table of events with an integer sequence, a stream name
 * and version under a UNIQUE (stream, version) index, and a 400-byte payload.
 *
 * Appends N events spread over 5,000 streams, BATCH events per transaction (each commit durable),
 * then reads every event back in sequence order. Prints events per second for both.
 *
 * Usage: sqlite_peer FILE N BATCH   (FILE must not exist)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void check(sqlite3 *db, int rc, int expected, const char *what) {
    if (rc != expected) {
        fprintf(stderr, "sqlite_peer: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s FILE N BATCH\n", argv[0]);
        return 2;
    }
    long n = atol(argv[2]), batch = atol(argv[3]);
    sqlite3 *db;
    check(db, sqlite3_open(argv[1], &db), SQLITE_OK, "open");
    check(db,
          sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       "CREATE TABLE events(seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,"
                       " payload BLOB NOT NULL, UNIQUE(stream, version));",
                       0, 0, 0),
          SQLITE_OK, "schema");
    char payload[400];
    memset(payload, 'x', sizeof payload);
    sqlite3_stmt *insert;
    check(db, sqlite3_prepare_v2(db, "INSERT INTO events(stream, version, payload) VALUES(?, ?, ?)", -1, &insert, 0),
          SQLITE_OK, "prepare insert");

    double t0 = now();
    char stream[32];
    for (long i = 0; i < n; i += batch) {
        check(db, sqlite3_exec(db, "BEGIN", 0, 0, 0), SQLITE_OK, "begin");
        for (long j = 0; j < batch && i + j < n; j++) {
            long e = i + j;
            snprintf(stream, sizeof stream, "project-%ld", e % 5000);
            sqlite3_bind_text(insert, 1, stream, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(insert, 2, e / 5000 + 1);
            sqlite3_bind_blob(insert, 3, payload, sizeof payload, SQLITE_STATIC);
            check(db, sqlite3_step(insert), SQLITE_DONE, "insert");
            sqlite3_reset(insert);
        }
        check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0), SQLITE_OK, "commit");
    }
    double t1 = now();

    sqlite3_stmt *scan;
    check(db, sqlite3_prepare_v2(db, "SELECT seq, payload FROM events ORDER BY seq", -1, &scan, 0), SQLITE_OK,
          "prepare scan");
    long count = 0;
    size_t bytes = 0;
    while (sqlite3_step(scan) == SQLITE_ROW) {
        count++;
        bytes += (size_t)sqlite3_column_bytes(scan, 1);
    }
    double t2 = now();

    printf("sqlite wal synchronous=full n=%ld batch=%ld: append %.0f events/s (%.3f s), scan %.0f events/s (%ld events)\n",
           n, batch, n / (t1 - t0), t1 - t0, count / (t2 - t1), count);
    sqlite3_finalize(insert);
    sqlite3_finalize(scan);
    sqlite3_close(db);
    return 0;
}
