/* wenming export: see export.h for the format. Table and column names below are the only
 * identifiers ever pasted into SQL; values travel as bound parameters (import.c). */
#include "store/export.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "store/db.h"

/* Keep in step with src/store/schema: a migration that adds a table or column makes export
 * and import fail (export_check_schema) until it is listed here. */
const struct export_table export_tables[] = {
    {"unit",
     "id",
     "itttititttii",
     {"id", "code", "name", "kind", "parent_id", "phone", "active", "contact", "email", "address",
      "area_id", "sort"}},
    {"area",
     "id",
     "itttiitrrrr",
     {"id", "code", "name", "kind", "parent_id", "unit_id", "geojson", "min_lat", "min_lon",
      "max_lat", "max_lon"}},
    {"category",
     "id",
     "ittttttttiiiiiii",
     {"id", "code", "service_code", "kind", "group_code", "group_name", "name", "description",
      "keywords", "default_unit_id", "register_minutes", "handle_minutes", "verify_minutes",
      "urgent", "active", "sort"}},
    {"category_attribute",
     "id",
     "iitititti",
     {"id", "category_id", "code", "variable", "datatype", "required", "datatype_description",
      "description", "sort"}},
    {"category_attribute_value",
     "attribute_id,key",
     "itti",
     {"attribute_id", "key", "name", "sort"}},
    {"routing_rule",
     "id",
     "ittiiiit",
     {"id", "category_code", "group_code", "area_id", "unit_id", "priority", "active", "note"}},
    {"apikey", "id", "ittiit", {"id", "name", "key_hash", "created_at", "revoked_at", "services"}},
    {"users",
     "id",
     "ittiitttiiiiii",
     {"id", "login", "name", "unit_id", "roles", "phone", "password_hash", "totp_secret", "active",
      "failed_logins", "locked_until", "totp_last_step", "created_at", "updated_at"}},
    {"media", "sha256", "ttii", {"sha256", "mime", "bytes", "created_at"}},
    {"cases",
     "id",
     "itttittttt"
     "rriitttt"
     "iiiiiiii"
     "tttttti"
     "tiiiiii",
     {"id",
      "code",
      "token",
      "source",
      "category_id",
      "status",
      "description",
      "address",
      "address_id",
      "zipcode",
      "lat",
      "lon",
      "area_id",
      "unit_id",
      "media_sha256",
      "media_url",
      "status_notes",
      "service_notice",
      "requested_at",
      "updated_at",
      "expected_at",
      "closed_at",
      "version",
      "rework_count",
      "duplicate_of",
      "recurrence_of",
      "reporter_email",
      "reporter_phone",
      "reporter_first_name",
      "reporter_last_name",
      "reporter_device_id",
      "reporter_account_id",
      "apikey_id",
      "stage",
      "stage_started_at",
      "alert",
      "supervise_level",
      "paused_minutes",
      "extension_minutes",
      "likely_duplicate_of"}},
    {"case_attribute", "case_id,code,value", "itt", {"case_id", "code", "value"}},
    {"case_media", "case_id,sha256,role", "itti", {"case_id", "sha256", "role", "event_id"}},
    {"case_event",
     "id",
     "iiittttitii",
     {"id", "case_id", "at", "actor", "action", "from_status", "to_status", "unit_id", "note",
      "public", "due_at"}},
    {"case_rating", "case_id", "itti", {"case_id", "rating", "comment", "at"}},
    {"audit_log",
     "id",
     "iittttttt",
     {"id", "at", "actor", "ip", "action", "object", "summary", "prev_hash", "hash"}},
    {"calendar_day", "day", "ttt", {"day", "kind", "name"}},
    {"calendar_hours", "seq", "iii", {"seq", "start_min", "end_min"}},
    {"job_run",
     "id",
     "ititiiit",
     {"id", "name", "pass", "instance", "started_at", "finished_at", "ok", "note"}},
    {"site_type", "code", "tti", {"code", "name", "sort"}},
    {"standard_version", "id", "ittii", {"id", "code", "name", "active", "imported_at"}},
    {"standard_node",
     "id",
     "iititttrti",
     {"id", "version_id", "code", "parent_id", "kind", "text", "method", "points", "veto", "sort"}},
    {"standard_item_site_type", "node_id,site_type", "it", {"node_id", "site_type"}},
    {"standard_item_category", "node_id,category_id", "ii", {"node_id", "category_id"}},
    {"site",
     "id",
     "itttiirrttii",
     {"id", "code", "name", "type", "area_id", "unit_id", "lat", "lon", "address", "photo_sha256",
      "active", "updated_at"}},
    {"inspection_round",
     "id",
     "ittiiitttiritii",
     {"id", "name", "kind", "version_id", "starts_at", "ends_at", "scope_areas", "scope_types",
      "sample_mode", "sample_n", "sample_share", "seed", "status", "created_by", "created_at"}},
    {"round_inspector", "round_id,user_id", "ii", {"round_id", "user_id"}},
    {"round_site", "round_id,site_id", "ii", {"round_id", "site_id"}},
    {"inspection",
     "id",
     "itiiiiirrtiiirrii",
     {"id", "client_id", "round_id", "site_id", "inspector_id", "inspected_at", "submitted_at",
      "lat", "lon", "note", "passed", "failed", "na", "kept", "applicable", "deduct_failed",
      "veto_failed"}},
    {"inspection_result",
     "inspection_id,node_id",
     "iitti",
     {"inspection_id", "node_id", "result", "note", "case_id"}},
    {"inspection_photo", "id", "iiiti", {"id", "inspection_id", "node_id", "sha256", "sort"}},
    {"survey_answer", "id", "iitii", {"id", "round_id", "respondent", "area_id", "answered_at"}},
    {"survey_answer_item", "answer_id,node_id", "iit", {"answer_id", "node_id", "rating"}},
    {"creation_title", "code", "tti", {"code", "name", "sort"}},
    {"creation_title_kind", "title,unit_kind", "tt", {"title", "unit_kind"}},
    {"creation_title_site_type", "title,site_type", "tt", {"title", "site_type"}},
    {"creation_title_method", "title,method", "tt", {"title", "method"}},
    {"creation",
     "id",
     "iitttitiiiittii",
     {"id", "unit_id", "title", "status", "level", "year", "batch", "declared_at", "reviewing_at",
      "named_at", "revoked_at", "revoke_reason", "note", "version", "updated_at"}},
    {"creation_event",
     "id",
     "iiittttt",
     {"id", "creation_id", "at", "actor", "action", "from_status", "to_status", "note"}},
    {"creation_assessment",
     "id",
     "itiiiitiiirrii",
     {"id", "client_id", "creation_id", "version_id", "submitted_by", "submitted_at", "note",
      "passed", "failed", "na", "kept", "applicable", "deduct_failed", "veto_failed"}},
    {"creation_assessment_item",
     "assessment_id,node_id",
     "iitt",
     {"assessment_id", "node_id", "result", "note"}},
    {"plan",
     "id",
     "ittiiittii",
     {"id", "code", "title", "issuer_unit_id", "starts_at", "ends_at", "status", "description",
      "created_at", "updated_at"}},
    {"task",
     "id",
     "iiittttiiitiiiiiiii",
     {"id", "plan_id", "parent_id", "code", "title", "description", "kind", "lead_unit_id",
      "starts_at", "due_at", "status", "progress", "alert", "supervise_level", "done_at", "sort",
      "version", "created_at", "updated_at"}},
    {"task_unit", "task_id,unit_id", "ii", {"task_id", "unit_id"}},
    {"task_item", "task_id,node_id", "ii", {"task_id", "node_id"}},
    {"milestone", "id", "iitii", {"id", "task_id", "title", "due_at", "done_at"}},
    {"task_event",
     "id",
     "iiititttiit",
     {"id", "task_id", "at", "actor", "unit_id", "action", "from_status", "to_status", "progress",
      "milestone_id", "note"}},
    {"task_event_media", "event_id,sha256", "iti", {"event_id", "sha256", "sort"}},
    {"article",
     "id",
     "itttttttttiitiiiii",
     {"id", "kind", "title", "summary", "body", "body_text", "source", "cover", "cover_alt",
      "status", "author_id", "reviewer_id", "note", "created_at", "updated_at", "published_at",
      "views", "version"}},
    {"article_tag", "article_id,tag", "it", {"article_id", "tag"}},
    {"article_event",
     "id",
     "iiittttt",
     {"id", "article_id", "at", "actor", "action", "from_status", "to_status", "note"}},
    /* last: a notification may name a task */
    {"notification",
     "id",
     "iiittiii",
     {"id", "user_id", "case_id", "kind", "message", "at", "read_at", "task_id"}},
    {NULL, NULL, NULL, {NULL}},
};

static int is_pg(struct db *db)
{
	return strcmp(db_dialect(db), "postgresql") == 0;
}

static const struct export_table *table_named(const char *name)
{
	for (const struct export_table *t = export_tables; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int ncols(const struct export_table *t)
{
	int n = 0;
	while (t->cols[n])
		n++;
	return n;
}

/* i, r or t for a declared type of either store (INTEGER/BIGINT, REAL/DOUBLE PRECISION,
 * TEXT); '?' for anything else. */
static char sql_type(const char *decl)
{
	if (strcasestr(decl, "int"))
		return 'i';
	if (strcasestr(decl, "real") || strcasestr(decl, "double"))
		return 'r';
	if (strcasestr(decl, "text") || strcasestr(decl, "char"))
		return 't';
	return '?';
}

/* The database's columns of t must be exactly t->cols, of the types t->types. */
static int check_columns(struct db *db, const struct export_table *t, struct err *e)
{
	const char *sql = is_pg(db)
	                      ? "SELECT column_name, data_type FROM information_schema.columns "
	                        "WHERE table_schema = current_schema() AND table_name = ?"
	                      : "SELECT name, type FROM pragma_table_info(?)";
	struct db_stmt *st;
	int rc = db_query(db, sql, DB_ARGS(db_text(t->name)), &st, e);
	if (rc)
		return rc;
	int n = 0, want = ncols(t);
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *c = db_col_text(st, 0);
		int known = -1;
		for (int i = 0; i < want && known < 0; i++)
			if (strcmp(t->cols[i], c) == 0)
				known = i;
		if (known >= 0 && sql_type(db_col_text(st, 1)) != t->types[known]) {
			rc = err_set(e, ERR_INTERNAL,
			             "table %s: column %s has type %s, export_tables says %c",
			             t->name, c, db_col_text(st, 1), t->types[known]);
			break;
		}
		if (known < 0) {
			rc =
			    err_set(e, ERR_INTERNAL,
			            "table %s has a column %s that export does not know: add it to "
			            "export_tables (src/store/export.c)",
			            t->name, c);
			break;
		}
		n++;
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (n != want)
		return err_set(e, ERR_INTERNAL,
		               "table %s has %d of the %d columns export expects (run `wenming "
		               "migrate`?)",
		               t->name, n, want);
	return 0;
}

int export_check_schema(struct db *db, struct err *e)
{
	for (const struct export_table *t = export_tables; t->name; t++)
		if ((int)strlen(t->types) != ncols(t))
			return err_set(e, ERR_INTERNAL,
			               "export_tables: %s: types do not match cols", t->name);
	const char *sql = is_pg(db) ? "SELECT table_name FROM information_schema.tables "
	                              "WHERE table_schema = current_schema() "
	                              "AND table_type = 'BASE TABLE'"
	                            : "SELECT name FROM sqlite_master WHERE type = 'table' "
	                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
	struct db_stmt *st;
	int rc = db_query(db, sql, NULL, 0, &st, e);
	if (rc)
		return rc;
	int n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		/* Kept by the target database itself: its migrations, the reference-data counter
		 * its own triggers bump while the import writes, and the audit chain's head
		 * (import points it at the last record); sessions end with a move: log in again.
		 * The figures' tallies are derived: the target's triggers count the cases, moves
		 * and ratings again as the import writes them; so is the search index (import
		 * makes it again). */
		if (strcmp(name, "schema_version") == 0 || strcmp(name, "refdata_version") == 0 ||
		    strcmp(name, "audit_head") == 0 || strcmp(name, "sessions") == 0 ||
		    strncmp(name, "case_tally", 10) == 0 || strcmp(name, "case_handle_time") == 0 ||
		    strncmp(name, "case_search", 11) == 0) /* the search index and its FTS5 tables */
			continue;
		if (!table_named(name)) {
			rc =
			    err_set(e, ERR_INTERNAL,
			            "the database has a table %s that export does not know: add it "
			            "to export_tables (src/store/export.c)",
			            name);
			break;
		}
		n++;
	}
	db_done(st);
	if (rc < 0)
		return rc;
	int want = 0;
	for (const struct export_table *t = export_tables; t->name; t++)
		want++;
	if (n != want)
		return err_set(e, ERR_INTERNAL,
		               "the database has %d of the %d tables export expects (run `wenming "
		               "migrate`?)",
		               n, want);
	for (const struct export_table *t = export_tables; t->name; t++)
		if ((rc = check_columns(db, t, e)))
			return rc;
	return 0;
}

int export_schema_version(struct db *db, int64_t *version, struct err *e)
{
	*version = 0;
	int rc = db_get_int(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", NULL, 0,
	                    version, e);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

static void json_str(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\n') {
			buf_adds(b, "\\n");
		} else if (c == '\t') {
			buf_adds(b, "\\t");
		} else if (c == '\r') {
			buf_adds(b, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else {
			buf_addc(b, (char)c);
		}
	}
	buf_addc(b, '"');
}

/* The shortest %g text that reads back as the same double, marked as a real. */
static int json_real(struct buf *b, double d, struct err *e)
{
	if (!isfinite(d))
		return err_set(e, ERR_INTERNAL, "a real that is not a finite number: %g", d);
	char s[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	buf_adds(b, s);
	if (!strpbrk(s, ".e"))
		buf_adds(b, ".0");
	return 0;
}

/* The ORDER BY: text keys compared bytewise in both stores (SQLite's BINARY is already). */
static void order_by(struct db *db, const struct export_table *t, struct buf *sql)
{
	const char *p = t->order_by;
	while (*p) {
		size_t n = strcspn(p, ",");
		buf_add(sql, p, n);
		for (int i = 0; t->cols[i]; i++)
			if (strlen(t->cols[i]) == n && strncmp(t->cols[i], p, n) == 0 &&
			    t->types[i] == 't' && is_pg(db))
				buf_adds(sql, " COLLATE \"C\"");
		p += n;
		if (*p == ',')
			buf_adds(sql, *++p ? ", " : "");
	}
}

struct rows_out {
	const struct export_table *t;
	FILE *out; /* NULL: only hash and count */
	crypto_hash_sha256_state h;
	struct buf line;
	int64_t count;
};

/* Writes the rows st yields; returns how many, or a negative error. */
static int emit_rows(struct rows_out *o, struct db_stmt *st, struct err *e)
{
	const struct export_table *t = o->t;
	int rc, n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct buf *line = &o->line;
		buf_reset(line);
		buf_printf(line, "{\"t\":\"%s\",\"r\":{", t->name);
		for (int i = 0; t->cols[i] && rc >= 0; i++) {
			buf_printf(line, "%s\"%s\":", i ? "," : "", t->cols[i]);
			if (db_col_is_null(st, i))
				buf_adds(line, "null");
			else if (t->types[i] == 'i')
				buf_printf(line, "%lld", (long long)db_col_int(st, i));
			else if (t->types[i] == 'r')
				rc = json_real(line, db_col_real(st, i), e);
			else
				json_str(line, db_col_text(st, i), db_col_bytes(st, i));
		}
		if (rc < 0)
			return rc;
		buf_adds(line, "}}\n");
		crypto_hash_sha256_update(&o->h, (const unsigned char *)line->data, line->len);
		if (o->out && fwrite(line->data, 1, line->len, o->out) != line->len)
			return err_set(e, ERR_INTERNAL, "writing the export failed");
		o->count++;
		n++;
	}
	return rc < 0 ? rc : n;
}

/* libpq holds a whole result in memory, so on PostgreSQL the rows come through a cursor,
 * FETCH_ROWS at a time (inside the caller's transaction); SQLite steps through the table. */
enum { FETCH_ROWS = 500 };

static int run_select(struct db *db, const char *sql, struct rows_out *o, struct err *e)
{
	struct db_stmt *st;
	int rc;
	if (!is_pg(db)) {
		if ((rc = db_query(db, sql, NULL, 0, &st, e)))
			return rc;
		rc = emit_rows(o, st, e);
		db_done(st);
		return rc < 0 ? rc : 0;
	}
	struct buf decl = BUF_INIT;
	buf_printf(&decl, "DECLARE wm_export NO SCROLL CURSOR FOR %s", sql);
	rc = db_exec_script(db, decl.data, e);
	buf_free(&decl);
	while (rc == 0) {
		char fetch[64];
		snprintf(fetch, sizeof fetch, "FETCH %d FROM wm_export", FETCH_ROWS);
		if ((rc = db_query(db, fetch, NULL, 0, &st, e)))
			break;
		int n = emit_rows(o, st, e);
		db_done(st);
		if (n <= 0) {
			rc = n;
			break;
		}
	}
	if (rc == 0)
		rc = db_exec_script(db, "CLOSE wm_export", e);
	return rc;
}

int export_table_rows(struct db *db, const struct export_table *t, FILE *out, int64_t *count,
                      char hex[65], struct err *e)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT ");
	for (int i = 0; t->cols[i]; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", t->cols[i]);
	buf_printf(&sql, " FROM %s ORDER BY ", t->name);
	order_by(db, t, &sql);

	struct rows_out o = {.t = t, .out = out, .line = BUF_INIT};
	crypto_hash_sha256_init(&o.h);
	int rc = run_select(db, sql.data, &o, e);
	buf_free(&sql);
	buf_free(&o.line);
	*count = o.count;
	if (rc < 0)
		return rc;
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&o.h, sum);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
	return 0;
}

static int export_all(struct db *db, FILE *out, struct export_stats *stats, struct err *e)
{
	int rc = export_check_schema(db, e);
	int64_t version;
	if (rc || (rc = export_schema_version(db, &version, e)))
		return rc;
	fprintf(out, "{\"wenming_export\":1,\"schema_version\":%lld,\"tables\":[",
	        (long long)version);
	for (const struct export_table *t = export_tables; t->name; t++)
		fprintf(out, "%s\"%s\"", t == export_tables ? "" : ",", t->name);
	fputs("]}\n", out);
	for (const struct export_table *t = export_tables; t->name; t++) {
		int64_t count;
		char hex[65];
		if ((rc = export_table_rows(db, t, out, &count, hex, e)))
			return rc;
		fprintf(out, "{\"t\":\"%s\",\"count\":%lld,\"sha256\":\"%s\"}\n", t->name,
		        (long long)count, hex);
		stats->tables++;
		stats->rows += count;
	}
	if (fflush(out) != 0 || ferror(out))
		return err_set(e, ERR_INTERNAL, "writing the export failed");
	return 0;
}

int export_jsonl(struct db *db, FILE *out, struct export_stats *stats, struct err *e)
{
	struct export_stats ignored;
	if (!stats)
		stats = &ignored;
	*stats = (struct export_stats){0};
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
	/* One snapshot for every table: SQLite's read transaction sees one WAL state; on
	 * PostgreSQL REPEATABLE READ gives the same. */
	int rc = db_run(db, is_pg(db) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
	                NULL, 0, e);
	if (rc)
		return rc;
	rc = export_all(db, out, stats, e);
	db_rollback(db); /* read only: nothing to keep */
	return rc;
}
