package store

/*
// sqlite3_config is SQLite's; the driver (github.com/mattn/go-sqlite3)
// links SQLite in.
int sqlite3_config(int, ...);

// SQLITE_CONFIG_MEMSTATUS, from sqlite3.h.
#define IAMWATCH_CONFIG_MEMSTATUS 9

static int iamwatch_memstatus_off(void) {
	return sqlite3_config(IAMWATCH_CONFIG_MEMSTATUS, 0);
}

long long sqlite3_memory_used(void);
*/
import "C"

// SQLite counts every allocation it makes under a process-wide mutex, for
// sqlite3_memory_used and friends, which iamwatch never reads. The writer
// allocates for every row it inserts, so that lock was taken and released
// several times a captured call. It can only be turned off before SQLite
// initializes, which it does when the first connection opens; a package
// initializer runs before that. If something initialized SQLite already,
// sqlite3_config refuses and the counting stays, which costs only time.
func init() {
	C.iamwatch_memstatus_off()
}

// sqliteMemoryUsed is what SQLite counts as allocated: 0 while it does not
// count.
func sqliteMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }
