/* Schema migrations (see migrate.h). Several processes may start at once against one database:
 * each migration is re-checked inside its write transaction, so it runs exactly once. */
#include "store/migrate.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "store/db.h"
#include "store/db_driver.h"

/* Written as is in both dialects: `version INTEGER PRIMARY KEY` is a plain integer key, so it
 * must not go through the dialect hook (which turns `id INTEGER PRIMARY KEY` into identity).
 * applied_at is unix seconds, so BIGINT (PostgreSQL's INTEGER ends in 2038; in SQLite both
 * spellings mean the same INTEGER affinity). */
static const char SCHEMA_VERSION_DDL[] = "CREATE TABLE IF NOT EXISTS schema_version ("
                                         "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                                         "checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

enum { HEX_LEN = 2 * crypto_hash_sha256_BYTES };

/* NNN_name.sql: exactly three digits, an underscore, a non-empty name. */
static int parse_version(const char *name, int *version)
{
	size_t n = strlen(name);
	if (n < 9 || strcmp(name + n - 4, ".sql") != 0 || name[3] != '_')
		return -1;
	*version = 0;
	for (int i = 0; i < 3; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		*version = *version * 10 + (name[i] - '0');
	}
	return 0;
}

static void checksum(const struct embedded_file *f, char hex[HEX_LEN + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)f->data, f->len);
	sodium_bin2hex(hex, HEX_LEN + 1, h, sizeof h);
}

static int check_names(const struct embedded_file *files, struct err *e)
{
	int prev = -1;
	for (const struct embedded_file *f = files; f->name; f++) {
		int v;
		if (parse_version(f->name, &v))
			return err_set(e, ERR_INTERNAL,
			               "migration %s: name must look like NNN_name.sql", f->name);
		if (v <= prev)
			return err_set(e, ERR_INTERNAL,
			               "migration %s: version %03d is not above the one before it",
			               f->name, v);
		prev = v;
	}
	return 0;
}

static const struct embedded_file *file_for(const struct embedded_file *files, int64_t version)
{
	for (const struct embedded_file *f = files; f->name; f++) {
		int v;
		if (parse_version(f->name, &v) == 0 && v == version)
			return f;
	}
	return NULL;
}

/* Prefixes the message with the migration's name, so the log says which file broke. */
static int fail_in(struct err *e, const char *name, const struct err *cause)
{
	return err_set(e, cause->code ? cause->code : ERR_INTERNAL, "migration %s: %s", name,
	               cause->msg);
}

/* The message leaves the file's name to the caller (fail_in). */
static int verify_checksum(const struct embedded_file *f, const char *recorded, struct err *e)
{
	char hex[HEX_LEN + 1];
	checksum(f, hex);
	if (strcmp(hex, recorded) == 0)
		return 0;
	return err_set(e, ERR_INTERNAL,
	               "changed after it was applied (recorded sha256 %.12s…, file %.12s…); "
	               "add a new migration instead of editing an applied one",
	               recorded, hex);
}

/* Checks names, that every recorded version is a known, unchanged file, and counts the
 * files not applied yet. */
static int survey(struct db *db, const struct embedded_file *files, int *pending, struct err *e)
{
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
	int rc = check_names(files, e);
	if (rc)
		return rc;
	rc = db_exec_script(db, SCHEMA_VERSION_DDL, e);
	if (rc)
		return rc;
	int nfiles = 0;
	for (const struct embedded_file *f = files; f->name; f++)
		nfiles++;

	struct db_stmt *st;
	rc = db_query(db, "SELECT version, name, checksum FROM schema_version ORDER BY version",
	              NULL, 0, &st, e);
	if (rc)
		return rc;
	int applied = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		int64_t v = db_col_int(st, 0);
		const struct embedded_file *f = file_for(files, v);
		if (!f) {
			rc = err_set(e, ERR_INTERNAL,
			             "the database has migration %s (version %03lld), which this "
			             "build does not know; run a newer wenming",
			             db_col_text(st, 1), (long long)v);
			break;
		}
		struct err cause;
		err_clear(&cause);
		if (verify_checksum(f, db_col_text(st, 2), &cause)) {
			rc = fail_in(e, f->name, &cause);
			break;
		}
		applied++;
	}
	db_done(st);
	if (rc < 0)
		return rc;
	*pending = nfiles - applied;
	return 0;
}

/* 1 with *recorded filled (caller frees) if version is in schema_version, 0 if not. */
static int recorded_checksum(struct db *db, int version, char **recorded, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT checksum FROM schema_version WHERE version = ?",
	                  DB_ARGS(db_int(version)), &st, e);
	if (rc)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		*recorded = strdup(db_col_text(st, 0));
		rc = *recorded ? 1 : err_set(e, ERR_INTERNAL, "out of memory");
	}
	db_done(st);
	return rc;
}

/* Runs one migration in its own write transaction unless another process got there first. */
static int apply_one(struct db *db, const struct embedded_file *f, int version, struct err *e)
{
	char *recorded = NULL;
	int rc = recorded_checksum(db, version, &recorded, e);
	if (rc == 1) /* applied already; survey checked the checksum */
		free(recorded);
	if (rc)
		return rc < 0 ? rc : 0;

	rc = db_begin_write(db, e);
	if (rc)
		return rc;
	rc = recorded_checksum(db, version, &recorded, e);
	if (rc == 1) { /* applied concurrently while we waited for the write lock */
		rc = verify_checksum(f, recorded, e);
		free(recorded);
		db_rollback(db);
		return rc;
	}
	struct buf sql = BUF_INIT;
	if (rc == 0)
		rc = db_translate_ddl(db, f->data, &sql, e);
	if (rc == 0)
		rc = db_exec_script(db, sql.data, e);
	buf_free(&sql);
	if (rc == 0) {
		char hex[HEX_LEN + 1];
		checksum(f, hex);
		rc = db_run(db,
		            "INSERT INTO schema_version (version, name, checksum, applied_at) "
		            "VALUES (?, ?, ?, ?)",
		            DB_ARGS(db_int(version), db_text(f->name), db_text(hex),
		                    db_int((int64_t)time(NULL))),
		            e);
	}
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc)
		db_rollback(db);
	return rc;
}

/* The dialect hook for several instances starting at once. SQLite serialises the migrations
 * by BEGIN IMMEDIATE; PostgreSQL's BEGIN takes no lock, and even CREATE TABLE IF NOT EXISTS
 * can fail when two sessions race, so there a session advisory lock makes them take turns
 * (released by unlock, or by the server if the process dies). */
enum { MIGRATE_LOCK_KEY = 0x77656e6d /* "wenm" */ };

static int migrate_lock(struct db *db, int lock, struct err *e)
{
	if (strcmp(db_dialect(db), "postgresql") != 0)
		return 0;
	return db_run(db, lock ? "SELECT pg_advisory_lock(?)" : "SELECT pg_advisory_unlock(?)",
	              DB_ARGS(db_int(MIGRATE_LOCK_KEY)), e);
}

static int apply_locked(struct db *db, const struct embedded_file *files, struct err *e);

int migrate_apply_files(struct db *db, const struct embedded_file *files, struct err *e)
{
	int rc = migrate_lock(db, 1, e);
	if (rc)
		return rc;
	rc = apply_locked(db, files, e);
	struct err ignored; /* the lock ends with the session anyway */
	(void)migrate_lock(db, 0, &ignored);
	return rc;
}

static int apply_locked(struct db *db, const struct embedded_file *files, struct err *e)
{
	int pending;
	int rc = survey(db, files, &pending, e);
	if (rc || pending == 0)
		return rc;
	for (const struct embedded_file *f = files; f->name; f++) {
		int v;
		(void)parse_version(f->name, &v); /* survey checked every name */
		struct err cause;
		err_clear(&cause);
		rc = apply_one(db, f, v, &cause);
		if (rc)
			return fail_in(e, f->name, &cause);
	}
	return 0;
}

int migrate_pending_files(struct db *db, const struct embedded_file *files, int *count,
                          struct err *e)
{
	int rc = migrate_lock(db, 1, e); /* survey may create schema_version */
	if (rc)
		return rc;
	rc = survey(db, files, count, e);
	struct err ignored;
	(void)migrate_lock(db, 0, &ignored);
	return rc;
}

int migrate_apply(struct db *db, struct err *e)
{
	return migrate_apply_files(db, embedded_schema, e);
}

int migrate_pending(struct db *db, int *count, struct err *e)
{
	return migrate_pending_files(db, embedded_schema, count, e);
}
