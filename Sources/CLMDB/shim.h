#ifndef GRANTLEDGER_CLMDB_SHIM_H
#define GRANTLEDGER_CLMDB_SHIM_H
// LMDB from the system (Debian: liblmdb-dev). Never vendor its sources.
#include <lmdb.h>
#endif
