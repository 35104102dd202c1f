/* The floor under `grantledger replay verify`: what a program with no engine needs for the work
 * verify cannot skip (R-LOG-2, R-LOG-6): read every event record, recompute its link of the hash
 * chain, and open every sealed personal field once with AES-256-GCM. No decoding.
 *
 * Opens STORE read-only and checks SHA-256(previous digest ‖ canonical bytes) == stored digest for
 * every record of `events` (the record layout of docs/eventlog.md: the digest is the last 32 bytes),
 * in chunks of 4,096 positions taken by THREADS threads, each chunk in a read transaction of its own,
 * as the engine's verify does. Then the same threads open FIELDS sealed fields of 18 bytes (an ID
 * number's size), each under its own key, with the key schedule set up per field, as the engine
 * does for a replay that meets most people once; the boxes are sealed beforehand, untimed. Pass the
 * number of sealed fields of the store (`grantledger replay verify` counts none; the demo store of
 * 20,000 projects holds about 135,000).
 *
 * Prints the records checked, mismatches (0 on a sound store), and the seconds of each part. Uses
 * OpenSSL's libcrypto (libssl-dev), whose SHA-256 and AES-GCM use the CPU's SHA and AES
 * instructions, as BoringSSL does inside the engine.
 *
 * Build: gcc -O2 -o lmdb_verify_floor lmdb_verify_floor.c -llmdb -lcrypto -lpthread
 * Usage: lmdb_verify_floor STORE [FIELDS] [THREADS]
 */
#include <lmdb.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_NAME "lmdb_verify_floor"
#include "lmdb_peer.h"

#define CHUNK 4096
#define KEYS 1024
#define FIELD 18

static MDB_env *env;
static MDB_dbi events;
static uint64_t head;
static atomic_long next_chunk;
static atomic_long checked, mismatches;
static long fields_total;
static int threads;
static unsigned char keys[KEYS][32], nonces[KEYS][12], boxes[KEYS][FIELD], tags[KEYS][16];
static atomic_long opened;
static EVP_MD *sha256;

static void position_key(uint64_t position, unsigned char out[8]) {
    for (int i = 7; i >= 0; i--) {
        out[i] = position & 0xff;
        position >>= 8;
    }
}

static void check_chunk(long chunk) {
    uint64_t first = (uint64_t)chunk * CHUNK + 1, last = first + CHUNK - 1;
    if (last > head) last = head;
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    unsigned char previous[32] = {0}, position[8];
    MDB_val key = {8, position}, value;
    if (first > 1) {
        position_key(first - 1, position);
        CHECK(mdb_get(txn, events, &key, &value));
        memcpy(previous, (unsigned char *)value.mv_data + value.mv_size - 32, 32);
    }
    MDB_cursor *cursor;
    CHECK(mdb_cursor_open(txn, events, &cursor));
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    position_key(first, position);
    key.mv_size = 8;
    key.mv_data = position;
    int rc = mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE);
    long count = 0, bad = 0;
    for (uint64_t at = first; rc == 0 && at <= last; at++) {
        const unsigned char *record = value.mv_data;
        size_t canonical = value.mv_size - 32;
        unsigned char digest[32];
        EVP_DigestInit_ex(sha, sha256, NULL);
        EVP_DigestUpdate(sha, previous, 32);
        EVP_DigestUpdate(sha, record, canonical);
        EVP_DigestFinal_ex(sha, digest, NULL);
        if (memcmp(digest, record + canonical, 32) != 0) bad++;
        memcpy(previous, record + canonical, 32);
        count++;
        rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
    }
    EVP_MD_CTX_free(sha);
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    atomic_fetch_add(&checked, count);
    atomic_fetch_add(&mismatches, bad);
}

static void *chain_lane(void *unused) {
    (void)unused;
    long chunks = (long)((head + CHUNK - 1) / CHUNK);
    for (long chunk; (chunk = atomic_fetch_add(&next_chunk, 1)) < chunks;) check_chunk(chunk);
    return NULL;
}

static void *open_lane(void *lane) {
    long index = (long)(intptr_t)lane, good = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL);
    unsigned char plain[FIELD + 16];
    for (long i = index; i < fields_total; i += threads) {
        int k = (int)(i % KEYS), length = 0, tail = 0;
        /* A key schedule per field, as the engine sets one up for each subject it meets. */
        EVP_DecryptInit_ex(ctx, NULL, NULL, keys[k], nonces[k]);
        EVP_DecryptUpdate(ctx, plain, &length, boxes[k], FIELD);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tags[k]);
        if (EVP_DecryptFinal_ex(ctx, plain + length, &tail) == 1) good++;
    }
    EVP_CIPHER_CTX_free(ctx);
    atomic_fetch_add(&opened, good);
    return NULL;
}

static void seal_boxes(void) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    for (int k = 0; k < KEYS; k++) {
        unsigned char plain[FIELD];
        for (int i = 0; i < 32; i++) keys[k][i] = (unsigned char)rand();
        for (int i = 0; i < 12; i++) nonces[k][i] = (unsigned char)rand();
        for (int i = 0; i < FIELD; i++) plain[i] = (unsigned char)('0' + rand() % 10);
        int length = 0, tail = 0;
        EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, keys[k], nonces[k]);
        EVP_EncryptUpdate(ctx, boxes[k], &length, plain, FIELD);
        EVP_EncryptFinal_ex(ctx, boxes[k] + length, &tail);
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tags[k]);
    }
    EVP_CIPHER_CTX_free(ctx);
}

static double run(void *(*lane)(void *)) {
    pthread_t ids[64];
    double start = now();
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, lane, (void *)(intptr_t)t);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    return now() - start;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s STORE [FIELDS] [THREADS]\n", argv[0]);
        return 2;
    }
    fields_total = argc > 2 ? atol(argv[2]) : 0;
    threads = argc > 3 ? atoi(argv[3]) : 2;
    if (threads < 1 || threads > 64) threads = 2;

    double start = now();
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    env = open_store_read_only(argv[1]);
    MDB_txn *txn;
    CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
    CHECK(mdb_dbi_open(txn, "events", 0, &events));
    MDB_cursor *cursor;
    MDB_val key, value;
    CHECK(mdb_cursor_open(txn, events, &cursor));
    if (mdb_cursor_get(cursor, &key, &value, MDB_LAST) == 0 && key.mv_size == 8) {
        const unsigned char *bytes = key.mv_data;
        for (int i = 0; i < 8; i++) head = head << 8 | bytes[i];
    }
    mdb_cursor_close(cursor);
    CHECK(mdb_txn_commit(txn)); /* keeps the database handle for the lanes' transactions */
    double open_s = now() - start;

    double chain_s = run(chain_lane);
    seal_boxes();
    double open_fields_s = fields_total ? run(open_lane) : 0;
    mdb_env_close(env);

    double total = open_s + chain_s + open_fields_s;
    printf("threads %d events %ld mismatches %ld open_s %.4f chain_s %.4f\n", threads, atomic_load(&checked),
           atomic_load(&mismatches), open_s, chain_s);
    printf("fields %ld opened %ld fields_s %.4f\n", fields_total, atomic_load(&opened), open_fields_s);
    printf("floor_s %.4f floor_events_per_s %.0f\n", total, atomic_load(&checked) / total);
    return atomic_load(&mismatches) == 0 && atomic_load(&opened) == fields_total ? 0 : 1;
}
