/* Raw LMDB: what the layout of a single durable commit costs, the floor under the event log's
 * "one event per durable commit".
 *
 * Runs R rounds; each round runs N durable commits in each of three layouts, in rotating order:
 *   unnamed  one 500-byte record appended to the unnamed database (the cheapest commit LMDB has);
 *   named    the same record appended to a named database `events` (as lmdb_peer.c does): the
 *            commit also rewrites the unnamed database's page that records `events`;
 *   meta     as named, plus two small puts into a second named database `meta` (a 48-byte head and
 *            an 8-byte stream tail entry, overwritten each commit), as the event log writes them;
 *   handoff  as meta, but the commit runs on a writer thread, as the single writer the architecture
 *            asks for does: the caller queues it and sleeps until it is durable; the writer spins
 *            50 us for the next request before it sleeps (as the event log's writer does), so this
 *            costs what handing each commit over and back costs, one thread wake-up per commit.
 * Prints each round's commits per second, then each layout's median and the medians of the
 * within-round ratios named/unnamed, meta/unnamed, meta/named, handoff/named and handoff/unnamed.
 *
 * Usage: lmdb_layout_peer DIR N R   (DIR must exist and be empty)
 * Build: gcc -O2 -o lmdb_layout_peer lmdb_layout_peer.c -llmdb -lpthread
 */
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_NAME "lmdb_layout_peer"
#include "lmdb_peer.h"

#define LAYOUTS 4
#define MAX_ROUNDS 1000
static const char *names[LAYOUTS] = {"unnamed", "named", "meta", "handoff"};

static MDB_env *env;
static MDB_dbi unnamed, events, meta;
static char value[500];
static uint64_t unnamedSequence = 0xF0ULL << 56, sequence = 0;

/* One durable commit in a layout (0 unnamed, 1 named, 2 and 3 meta). */
static void commit(int layout) {
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    uint64_t position = __builtin_bswap64(layout == 0 ? ++unnamedSequence : ++sequence);
    MDB_val key = {sizeof position, &position}, data = {sizeof value, value};
    CHECK(mdb_put(txn, layout == 0 ? unnamed : events, &key, &data, MDB_APPEND));
    if (layout >= 2) {
        MDB_val headKey = {4, "head"}, headValue = {48, value};
        CHECK(mdb_put(txn, meta, &headKey, &headValue, 0));
        MDB_val tailKey = {11, "head\0stream"}, tailValue = {8, value};
        CHECK(mdb_put(txn, meta, &tailKey, &tailValue, 0));
    }
    CHECK(mdb_txn_commit(txn));
}

/* The writer thread: `requested` counts queued commits, `done` the durable ones. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wakeWriter = PTHREAD_COND_INITIALIZER, wakeCaller = PTHREAD_COND_INITIALIZER;
static atomic_long requested, done;
static atomic_int writerSleeps, stopping;

static void *writer(void *unused) {
    (void)unused;
    long committed = 0;
    for (;;) {
        double spinUntil = now() + 50e-6;
        while (atomic_load(&requested) == committed && !atomic_load(&stopping) && now() < spinUntil) {}
        pthread_mutex_lock(&lock);
        while (atomic_load(&requested) == committed && !atomic_load(&stopping)) {
            atomic_store(&writerSleeps, 1);
            pthread_cond_wait(&wakeWriter, &lock);
        }
        atomic_store(&writerSleeps, 0);
        pthread_mutex_unlock(&lock);
        if (atomic_load(&requested) == committed) return NULL;
        commit(3);
        committed++;
        pthread_mutex_lock(&lock);
        atomic_store(&done, committed);
        pthread_cond_signal(&wakeCaller);
        pthread_mutex_unlock(&lock);
    }
}

static void handedOver(void) {
    long mine = atomic_fetch_add(&requested, 1) + 1;
    pthread_mutex_lock(&lock);
    if (atomic_load(&writerSleeps)) pthread_cond_signal(&wakeWriter);
    while (atomic_load(&done) < mine) pthread_cond_wait(&wakeCaller, &lock);
    pthread_mutex_unlock(&lock);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, int count) {
    qsort(values, count, sizeof *values, compare);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s DIR N R\n", argv[0]);
        return 2;
    }
    long n = atol(argv[2]);
    int rounds = atoi(argv[3]);
    if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "%s: N must be positive and R within 1...%d\n", argv[0], MAX_ROUNDS);
        return 2;
    }
    CHECK(mdb_env_create(&env));
    CHECK(mdb_env_set_maxdbs(env, 4));
    CHECK(mdb_env_set_mapsize(env, (size_t)1 << 32));
    CHECK(mdb_env_open(env, argv[1], 0, 0600));
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, 0, &txn));
    CHECK(mdb_dbi_open(txn, NULL, 0, &unnamed));
    CHECK(mdb_dbi_open(txn, "events", MDB_CREATE, &events));
    CHECK(mdb_dbi_open(txn, "meta", MDB_CREATE, &meta));
    CHECK(mdb_txn_commit(txn));
    memset(value, 'x', sizeof value);
    pthread_t writerThread;
    if (pthread_create(&writerThread, NULL, writer, NULL) != 0) {
        fprintf(stderr, "%s: pthread_create failed\n", argv[0]);
        return 1;
    }

    static double rates[LAYOUTS][MAX_ROUNDS];
    /* Keys in the unnamed database start with 0xF0, after the names of the named databases. */
    for (int round = 0; round < rounds; round++) {
        for (int part = 0; part < LAYOUTS; part++) {
            int layout = (part + round) % LAYOUTS;
            double start = now();
            for (long c = 0; c < n; c++) {
                if (layout == 3) handedOver();
                else commit(layout);
            }
            rates[layout][round] = n / (now() - start);
        }
        printf("round %d unnamed %.0f named %.0f meta %.0f handoff %.0f commits/s\n", round, rates[0][round],
               rates[1][round], rates[2][round], rates[3][round]);
    }
    pthread_mutex_lock(&lock);
    atomic_store(&stopping, 1);
    pthread_cond_signal(&wakeWriter);
    pthread_mutex_unlock(&lock);
    pthread_join(writerThread, NULL);
    static double ratios[5][MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {
        ratios[0][round] = rates[1][round] / rates[0][round];
        ratios[1][round] = rates[2][round] / rates[0][round];
        ratios[2][round] = rates[2][round] / rates[1][round];
        ratios[3][round] = rates[3][round] / rates[1][round];
        ratios[4][round] = rates[3][round] / rates[0][round];
    }
    for (int layout = 0; layout < LAYOUTS; layout++)
        printf("median %s %.0f commits/s\n", names[layout], median(rates[layout], rounds));
    printf("median ratio named/unnamed %.3f meta/unnamed %.3f meta/named %.3f handoff/named %.3f handoff/unnamed %.3f\n",
           median(ratios[0], rounds), median(ratios[1], rounds), median(ratios[2], rounds), median(ratios[3], rounds),
           median(ratios[4], rounds));
    mdb_env_close(env);
    return 0;
}
