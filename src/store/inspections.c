#include "store/inspections.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checklist.h"
#include "core/media_type.h"
#include "core/roles.h"
#include "core/scoring.h"
#include "core/sla.h"
#include "lib/arena.h"
#include "store/case_store.h"
#include "store/db.h"

struct site_row {
	int64_t id, area_id, unit_id;
	char name[256], type[40], address[600];
	int has_point;
	double lat, lon;
};

struct check_item {
	int64_t node_id;
	const char *code, *text, *veto;
	double points;
	const struct inspection_item_in *in; /* the submitted result; NULL: missing */
};

static int client_id_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	return n >= 8 && n <= 64 && s[n] == 0;
}

/* An earlier submission with this client id: the same inspection again (replayed), or a
 * conflict. 0 when there is none. */
static int find_replay(struct db *db, const struct inspection_in *in, struct inspection_out *out,
                       struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT i.id, i.round_id, s.code, COALESCE(i.inspector_id, 0), i.passed,"
	             " i.failed, i.na, (SELECT COUNT(*) FROM inspection_result r"
	             " WHERE r.inspection_id = i.id AND r.case_id IS NOT NULL)"
	             " FROM inspection i JOIN site s ON s.id = i.site_id WHERE i.client_id = ?",
	             DB_ARGS(db_text(in->client_id)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		if (db_col_int(st, 1) != in->round_id ||
		    strcmp(db_col_text(st, 2), in->site_code) ||
		    db_col_int(st, 3) != in->inspector_id) {
			rc = err_set(e, ERR_CONFLICT,
			             "client_id %s was already used for another inspection",
			             in->client_id);
		} else {
			*out = (struct inspection_out){.id = db_col_int(st, 0),
			                               .replayed = 1,
			                               .passed = (int)db_col_int(st, 4),
			                               .failed = (int)db_col_int(st, 5),
			                               .na = (int)db_col_int(st, 6),
			                               .cases = (int)db_col_int(st, 7)};
			rc = 1;
		}
	}
	db_done(st);
	return rc;
}

static int load_site(struct db *db, int64_t round_id, const char *code, struct site_row *s,
                     struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT s.id, COALESCE(s.area_id, 0), COALESCE(s.unit_id, 0), s.name,"
	                  " s.type, s.address, s.lat IS NOT NULL, COALESCE(s.lat, 0),"
	                  " COALESCE(s.lon, 0) FROM site s JOIN round_site rs ON rs.site_id = s.id"
	                  " WHERE rs.round_id = ? AND s.code = ?",
	                  DB_ARGS(db_int(round_id), db_text(code)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		s->id = db_col_int(st, 0);
		s->area_id = db_col_int(st, 1);
		s->unit_id = db_col_int(st, 2);
		snprintf(s->name, sizeof s->name, "%s", db_col_text(st, 3));
		snprintf(s->type, sizeof s->type, "%s", db_col_text(st, 4));
		snprintf(s->address, sizeof s->address, "%s", db_col_text(st, 5));
		s->has_point = (int)db_col_int(st, 6);
		s->lat = db_col_real(st, 7);
		s->lon = db_col_real(st, 8);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "site %s is not in this round's sample", code);
	}
	db_done(st);
	return rc;
}

/* The round's field items checked at the site's type, in the standard's order. */
static int load_checklist(struct db *db, int64_t version, const char *type, struct arena *a,
                          struct check_item **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT n.id, n.code, n.text, n.veto, n.points FROM standard_node n"
	                  " JOIN standard_item_site_type t ON t.node_id = n.id"
	                  " WHERE n.version_id = ? AND n.kind = 'item' AND n.method = 'field'"
	                  " AND t.site_type = ? ORDER BY n.code",
	                  DB_ARGS(db_int(version), db_text(type)), &st, e);
	if (rc)
		return rc;
	size_t cap = 16, m = 0;
	struct check_item *v = arena_alloc(a, cap * sizeof *v);
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (m == cap) {
			struct check_item *p = arena_alloc(a, 2 * cap * sizeof *p);
			memcpy(p, v, m * sizeof *p);
			v = p;
			cap *= 2;
		}
		v[m++] = (struct check_item){.node_id = db_col_int(st, 0),
		                             .code = arena_strdup(a, db_col_text(st, 1)),
		                             .text = arena_strdup(a, db_col_text(st, 2)),
		                             .veto = arena_strdup(a, db_col_text(st, 3)),
		                             .points = db_col_real(st, 4)};
	}
	db_done(st);
	*out = v;
	*n = m;
	return rc < 0 ? rc : 0;
}

/* The submitted results paired with the checklist (core/checklist.h): c[k].in is set. */
static int match_results(const struct inspection_in *in, struct check_item *c, size_t n,
                         struct arena *a, struct err *e)
{
	const char **list = arena_alloc(a, (n + 1) * sizeof *list);
	const char **codes = arena_alloc(a, (in->nitems + 1) * sizeof *codes);
	const char **results = arena_alloc(a, (in->nitems + 1) * sizeof *results);
	size_t *at = arena_alloc(a, (n + 1) * sizeof *at);
	for (size_t k = 0; k < n; k++)
		list[k] = c[k].code;
	for (size_t i = 0; i < in->nitems; i++) {
		codes[i] = in->items[i].code;
		results[i] = in->items[i].result;
	}
	int rc =
	    checklist_match(list, n, codes, results, in->nitems, "this site's checklist", at, e);
	for (size_t k = 0; k < n && rc == 0; k++)
		c[k].in = &in->items[at[k]];
	return rc;
}

/* The stored images named by shas, as report photos of a case. ERR_UNPROCESSABLE when one is
 * not a stored image (a document, or never uploaded). */
static int load_photos(struct db *db, const char *const *shas, size_t n, struct arena *a,
                       struct case_photo **out, struct err *e)
{
	struct case_photo *v = arena_alloc(a, (n + 1) * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		struct db_stmt *st;
		int rc = db_query(db, "SELECT mime, bytes FROM media WHERE sha256 = ?",
		                  DB_ARGS(db_text(shas[i])), &st, e);
		if (rc)
			return rc;
		enum media_kind k = MEDIA_UNKNOWN;
		size_t bytes = 0;
		if ((rc = db_step(st, e)) == DB_ROW) {
			k = media_from_mime(db_col_text(st, 0));
			bytes = (size_t)db_col_int(st, 1);
		}
		db_done(st);
		if (rc < 0)
			return rc;
		if (!media_is_image(k))
			return err_set(e, ERR_UNPROCESSABLE,
			               "photo %.64s is not a stored image: upload it first (POST "
			               "/api/v1/media)",
			               shas[i]);
		v[i] = (struct case_photo){
		    .sha256 = shas[i], .kind = k, .bytes = bytes, .role = "report"};
	}
	*out = v;
	return 0;
}

static int insert_photos(struct db *db, int64_t inspection_id, int64_t node_id,
                         const struct case_photo *p, size_t n, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = db_run(db,
		            "INSERT INTO inspection_photo (inspection_id, node_id, sha256, sort)"
		            " VALUES (?, ?, ?, ?)",
		            DB_ARGS(db_int(inspection_id), node_id ? db_int(node_id) : db_null(),
		                    db_text(p[i].sha256), db_int((int64_t)i)),
		            e);
	return rc;
}

/* A case for a failed item: filed as the inspector's report, registered, and dispatched to the
 * site's 包保 unit (left registered for the dispatcher when the site has none). */
static int open_case(struct db *db, const struct inspection_in *in, const char *round_name,
                     const struct site_row *s, const struct check_item *c,
                     const struct case_photo *photos, size_t nphotos, int64_t *case_id,
                     struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT k.id, k.register_minutes, k.handle_minutes, k.verify_minutes,"
	                  " k.urgent FROM standard_item_category sic"
	                  " JOIN category k ON k.id = sic.category_id WHERE sic.node_id = ?"
	                  " ORDER BY k.service_code LIMIT 1",
	                  DB_ARGS(db_int(c->node_id)), &st, e);
	if (rc)
		return rc;
	int64_t cat = 0;
	struct sla_limits lim = {0};
	if ((rc = db_step(st, e)) == DB_ROW) {
		cat = db_col_int(st, 0);
		lim = (struct sla_limits){(int)db_col_int(st, 1), (int)db_col_int(st, 2),
		                          (int)db_col_int(st, 3), (int)db_col_int(st, 4)};
		rc = 0;
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (!cat)
		return err_set(e, ERR_UNPROCESSABLE,
		               "item %s opens no case: it has no service code", c->code);
	char desc[2400];
	snprintf(desc, sizeof desc, "【%s】%s：%s%s%s%s", round_name, s->name, c->text,
	         *c->in->note ? "（" : "", c->in->note, *c->in->note ? "）" : "");
	struct sla_clock clock;
	sla_start(in->cal, &lim, in->now, &clock, NULL);
	struct case_report r = {.prefix = in->prefix,
	                        .now = in->now,
	                        .source = "inspection",
	                        .actor = in->actor,
	                        .roles = ROLE_INSPECTOR,
	                        .category_id = cat,
	                        .description = desc,
	                        .address = s->address,
	                        .address_id = "",
	                        .zipcode = "",
	                        .media_url = "",
	                        .email = "",
	                        .phone = "",
	                        .first_name = "",
	                        .last_name = "",
	                        .device_id = "",
	                        .account_id = "",
	                        .status_notes = "督查发现",
	                        .service_notice = "",
	                        .area_id = s->area_id,
	                        .clock = &clock};
	if (nphotos) {
		r.media_sha256 = photos[0].sha256;
		r.media_kind = photos[0].kind;
		r.media_bytes = photos[0].bytes;
		r.photos = photos + 1;
		r.nphotos = nphotos - 1;
	}
	if (s->has_point || in->has_location) {
		r.has_location = 1;
		r.lat = s->has_point ? s->lat : in->lat;
		r.lon = s->has_point ? s->lon : in->lon;
	}
	struct case_ref ref;
	rc = case_report_file(db, &r, &ref, e);
	/* the office's authority: an inspection round is the office's own finding */
	struct case_step step = {.case_id = ref.id,
	                         .action = "register",
	                         .roles = ROLE_OFFICE,
	                         .actor = "system",
	                         .note = "督查发现问题，自动立案",
	                         .now = in->now,
	                         .cal = in->cal,
	                         .limits = &lim};
	if (rc == 0)
		rc = case_step_apply(db, &step, NULL, e);
	if (rc == 0 && s->unit_id) {
		step.action = "dispatch";
		step.unit_id = s->unit_id;
		step.note = "派往点位包保单位";
		rc = case_step_apply(db, &step, NULL, e);
	}
	*case_id = ref.id;
	return rc;
}

int inspection_submit(struct db *db, const struct inspection_in *in, struct inspection_out *out,
                      struct err *e)
{
	*out = (struct inspection_out){0};
	if (!client_id_ok(in->client_id))
		return err_set(e, ERR_BAD_REQUEST,
		               "client_id: 8–64 of A–Z a–z 0–9 _ - (e.g. a UUID)");
	int rc = find_replay(db, in, out, e);
	if (rc)
		return rc < 0 ? rc : 0;
	struct db_stmt *st;
	int64_t version = 0;
	char round_name[256] = "", status[16] = "";
	if ((rc = db_query(db, "SELECT version_id, name, status FROM inspection_round WHERE id = ?",
	                   DB_ARGS(db_int(in->round_id)), &st, e)))
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		version = db_col_int(st, 0);
		snprintf(round_name, sizeof round_name, "%s", db_col_text(st, 1));
		snprintf(status, sizeof status, "%s", db_col_text(st, 2));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no round %lld", (long long)in->round_id);
	}
	db_done(st);
	if (rc)
		return rc;
	if (strcmp(status, "open") != 0)
		return err_set(e, ERR_UNPROCESSABLE, "round %lld is closed",
		               (long long)in->round_id);
	if (!in->any_inspector) {
		int64_t one = 0;
		rc = db_get_int(db,
		                "SELECT 1 FROM round_inspector WHERE round_id = ? AND user_id = ?",
		                DB_ARGS(db_int(in->round_id), db_int(in->inspector_id)), &one, e);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_FORBIDDEN, "you are not an inspector of this round");
		if (rc)
			return rc;
	}
	struct site_row site;
	if ((rc = load_site(db, in->round_id, in->site_code, &site, e)))
		return rc == ERR_NOT_FOUND ? err_set(e, ERR_UNPROCESSABLE, "%s", e->msg) : rc;
	struct arena a;
	arena_init(&a);
	struct check_item *items;
	size_t n;
	if (!(rc = load_checklist(db, version, site.type, &a, &items, &n, e)))
		rc = match_results(in, items, n, &a, e);
	if (!rc)
		rc = db_get_int(
		    db,
		    "INSERT INTO inspection (client_id, round_id, site_id, inspector_id,"
		    " inspected_at, submitted_at, lat, lon, note) VALUES (?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?) RETURNING id",
		    DB_ARGS(db_text(in->client_id), db_int(in->round_id), db_int(site.id),
		            in->inspector_id ? db_int(in->inspector_id) : db_null(),
		            db_int(in->inspected_at ? in->inspected_at : in->now), db_int(in->now),
		            in->has_location ? db_real(in->lat) : db_null(),
		            in->has_location ? db_real(in->lon) : db_null(),
		            db_text(in->note ? in->note : "")),
		    &out->id, e);
	struct case_photo *photos = NULL;
	if (!rc && !(rc = load_photos(db, in->photos, in->nphotos, &a, &photos, e)))
		rc = insert_photos(db, out->id, 0, photos, in->nphotos, e);
	struct score_sum sum = {0};
	for (size_t k = 0; k < n && !rc; k++) {
		const struct inspection_item_in *x = items[k].in;
		const char *res = x->result;
		struct score_result sr = {items[k].points, items[k].veto, res};
		score_add(&sum, &sr);
		int64_t case_id = 0;
		if ((rc = load_photos(db, x->photos, x->nphotos, &a, &photos, e)) ||
		    (rc = insert_photos(db, out->id, items[k].node_id, photos, x->nphotos, e)))
			break;
		if (!strcmp(res, "fail") && (rc = open_case(db, in, round_name, &site, &items[k],
		                                            photos, x->nphotos, &case_id, e)) == 0)
			out->cases++;
		out->passed += !strcmp(res, "pass");
		out->failed += !strcmp(res, "fail");
		out->na += !strcmp(res, "na");
		if (!rc)
			rc = db_run(
			    db,
			    "INSERT INTO inspection_result (inspection_id, node_id, result, note,"
			    " case_id) VALUES (?, ?, ?, ?, ?)",
			    DB_ARGS(db_int(out->id), db_int(items[k].node_id), db_text(res),
			            db_text(items[k].in->note),
			            case_id ? db_int(case_id) : db_null()),
			    e);
	}
	if (!rc)
		rc = db_run(db,
		            "UPDATE inspection SET passed = ?, failed = ?, na = ?, kept = ?,"
		            " applicable = ?, deduct_failed = ?, veto_failed = ? WHERE id = ?",
		            DB_ARGS(db_int(out->passed), db_int(out->failed), db_int(out->na),
		                    db_real(sum.kept), db_real(sum.applicable),
		                    db_int(sum.deduct_failed), db_int(sum.veto_failed),
		                    db_int(out->id)),
		            e);
	arena_free(&a);
	return rc;
}

/* Every photo of an inspection by item code ("" for the whole visit): {code: ["/media/…"]}. */
static int inspection_photos_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT COALESCE(n.code, ''), p.sha256, m.mime FROM inspection_photo p"
	                  " JOIN media m ON m.sha256 = p.sha256"
	                  " LEFT JOIN standard_node n ON n.id = p.node_id"
	                  " WHERE p.inspection_id = ? ORDER BY p.id",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *o = json_object();
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *code = db_col_text(st, 0);
		json_t *a = json_object_get(o, code);
		if (!a)
			json_object_set_new(o, code, a = json_array());
		char path[MEDIA_PATH_MAX];
		media_path(db_col_text(st, 1), db_col_text(st, 2), path);
		json_array_append_new(a, json_string(path));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

static json_t *last_json(struct db_stmt *st, int col)
{
	if (db_col_is_null(st, col))
		return json_null();
	json_t *c = db_col_is_null(st, col + 3)
	                ? json_null()
	                : json_pack("{s:s, s:s}", "code", db_col_text(st, col + 3), "status",
	                            db_col_text(st, col + 4));
	return json_pack("{s:I, s:s, s:s, s:I, s:o}", "inspection",
	                 (json_int_t)db_col_int(st, col + 5), "result", db_col_text(st, col),
	                 "note", db_col_text(st, col + 1), "at",
	                 (json_int_t)db_col_int(st, col + 2), "case", c);
}

int inspection_checklist_json(struct db *db, int64_t round_id, const char *site_code, json_t **out,
                              struct err *e)
{
	struct site_row s;
	int rc = load_site(db, round_id, site_code, &s, e);
	if (rc)
		return rc;
	struct db_stmt *st;
	rc = db_query(
	    db,
	    "SELECT n.id, n.code, n.text, n.points, n.veto, c.text, p.text,"
	    " l.result, l.note, l.inspected_at, k.code, k.status, l.inspection_id"
	    " FROM inspection_round r JOIN standard_node n ON n.version_id = r.version_id"
	    " JOIN standard_item_site_type t ON t.node_id = n.id AND t.site_type = ?"
	    " JOIN standard_node c ON c.id = n.parent_id JOIN standard_node p ON p.id = c.parent_id"
	    " LEFT JOIN (SELECT x.node_id, x.result, x.note, x.case_id, i.inspected_at,"
	    " i.id AS inspection_id FROM"
	    " inspection_result x JOIN inspection i ON i.id = x.inspection_id"
	    " WHERE i.site_id = ? AND i.id = (SELECT MAX(j.id) FROM inspection j"
	    " JOIN inspection_result y ON y.inspection_id = j.id"
	    " WHERE j.site_id = i.site_id AND y.node_id = x.node_id)) l ON l.node_id = n.id"
	    " LEFT JOIN cases k ON k.id = l.case_id"
	    " WHERE r.id = ? AND n.kind = 'item' AND n.method = 'field' ORDER BY n.code",
	    DB_ARGS(db_text(s.type), db_int(s.id), db_int(round_id)), &st, e);
	if (rc)
		return rc;
	json_t *items = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(
		    items, json_pack("{s:I, s:s, s:s, s:f, s:s, s:s, s:s, s:o}", "id",
		                     (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1),
		                     "text", db_col_text(st, 2), "points", db_col_real(st, 3),
		                     "veto", db_col_text(st, 4), "content", db_col_text(st, 5),
		                     "project", db_col_text(st, 6), "last", last_json(st, 7)));
	db_done(st);
	/* The last results' photos, read once the rows are: one query per inspection met. */
	json_t *by_inspection = json_object(), *none = json_array(), *item;
	size_t i;
	json_array_foreach(items, i, item)
	{
		json_t *last = json_object_get(item, "last");
		if (rc < 0 || !json_is_object(last))
			continue;
		char key[24];
		snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT,
		         json_integer_value(json_object_get(last, "inspection")));
		json_t *photos = json_object_get(by_inspection, key);
		if (!photos && (rc = inspection_photos_json(
		                    db, json_integer_value(json_object_get(last, "inspection")),
		                    &photos, e)) == 0)
			json_object_set_new(by_inspection, key, photos);
		if (rc == 0) {
			json_t *mine = json_object_get(
			    photos, json_string_value(json_object_get(item, "code")));
			json_object_set(last, "photos", mine ? mine : none);
		}
	}
	json_decref(by_inspection);
	json_decref(none);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:I, s:{s:s, s:s, s:s, s:s}, s:o}", "round", (json_int_t)round_id,
	                 "site", "code", site_code, "name", s.name, "type", s.type, "address",
	                 s.address, "items", items);
	return 0;
}

int inspection_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT i.id, i.client_id, i.round_id, s.code, s.name,"
	             " COALESCE(u.login, ''), i.inspected_at, i.submitted_at, i.note, i.passed,"
	             " i.failed, i.na FROM inspection i JOIN site s ON s.id = i.site_id"
	             " LEFT JOIN users u ON u.id = i.inspector_id WHERE i.id = ?",
	             DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *o = NULL;
	if ((rc = db_step(st, e)) == DB_ROW) {
		o = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:I}", "id",
		              (json_int_t)db_col_int(st, 0), "client_id", db_col_text(st, 1),
		              "round", (json_int_t)db_col_int(st, 2), "site", db_col_text(st, 3),
		              "site_name", db_col_text(st, 4), "inspector", db_col_text(st, 5),
		              "inspected_at", (json_int_t)db_col_int(st, 6), "submitted_at",
		              (json_int_t)db_col_int(st, 7), "note", db_col_text(st, 8), "passed",
		              (json_int_t)db_col_int(st, 9), "failed",
		              (json_int_t)db_col_int(st, 10), "na", (json_int_t)db_col_int(st, 11));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no inspection %lld", (long long)id);
	}
	db_done(st);
	json_t *photos = NULL;
	if (rc || (rc = inspection_photos_json(db, id, &photos, e))) {
		json_decref(o);
		return rc;
	}
	json_t *none = json_array();
	json_object_set(o, "photos",
	                json_object_get(photos, "") ? json_object_get(photos, "") : none);
	json_t *results = json_array();
	json_object_set_new(o, "results", results);
	rc = db_query(db,
	              "SELECT n.code, n.text, r.result, r.note, k.code, k.status"
	              " FROM inspection_result r JOIN standard_node n ON n.id = r.node_id"
	              " LEFT JOIN cases k ON k.id = r.case_id WHERE r.inspection_id = ?"
	              " ORDER BY n.code",
	              DB_ARGS(db_int(id)), &st, e);
	if (rc == 0) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			json_t *c = db_col_is_null(st, 4)
			                ? json_null()
			                : json_pack("{s:s, s:s}", "code", db_col_text(st, 4),
			                            "status", db_col_text(st, 5));
			json_t *ph = json_object_get(photos, db_col_text(st, 0));
			json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:s, s:O, s:o}",
			                                         "code", db_col_text(st, 0), "text",
			                                         db_col_text(st, 1), "result",
			                                         db_col_text(st, 2), "note",
			                                         db_col_text(st, 3), "photos",
			                                         ph ? ph : none, "case", c));
		}
		db_done(st);
	}
	json_decref(photos);
	json_decref(none);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
