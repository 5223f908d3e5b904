#include "store/case_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "core/case_fsm.h"
#include "core/geo.h"
#include "core/mask.h"
#include "core/media_type.h"
#include "core/sla.h"
#include "core/timefmt.h"
#include "lib/buf.h"
#include "store/case_search.h"
#include "store/db.h"
#include "store/media_store.h"

/* A tracking code collides about once per 10^9 reports a day; a few tries are plenty. */
enum { CODE_TRIES = 8 };

static int insert_case(struct db *db, const struct case_report *r, struct case_ref *out,
                       struct err *e)
{
	for (int attempt = 0; attempt < CODE_TRIES; attempt++) {
		if (tracking_make(r->prefix, r->now, randombytes_random() & 0x3FFFFFFFu,
		                  out->code) < 0)
			return err_set(e, ERR_INTERNAL, "bad tracking code prefix '%s'", r->prefix);
		unsigned char raw[16];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		struct db_val args[] = {
		    db_text(out->code),
		    db_text(out->token),
		    db_text(r->source),
		    db_int(r->category_id),
		    db_text(r->description),
		    db_text(r->address),
		    db_text(r->address_id),
		    db_text(r->zipcode),
		    r->has_location ? db_real(r->lat) : db_null(),
		    r->has_location ? db_real(r->lon) : db_null(),
		    r->area_id ? db_int(r->area_id) : db_null(),
		    r->media_sha256 ? db_text(r->media_sha256) : db_null(),
		    db_text(r->media_url),
		    db_text(r->status_notes),
		    db_text(r->service_notice),
		    db_int(r->now),
		    db_int(r->now),
		    db_text(r->email),
		    db_text(r->phone),
		    db_text(r->first_name),
		    db_text(r->last_name),
		    db_text(r->device_id),
		    db_text(r->account_id),
		    r->apikey_id ? db_int(r->apikey_id) : db_null(),
		    db_text(r->clock ? r->clock->stage : ""),
		    r->clock && r->clock->started_at ? db_int(r->clock->started_at) : db_null(),
		    r->clock && r->clock->due_at ? db_int(r->clock->due_at) : db_null(),
		    r->likely_duplicate_of ? db_int(r->likely_duplicate_of) : db_null(),
		    r->recurrence_of ? db_int(r->recurrence_of) : db_null(),
		};
		int rc = db_get_int(
		    db,
		    "INSERT INTO cases (code, token, source, category_id, status, description,"
		    " address, address_id, zipcode, lat, lon, area_id, media_sha256, media_url,"
		    " status_notes, service_notice, requested_at, updated_at, reporter_email,"
		    " reporter_phone, reporter_first_name, reporter_last_name, reporter_device_id,"
		    " reporter_account_id, apikey_id, stage, stage_started_at, expected_at,"
		    " likely_duplicate_of, recurrence_of)"
		    " VALUES (?, ?, ?, ?, 'reported', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
		    args, sizeof args / sizeof args[0], &out->id, e);
		if (rc != ERR_NOT_FOUND)
			return rc; /* 0, or a real error */
	}
	return err_set(e, ERR_INTERNAL, "could not allocate a unique tracking code");
}

int case_report_file(struct db *db, const struct case_report *r, struct case_ref *out,
                     struct err *e)
{
	int rc;
	struct case_move mv;
	const char *action = r->first_action && *r->first_action ? r->first_action : "report";
	const char *note = strcmp(action, "onsite") == 0 && r->onsite_note ? r->onsite_note : "";
	int frc = case_fsm_apply(CASE_NONE, action, r->roles, note, &mv);
	if (frc != CASE_FSM_OK)
		return err_set(e, case_fsm_err_code(frc), "%s", case_fsm_strerror(frc));
	const char *status = case_state_name(mv.to);
	if (r->media_sha256 &&
	    (rc = media_record(db, r->media_sha256, r->media_kind, r->media_bytes, r->now, e)) < 0)
		return rc;
	rc = insert_case(db, r, out, e);
	if (rc == 0)
		rc = case_search_add(db, out->id, r->description, r->address, e);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->nattrs; i++) {
		rc = db_run(
		    db,
		    "INSERT INTO case_attribute (case_id, code, value) VALUES (?, ?, ?)"
		    " ON CONFLICT DO NOTHING",
		    DB_ARGS(db_int(out->id), db_text(r->attrs[i].code), db_text(r->attrs[i].value)),
		    e);
		if (rc < 0)
			return rc;
	}
	if (strcmp(status, "reported") != 0 &&
	    (rc = db_run(db, "UPDATE cases SET status = ? WHERE id = ?",
	                 DB_ARGS(db_text(status), db_int(out->id)), e)) < 0)
		return rc;
	int64_t event_id;
	rc = db_get_int(
	    db,
	    "INSERT INTO case_event (case_id, at, actor, action, from_status, to_status,"
	    " note, public) VALUES (?, ?, ?, ?, NULL, ?, ?, 1) RETURNING id",
	    DB_ARGS(db_int(out->id), db_int(r->now), db_text(r->actor), db_text(action),
	            db_text(status), db_text(*note ? note : r->status_notes)),
	    &event_id, e);
	if (rc < 0)
		return rc;
	if (r->media_sha256)
		rc =
		    db_run(db,
		           "INSERT INTO case_media (case_id, sha256, role, event_id) VALUES (?, ?,"
		           " 'report', ?)",
		           DB_ARGS(db_int(out->id), db_text(r->media_sha256), db_int(event_id)), e);
	if (rc == 0 && r->nphotos)
		rc = case_photos_add(db, out->id, event_id, r->photos, r->nphotos, r->now, e);
	return rc;
}

int case_photos_json(struct db *db, int64_t case_id, const char *only_roles, json_t *c,
                     struct err *e)
{
	char sql[400];
	snprintf(sql, sizeof sql,
	         "SELECT cm.sha256, m.mime, cm.role, cm.event_id FROM case_media cm"
	         " JOIN media m ON m.sha256 = cm.sha256 WHERE cm.case_id = ?%s%s%s"
	         " ORDER BY COALESCE(cm.event_id, 0), cm.role, cm.sha256",
	         only_roles ? " AND cm.role IN (" : "", only_roles ? only_roles : "",
	         only_roles ? ")" : "");
	struct db_stmt *st;
	int rc = db_query(db, sql, DB_ARGS(db_int(case_id)), &st, e);
	if (rc < 0)
		return rc;
	json_t *a = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		char url[MEDIA_PATH_MAX];
		media_path(db_col_text(st, 0), db_col_text(st, 1), url);
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "url", url, "role",
		                                   db_col_text(st, 2), "event_id",
		                                   db_col_int(st, 3) ? json_integer(db_col_int(st, 3))
		                                                     : json_null()));
	}
	db_done(st);
	json_object_set_new(c, "photos", a);
	return rc < 0 ? rc : 0;
}

int case_photos_add(struct db *db, int64_t case_id, int64_t event_id,
                    const struct case_photo *p, size_t n, int64_t now, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = media_record(db, p[i].sha256, p[i].kind, p[i].bytes, now, e);
		if (rc == 0)
			rc = db_run(db,
			            "INSERT INTO case_media (case_id, sha256, role, event_id) VALUES (?, ?,"
			            " ?, ?) ON CONFLICT DO NOTHING",
			            DB_ARGS(db_int(case_id), db_text(p[i].sha256), db_text(p[i].role),
			                    db_int(event_id)),
			            e);
	}
	return rc;
}

int case_step_apply(struct db *db, const struct case_step *s, struct case_step_result *out,
                    struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT status, version, stage, COALESCE(stage_started_at, 0),"
	                  " COALESCE(expected_at, 0), COALESCE(paused_minutes, -1),"
	                  " extension_minutes FROM cases WHERE id = ?",
	                  DB_ARGS(db_int(s->case_id)), &st, e);
	if (rc < 0)
		return rc;
	char status[16] = "";
	int64_t version = 0;
	struct sla_clock clock = {.paused_minutes = -1};
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		snprintf(status, sizeof status, "%s", db_col_text(st, 0));
		version = db_col_int(st, 1);
		snprintf(clock.stage, sizeof clock.stage, "%s", db_col_text(st, 2));
		clock.started_at = db_col_int(st, 3);
		clock.due_at = db_col_int(st, 4);
		clock.paused_minutes = db_col_int(st, 5);
		clock.extension_minutes = db_col_int(st, 6);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return err_set(e, ERR_NOT_FOUND, "case %lld not found", (long long)s->case_id);
	if (s->expect_version && s->expect_version != version)
		return err_set(e, ERR_CONFLICT, "case changed meanwhile (now %s, version %lld)",
		               status, (long long)version);
	enum case_state from;
	if (case_state_from_name(status, &from) < 0)
		return err_set(e, ERR_INTERNAL, "case %lld has unknown status '%s'",
		               (long long)s->case_id, status);
	struct case_move mv;
	int frc = case_fsm_apply(from, s->action, s->roles, s->note, &mv);
	if (frc != CASE_FSM_OK)
		return err_set(e, case_fsm_err_code(frc), "%s", case_fsm_strerror(frc));
	const char *to = case_state_name(mv.to);
	int public = (mv.row->flags & CASE_TF_PUBLIC) != 0 ||
	             (s->public_note && !strcmp(s->action, "comment"));
	/* 督办 raises the level: to the one asked for (never down), or without one, one up. */
	int supervise = !strcmp(s->action, "supervise");
	const char *notes = public ? (*s->note ? s->note : mv.row->label) : NULL;
	int64_t ended_due = clock.due_at; /* the deadline of the stage this move ends */
	int clock_moves = s->cal && s->limits;
	if (clock_moves)
		sla_after(s->cal, s->limits, s->action, to, s->now, s->extension_minutes, &clock,
		          NULL);
	/* The version guard makes a concurrent move lose cleanly instead of overwriting. */
	int64_t updated;
	rc = db_get_int(
	    db,
	    "UPDATE cases SET status = ?, version = version + 1, updated_at = ?,"
	    " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END,"
	    " rework_count = rework_count + ?,"
	    " supervise_level = CASE WHEN ? = 0 THEN supervise_level"
	    " WHEN ? = 0 THEN supervise_level + 1"
	    " WHEN ? > supervise_level THEN ? ELSE supervise_level END,"
	    " unit_id = CASE WHEN ? > 0 THEN ? ELSE unit_id END,"
	    " status_notes = COALESCE(?, status_notes),"
	    " stage = CASE WHEN ? = 1 THEN ? ELSE stage END,"
	    " stage_started_at = CASE WHEN ? = 1 THEN ? ELSE stage_started_at END,"
	    " expected_at = CASE WHEN ? = 1 THEN ? ELSE expected_at END,"
	    " paused_minutes = CASE WHEN ? = 1 THEN ? ELSE paused_minutes END,"
	    " extension_minutes = CASE WHEN ? = 1 THEN ? ELSE extension_minutes END,"
	    " alert = CASE WHEN ? = 1 THEN 0 ELSE alert END"
	    " WHERE id = ? AND version = ? RETURNING version",
	    DB_ARGS(db_text(to), db_int(s->now), db_text(to), db_int(s->now),
	            db_int((mv.row->flags & CASE_TF_REWORK) ? 1 : 0), db_int(supervise),
	            db_int(s->supervise_level), db_int(s->supervise_level),
	            db_int(s->supervise_level), db_int(s->unit_id),
	            db_int(s->unit_id), notes ? db_text(notes) : db_null(), db_int(clock_moves),
	            db_text(clock.stage), db_int(clock_moves),
	            clock.started_at ? db_int(clock.started_at) : db_null(), db_int(clock_moves),
	            clock.due_at ? db_int(clock.due_at) : db_null(), db_int(clock_moves),
	            clock.paused_minutes >= 0 ? db_int(clock.paused_minutes) : db_null(),
	            db_int(clock_moves), db_int(clock.extension_minutes),
	            db_int(clock_moves && clock.due_at != ended_due), db_int(s->case_id),
	            db_int(version)),
	    &updated, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_CONFLICT, "case changed meanwhile");
	if (rc < 0)
		return rc;
	int64_t event_id = 0;
	rc = db_get_int(
	    db,
	    "INSERT INTO case_event (case_id, at, actor, action, from_status, to_status,"
	    " unit_id, note, public, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " RETURNING id",
	    DB_ARGS(db_int(s->case_id), db_int(s->now), db_text(s->actor), db_text(s->action),
	            db_text(status), db_text(to), s->unit_id ? db_int(s->unit_id) : db_null(),
	            db_text(s->note), db_int(public), ended_due ? db_int(ended_due) : db_null()),
	    &event_id, e);
	if (rc == 0 && out) {
		out->version = updated;
		snprintf(out->from, sizeof out->from, "%s", status);
		snprintf(out->to, sizeof out->to, "%s", to);
		out->event_id = event_id;
	}
	return rc;
}

/* Columns of the Open311 view, in the order row_json reads them. */
static const char QUERY_SELECT[] =
    "SELECT c.code, c.status, c.status_notes, cat.name, cat.service_code, c.description,"
    " COALESCE(u.name, du.name, ''), c.service_notice, c.requested_at, c.updated_at,"
    " c.expected_at, c.address, c.address_id, c.zipcode, c.lat, c.lon, c.media_sha256,"
    " COALESCE(m.mime, ''), c.media_url"
    " FROM cases c JOIN category cat ON cat.id = c.category_id"
    " LEFT JOIN unit u ON u.id = c.unit_id"
    " LEFT JOIN unit du ON du.id = cat.default_unit_id"
    " LEFT JOIN media m ON m.sha256 = c.media_sha256";

static json_t *time_json(struct db_stmt *st, int col)
{
	if (db_col_is_null(st, col))
		return json_null();
	char s[32];
	time_format_iso8601(db_col_int(st, col), TZ_SHANGHAI, s);
	return json_string(s);
}

static const char *media_ext_of(const char *mime)
{
	if (strcmp(mime, "image/png") == 0)
		return "png";
	if (strcmp(mime, "image/webp") == 0)
		return "webp";
	return "jpg";
}

/* The row's point, masked for the public: 0 when it has none. */
static int row_point(struct db_stmt *st, int masked, double *lat, double *lon)
{
	if (db_col_is_null(st, 14) || db_col_is_null(st, 15))
		return 0;
	*lat = db_col_real(st, 14);
	*lon = db_col_real(st, 15);
	if (masked)
		mask_point(*lat, *lon, lat, lon);
	return 1;
}

static json_t *row_json(struct db_stmt *st, const char *media_base, int masked)
{
	const char *status = db_col_text(st, 1);
	int closed = strcmp(status, "closed") == 0 || strcmp(status, "rejected") == 0;
	json_t *media;
	if (db_col_is_null(st, 16)) {
		const char *ext = db_col_text(st, 18);
		media = *ext ? json_string(ext) : json_null();
	} else if (masked) {
		media = json_null(); /* the report's photo may show people and doors */
	} else {
		char url[1024];
		snprintf(url, sizeof url, "%s%s.%s", media_base, db_col_text(st, 16),
		         media_ext_of(db_col_text(st, 17)));
		media = json_string(url);
	}
	json_t *o = json_object();
	json_object_set_new(o, "service_request_id", json_string(db_col_text(st, 0)));
	json_object_set_new(o, "status", json_string(closed ? "closed" : "open"));
	json_object_set_new(o, "status_notes",
	                    mask_json_when(masked, db_col_text(st, 2), mask_text));
	json_object_set_new(o, "service_name", json_string(db_col_text(st, 3)));
	json_object_set_new(o, "service_code", json_string(db_col_text(st, 4)));
	json_object_set_new(o, "description",
	                    mask_json_when(masked, db_col_text(st, 5), mask_text));
	json_object_set_new(o, "agency_responsible", json_string(db_col_text(st, 6)));
	json_object_set_new(o, "service_notice", json_string(db_col_text(st, 7)));
	json_object_set_new(o, "requested_datetime", time_json(st, 8));
	json_object_set_new(o, "updated_datetime", time_json(st, 9));
	json_object_set_new(o, "expected_datetime", time_json(st, 10));
	json_object_set_new(o, "address",
	                    mask_json_when(masked, db_col_text(st, 11), mask_address));
	json_object_set_new(o, "address_id", json_string(masked ? "" : db_col_text(st, 12)));
	json_object_set_new(o, "zipcode", json_string(db_col_text(st, 13)));
	double lat, lon;
	int located = row_point(st, masked, &lat, &lon);
	json_object_set_new(o, "lat", located ? json_real(lat) : json_null());
	json_object_set_new(o, "long", located ? json_real(lon) : json_null());
	json_object_set_new(o, "media_url", media);
	return o;
}

static void add_in_list(struct buf *sql, const char *column, size_t n)
{
	buf_printf(sql, " AND %s IN (", column);
	for (size_t i = 0; i < n; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_addc(sql, ')');
}

int case_query_json(struct db *db, const struct case_query *q, const char *media_base, json_t *out,
                    struct err *e)
{
	/* The SQL text is assembled from fixed fragments only; every value is a bound parameter. */
	struct buf sql = BUF_INIT;
	size_t cap = 8 + q->ncodes + q->nservices, n = 0;
	struct db_val *args = calloc(cap, sizeof *args);
	if (!args)
		return err_set(e, ERR_INTERNAL, "out of memory");
	buf_adds(&sql, QUERY_SELECT);
	buf_adds(&sql, " WHERE 1 = 1");
	struct geo_bbox box = {0};
	if (q->ncodes) {
		add_in_list(&sql, "c.code", q->ncodes);
		for (size_t i = 0; i < q->ncodes; i++)
			args[n++] = db_text(q->codes[i]);
	} else {
		buf_adds(&sql, " AND c.requested_at >= ? AND c.requested_at <= ?");
		args[n++] = db_int(q->start);
		args[n++] = db_int(q->end);
		if (q->open && !q->closed)
			buf_adds(&sql, " AND c.status NOT IN ('closed', 'rejected')");
		else if (q->closed && !q->open)
			buf_adds(&sql, " AND c.status IN ('closed', 'rejected')");
		if (q->nservices) {
			add_in_list(&sql, "cat.service_code", q->nservices);
			for (size_t i = 0; i < q->nservices; i++)
				args[n++] = db_text(q->services[i]);
		}
		if (q->has_geo) {
			/* a masked point lies up to half a cell's diagonal from the true one */
			double reach = q->radius_m + (q->masked ? MASK_CELL_M : 0);
			if (geo_bbox_around(q->lat, q->lon, reach, &box) < 0) {
				free(args);
				buf_free(&sql);
				return err_set(e, ERR_BAD_REQUEST, "lat/long/radius out of range");
			}
			buf_adds(&sql, " AND c.lat BETWEEN ? AND ? AND c.lon BETWEEN ? AND ?");
			args[n++] = db_real(box.min_lat);
			args[n++] = db_real(box.max_lat);
			args[n++] = db_real(box.min_lon);
			args[n++] = db_real(box.max_lon);
		}
	}
	buf_adds(&sql, " ORDER BY c.requested_at DESC, c.id DESC");
	/* A radius query filters the box's corners out in C, so it pages after filtering. */
	int page_in_sql = !(q->has_geo && !q->ncodes);
	if (page_in_sql) {
		buf_adds(&sql, " LIMIT ? OFFSET ?");
		args[n++] = db_int(q->limit);
		args[n++] = db_int(q->offset);
	}
	struct db_stmt *st;
	int rc = db_query(db, sql.data, args, n, &st, e);
	if (rc == 0) {
		int64_t skipped = 0, taken = 0;
		while ((rc = db_step(st, e)) == DB_ROW) {
			if (!page_in_sql) {
				double lat, lon;
				if (!row_point(st, q->masked, &lat, &lon) ||
				    geo_distance_m(q->lat, q->lon, lat, lon) > q->radius_m)
					continue;
				if (skipped < q->offset) {
					skipped++;
					continue;
				}
				if (taken >= q->limit)
					break;
				taken++;
			}
			json_array_append_new(out, row_json(st, media_base, q->masked));
		}
		db_done(st);
		if (rc > 0)
			rc = 0;
	}
	free(args);
	buf_free(&sql);
	return rc < 0 ? rc : 0;
}

int case_code_by_token(struct db *db, const char *token, char code[TRACKING_MAX], struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db, "SELECT code FROM cases WHERE token = ?", DB_ARGS(db_text(token)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		snprintf(code, TRACKING_MAX, "%s", db_col_text(st, 0));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "token not found");
	}
	db_done(st);
	return rc;
}

int case_count(struct db *db, int64_t *n, struct err *e)
{
	return db_get_int(db, "SELECT COUNT(*) FROM cases", NULL, 0, n, e);
}
