#include "store/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/buf.h"
#include "store/db.h"
#include "store/db_driver.h"

static const char ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

enum { LIST_DEFAULT = 50, LIST_MAX = 1000 };

static const char *s_or_empty(const char *s)
{
	return s ? s : "";
}

static int is_pg(struct db *db)
{
	return strcmp(db_dialect(db), "postgresql") == 0;
}

/* One field as "<decimal length>:<bytes>;": the length prefix keeps two different records
 * from sharing a canonical form however their fields' text is split. */
static void hash_field(crypto_hash_sha256_state *st, const char *p, size_t n)
{
	char len[32];
	int k = snprintf(len, sizeof len, "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(st, (const unsigned char *)p, (unsigned long long)n);
	crypto_hash_sha256_update(st, (const unsigned char *)";", 1);
}

static void hash_str(crypto_hash_sha256_state *st, const char *s)
{
	s = s_or_empty(s);
	hash_field(st, s, strlen(s));
}

static void hash_int(crypto_hash_sha256_state *st, int64_t v)
{
	char num[32];
	int k = snprintf(num, sizeof num, "%" PRId64, v);
	hash_field(st, num, (size_t)k);
}

void audit_hash(int64_t id, const struct audit_entry *a, const char *prev_hash,
                char out[AUDIT_HASH_HEX])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	/* A version tag, so a later canonical form can never collide with this one. */
	hash_str(&st, "wenming-audit-v1");
	hash_int(&st, id);
	hash_int(&st, a->at);
	hash_str(&st, a->actor);
	hash_str(&st, a->ip);
	hash_str(&st, a->action);
	hash_str(&st, a->object);
	hash_str(&st, a->summary);
	hash_str(&st, prev_hash);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, AUDIT_HASH_HEX, h, sizeof h);
}

/* Rows per INSERT: a batch of reports costs a few statements, and only AUDIT_CHUNK distinct
 * statement texts ever reach the statement cache. */
enum { AUDIT_CHUNK = 16 };

static int insert_rows(struct db *db, const struct audit_entry *const *a, size_t n,
                       int64_t first_id, char (*prev)[AUDIT_HASH_HEX], char (*hash)[AUDIT_HASH_HEX],
                       struct err *e)
{
	char sql[2048];
	int len = snprintf(sql, sizeof sql,
	                   "INSERT INTO audit_log (id, at, actor, ip, action, object, summary,"
	                   " prev_hash, hash) VALUES ");
	for (size_t i = 0; i < n; i++)
		len += snprintf(sql + len, sizeof sql - (size_t)len,
		                "%s(?, ?, ?, ?, ?, ?, ?, ?, ?)", i ? ", " : "");
	struct db_val args[AUDIT_CHUNK * 9];
	for (size_t i = 0; i < n; i++) {
		struct db_val *v = &args[i * 9];
		v[0] = db_int(first_id + (int64_t)i);
		v[1] = db_int(a[i]->at);
		v[2] = db_text(a[i]->actor);
		v[3] = db_text(s_or_empty(a[i]->ip));
		v[4] = db_text(a[i]->action);
		v[5] = db_text(s_or_empty(a[i]->object));
		v[6] = db_text(s_or_empty(a[i]->summary));
		v[7] = db_text(prev[i]);
		v[8] = db_text(hash[i]);
	}
	return db_run(db, sql, args, n * 9, e);
}

int audit_append_many(struct db *db, const struct audit_entry *const *a, size_t n,
                      int64_t *first_id, struct err *e)
{
	/* Outside a transaction the head update and the insert would commit apart, and a
	 * failure between them would leave a gap that verify reports as tampering. */
	if (!db_in_transaction(db))
		return err_set(e, ERR_INTERNAL,
		               "audit_append needs the caller's write transaction");
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!a[i]->actor || !*a[i]->actor || !a[i]->action || !*a[i]->action)
			return err_set(e, ERR_INTERNAL, "audit record without actor or action");
	/* Taking the ids locks the head row until commit: concurrent appenders queue here,
	 * and last_hash (unchanged by this statement) is the predecessor's hash. */
	struct db_stmt *st;
	int rc = db_query(db,
	                  "UPDATE audit_head SET last_id = last_id + ? WHERE id = 1"
	                  " RETURNING last_id, last_hash",
	                  DB_ARGS(db_int((int64_t)n)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	int64_t last = 0;
	char prev[AUDIT_CHUNK][AUDIT_HASH_HEX], hash[AUDIT_CHUNK][AUDIT_HASH_HEX];
	if (rc == DB_ROW) {
		last = db_col_int(st, 0);
		snprintf(hash[AUDIT_CHUNK - 1], AUDIT_HASH_HEX, "%s", db_col_text(st, 1));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_INTERNAL, "audit_head has no row (migration 005 not applied?)");
	}
	db_done(st);
	if (rc < 0)
		return rc;
	int64_t id = last - (int64_t)n + 1;
	if (first_id)
		*first_id = id;
	/* hash[AUDIT_CHUNK - 1] carries the chain from one chunk to the next. */
	for (size_t done = 0; done < n && rc == 0;) {
		size_t k = n - done < AUDIT_CHUNK ? n - done : AUDIT_CHUNK;
		for (size_t i = 0; i < k; i++) {
			snprintf(prev[i], AUDIT_HASH_HEX, "%s",
			         i ? hash[i - 1] : hash[AUDIT_CHUNK - 1]);
			audit_hash(id + (int64_t)i, a[done + i], prev[i], hash[i]);
		}
		rc = insert_rows(db, a + done, k, id, prev, hash, e);
		if (k != AUDIT_CHUNK)
			snprintf(hash[AUDIT_CHUNK - 1], AUDIT_HASH_HEX, "%s", hash[k - 1]);
		id += (int64_t)k;
		done += k;
	}
	if (rc == 0)
		rc = db_run(db, "UPDATE audit_head SET last_hash = ? WHERE id = 1",
		            DB_ARGS(db_text(hash[AUDIT_CHUNK - 1])), e);
	return rc;
}

int audit_append_id(struct db *db, const struct audit_entry *a, int64_t *id, struct err *e)
{
	return audit_append_many(db, &a, 1, id, e);
}

int audit_append(struct db *db, const struct audit_entry *a, struct err *e)
{
	return audit_append_id(db, a, NULL, e);
}

int audit_head_sync(struct db *db, struct err *e)
{
	return db_run(
	    db,
	    "UPDATE audit_head SET"
	    " last_id = COALESCE((SELECT MAX(id) FROM audit_log), 0),"
	    " last_hash = COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), ?)"
	    " WHERE id = 1",
	    DB_ARGS(db_text(ZERO_HASH)), e);
}

static void broken(struct audit_report *r, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void broken(struct audit_report *r, int64_t id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->broken_id = id;
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
}

/* Checks the rows of one snapshot; the caller holds the read transaction. */
static int verify_rows(struct db *db, struct audit_report *r, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, at, actor, ip, action, object, summary, prev_hash, hash"
	                  " FROM audit_log ORDER BY id",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	int64_t last = 0;
	char prev[AUDIT_HASH_HEX];
	memcpy(prev, ZERO_HASH, sizeof prev);
	while ((rc = db_step(st, e)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		if (id != last + 1) {
			if (id > last + 1)
				broken(r, last + 1,
				       "record %" PRId64 " is missing (the next is %" PRId64
				       "): deleted",
				       last + 1, id);
			else
				broken(r, id, "unexpected id %" PRId64 " after %" PRId64, id, last);
			break;
		}
		if (strcmp(db_col_text(st, 7), prev) != 0) {
			if (last)
				broken(r, id,
				       "prev_hash differs from record %" PRId64 "'s hash: changed,"
				       " or a record before it was replaced",
				       last);
			else
				broken(r, id, "prev_hash of the first record is not zeros");
			break;
		}
		struct audit_entry a = {
		    .at = db_col_int(st, 1),
		    .actor = db_col_text(st, 2),
		    .ip = db_col_text(st, 3),
		    .action = db_col_text(st, 4),
		    .object = db_col_text(st, 5),
		    .summary = db_col_text(st, 6),
		};
		char want[AUDIT_HASH_HEX];
		audit_hash(id, &a, prev, want);
		if (strcmp(db_col_text(st, 8), want) != 0) {
			broken(r, id, "its hash does not match its contents: altered");
			break;
		}
		memcpy(prev, want, sizeof prev);
		last = id;
		r->count++;
	}
	db_done(st);
	if (rc < 0 || r->broken_id)
		return rc < 0 ? rc : 0;

	/* Without the head a deleted tail, or a record added at the end with a correct hash,
	 * would look like a shorter or longer intact chain. */
	rc =
	    db_query(db, "SELECT last_id, last_hash FROM audit_head WHERE id = 1", NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		int64_t head = db_col_int(st, 0);
		if (head > last)
			broken(r, last + 1,
			       "record %" PRId64
			       " is missing: audit_head says the last record is %" PRId64
			       " (tail deleted)",
			       last + 1, head);
		else if (head < last)
			broken(r, head + 1,
			       "record %" PRId64
			       " was not appended by wenming: audit_head says the last"
			       " record is %" PRId64,
			       head + 1, head);
		else if (strcmp(db_col_text(st, 1), prev) != 0)
			broken(r, last, "audit_head's hash differs from record %" PRId64 "'s",
			       last);
		rc = 0;
	} else if (rc == DB_DONE) {
		broken(r, last + 1, "audit_head has no row");
		rc = 0;
	}
	db_done(st);
	return rc;
}

int audit_verify(struct db *db, struct audit_report *out, struct err *e)
{
	*out = (struct audit_report){0};
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
	/* One snapshot: an append committing between reading the log and the head must not
	 * look like a record added behind our back. */
	int rc = db_run(db, is_pg(db) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
	                NULL, 0, e);
	if (rc < 0)
		return rc;
	rc = verify_rows(db, out, e);
	db_rollback(db); /* read only */
	if (out->broken_id)
		out->count = out->broken_id - 1; /* a forged tail may itself chain correctly */
	return rc;
}

static int add_text(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v));
}

int audit_list_json(struct db *db, const struct audit_filter *f, json_t **out, struct err *e)
{
	static const struct audit_filter none = {0};
	if (!f)
		f = &none;
	/* Only the filters given go into the SQL, so each query can use its index; values are
	 * always bound. */
	struct buf sql = BUF_INIT;
	struct db_val args[8];
	size_t n = 0;
	buf_adds(&sql, "SELECT id, at, actor, ip, action, object, summary, prev_hash, hash"
	               " FROM audit_log WHERE 1 = 1");
	if (f->actor && *f->actor) {
		buf_adds(&sql, " AND actor = ?");
		args[n++] = db_text(f->actor);
	}
	if (f->object && *f->object) {
		buf_adds(&sql, " AND object = ?");
		args[n++] = db_text(f->object);
	}
	if (f->action_prefix && *f->action_prefix) {
		/* substr, not LIKE: '_' and '%' in a prefix are literal. */
		buf_adds(&sql, " AND substr(action, 1, ?) = ?");
		args[n++] = db_int((int64_t)strlen(f->action_prefix));
		args[n++] = db_text(f->action_prefix);
	}
	if (f->since) {
		buf_adds(&sql, " AND at >= ?");
		args[n++] = db_int(f->since);
	}
	if (f->until) {
		buf_adds(&sql, " AND at < ?");
		args[n++] = db_int(f->until);
	}
	if (f->before_id > 0) {
		buf_adds(&sql, " AND id < ?");
		args[n++] = db_int(f->before_id);
	}
	int limit = f->limit <= 0 ? LIST_DEFAULT : f->limit > LIST_MAX ? LIST_MAX : f->limit;
	buf_adds(&sql, " ORDER BY id DESC LIMIT ?");
	args[n++] = db_int(limit);

	json_t *arr = json_array();
	struct db_stmt *st;
	int rc = arr ? db_query(db, sql.data, args, n, &st, e)
	             : err_set(e, ERR_INTERNAL, "out of memory");
	buf_free(&sql);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_t *o = json_object();
		const char *summary = db_col_text(st, 6);
		json_t *sj = *summary ? json_loads(summary, JSON_DECODE_ANY, NULL) : NULL;
		if (!o || json_object_set_new(o, "id", json_integer(db_col_int(st, 0))) ||
		    json_object_set_new(o, "at", json_integer(db_col_int(st, 1))) ||
		    add_text(o, "actor", db_col_text(st, 2)) ||
		    add_text(o, "ip", db_col_text(st, 3)) ||
		    add_text(o, "action", db_col_text(st, 4)) ||
		    add_text(o, "object", db_col_text(st, 5)) ||
		    json_object_set_new(o, "summary", sj ? sj : json_string(summary)) ||
		    add_text(o, "prev_hash", db_col_text(st, 7)) ||
		    add_text(o, "hash", db_col_text(st, 8)) || json_array_append_new(arr, o)) {
			json_decref(o);
			rc = err_set(e, ERR_INTERNAL,
			             "out of memory (or a record that is not UTF-8)");
			break;
		}
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
