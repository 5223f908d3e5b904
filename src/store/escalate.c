#include "store/escalate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sla.h"
#include "core/workcal.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/jobs.h"

enum { CHUNK = 500 }; /* changes per transaction: keeps each commit short */

struct limits_by_id {
	int64_t id;
	struct sla_limits lim;
};

struct change {
	int64_t id, unit_id;
	int alert;
	char code[32];
	char status[16];
};

static int load_limits(struct db *db, struct limits_by_id **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, register_minutes, handle_minutes, verify_minutes, urgent"
	                  " FROM category ORDER BY id",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0, k = 0;
	struct limits_by_id *v = NULL;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (k == cap) {
			size_t ncap = cap ? cap * 2 : 128;
			struct limits_by_id *nv = realloc(v, ncap * sizeof *v);
			if (!nv) {
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[k++] = (struct limits_by_id){db_col_int(st, 0),
		                               {(int)db_col_int(st, 1), (int)db_col_int(st, 2),
		                                (int)db_col_int(st, 3), (int)db_col_int(st, 4)}};
	}
	db_done(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return 0;
}

static const struct sla_limits *limits_of(const struct limits_by_id *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].id == id ? &v[lo].lim : NULL;
}

/* The open cases whose alert rises now. */
static int find_changes(struct db *db, const struct workcal *cal, const struct limits_by_id *lv,
                        size_t nl, int64_t now, struct change **out, size_t *nout,
                        struct escalate_stats *stats, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT c.id, c.category_id, COALESCE(c.stage_started_at, 0), c.expected_at,"
	             " c.alert, COALESCE(c.unit_id, cat.default_unit_id, 0), c.code, c.status"
	             " FROM cases c JOIN category cat ON cat.id = c.category_id"
	             " WHERE c.status NOT IN ('closed', 'rejected') AND c.expected_at IS NOT NULL"
	             " AND c.alert < 2",
	             NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0, n = 0;
	struct change *v = NULL;
	while ((rc = db_step(st, e)) == DB_ROW) {
		stats->scanned++;
		const struct sla_limits *lim = limits_of(lv, nl, db_col_int(st, 1));
		if (!lim)
			continue;
		struct sla_clock c = {.started_at = db_col_int(st, 2), .due_at = db_col_int(st, 3)};
		int alert = sla_alert(cal, lim, &c, now);
		if (alert <= db_col_int(st, 4))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct change *nv = realloc(v, ncap * sizeof *nv);
			if (!nv) {
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			v = nv;
			cap = ncap;
		}
		struct change *ch = &v[n++];
		ch->id = db_col_int(st, 0);
		ch->unit_id = db_col_int(st, 5);
		ch->alert = alert;
		snprintf(ch->code, sizeof ch->code, "%s", db_col_text(st, 6));
		snprintf(ch->status, sizeof ch->status, "%s", db_col_text(st, 7));
	}
	db_done(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* One change: the case, its timeline, the notifications. 0 when another pass got there
 * first (the alert guard), 1 when done. */
static int apply_one(struct db *db, const struct change *ch, int64_t now, struct err *e)
{
	int red = ch->alert == 2;
	int64_t got;
	int rc = db_get_int(
	    db,
	    "UPDATE cases SET alert = ?, supervise_level = supervise_level + ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND alert < ?"
	    " RETURNING id",
	    DB_ARGS(db_int(ch->alert), db_int(red), db_int(now), db_int(ch->id), db_int(ch->alert)),
	    &got, e);
	if (rc == ERR_NOT_FOUND)
		return 0;
	const char *what = red ? "红灯：已超期，升级督办" : "黄灯：已用时限的75%";
	if (rc == 0)
		rc = db_run(
		    db,
		    "INSERT INTO case_event (case_id, at, actor, action, from_status, to_status,"
		    " unit_id, note, public) VALUES (?, ?, 'system', 'escalate', ?, ?, ?, ?, 0)",
		    DB_ARGS(db_int(ch->id), db_int(now), db_text(ch->status), db_text(ch->status),
		            ch->unit_id ? db_int(ch->unit_id) : db_null(), db_text(what)),
		    e);
	char msg[160];
	snprintf(msg, sizeof msg, "案件 %s %s", ch->code, what);
	if (rc == 0 && ch->unit_id)
		rc = db_run(db,
		            "INSERT INTO notification (user_id, case_id, kind, message, at)"
		            " SELECT id, ?, ?, ?, ? FROM users WHERE active = 1 AND (unit_id = ? OR"
		            " unit_id = (SELECT parent_id FROM unit WHERE id = ?))",
		            DB_ARGS(db_int(ch->id), db_text(red ? "red" : "yellow"), db_text(msg),
		                    db_int(now), db_int(ch->unit_id), db_int(ch->unit_id)),
		            e);
	return rc < 0 ? rc : 1;
}

static int apply_chunk(struct db *db, const struct change *v, size_t n, int64_t now,
                       struct escalate_stats *stats, struct err *e)
{
	struct audit_entry *recs = calloc(n, sizeof *recs);
	const struct audit_entry **ptrs = calloc(n, sizeof *ptrs);
	char(*objects)[48] = calloc(n, sizeof *objects);
	int rc = recs && ptrs && objects ? db_begin_write(db, e)
	                                 : err_set(e, ERR_INTERNAL, "out of memory");
	size_t na = 0;
	int64_t yellow = 0, red = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int done = apply_one(db, &v[i], now, e);
		if (done < 0) {
			rc = done;
			break;
		}
		if (!done)
			continue;
		snprintf(objects[na], sizeof objects[na], "case:%s", v[i].code);
		recs[na] = (struct audit_entry){
		    .at = now,
		    .actor = "system",
		    .action = "case.escalate",
		    .object = objects[na],
		    .summary = v[i].alert == 2 ? "{\"alert\":\"red\"}" : "{\"alert\":\"yellow\"}"};
		ptrs[na] = &recs[na];
		na++;
		*(v[i].alert == 2 ? &red : &yellow) += 1;
	}
	if (rc == 0)
		rc = audit_append_many(db, ptrs, na, NULL, e);
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc < 0)
		db_rollback(db);
	else {
		stats->yellow += yellow;
		stats->red += red;
	}
	free(recs);
	free(ptrs);
	free(objects);
	return rc;
}

int escalate_pass(struct db *db, int64_t now, struct escalate_stats *stats, struct err *e)
{
	*stats = (struct escalate_stats){0};
	struct workcal *cal = NULL;
	struct limits_by_id *lv = NULL;
	struct change *v = NULL;
	size_t nl = 0, n = 0;
	int rc = calendar_load(db, &cal, e);
	if (rc == 0)
		rc = load_limits(db, &lv, &nl, e);
	if (rc == 0)
		rc = find_changes(db, cal, lv, nl, now, &v, &n, stats, e);
	for (size_t i = 0; rc == 0 && i < n; i += CHUNK)
		rc = apply_chunk(db, v + i, n - i < CHUNK ? n - i : CHUNK, now, stats, e);
	free(v);
	free(lv);
	workcal_free(cal);
	return rc;
}

int escalate_job(const struct job_ctx *ctx, struct err *e)
{
	struct escalate_stats st;
	int rc = escalate_pass(ctx->db, ctx->now, &st, e);
	if (rc == 0)
		buf_printf(ctx->note, "%lld open cases looked at, %lld yellow, %lld red",
		           (long long)st.scanned, (long long)st.yellow, (long long)st.red);
	return rc;
}
