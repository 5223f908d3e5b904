#include "store/demo_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/roles.h"
#include "core/sla.h"
#include "core/workcal.h"
#include "store/area_store.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/db.h"

/* A fixed seed: the demo city looks the same on every machine. */
static uint64_t demo_rng = 0x9E3779B97F4A7C15ull;

static uint32_t demo_rand(void)
{
	demo_rng ^= demo_rng << 13;
	demo_rng ^= demo_rng >> 7;
	demo_rng ^= demo_rng << 17;
	return (uint32_t)(demo_rng >> 11);
}

static double demo_uniform(double lo, double hi)
{
	return lo + (hi - lo) * (demo_rand() / 4294967296.0);
}

static const char *const places[] = {
    "中山路",   "人民路",   "友好广场", "青泥洼桥", "天津街", "胜利广场", "星海广场", "西安路",
    "五四广场", "劳动公园", "港湾广场", "解放路",   "长江路", "黄河路",   "中华路",   "华北路",
};
static const char *const remarks[] = {
    "影响市容，请尽快处理", "已持续多日，群众反映强烈", "存在安全隐患",
    "早晚高峰尤为明显",     "附近居民多次投诉",         "临近学校，请优先处理",
};

struct demo_category {
	int64_t id, unit_id;
	char name[128];
	int part; /* 部件 (a facility) rather than 事件 (an event) */
	struct sla_limits lim;
};

static int load_categories(struct db *db, struct demo_category **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, COALESCE(default_unit_id, 0), name, kind, register_minutes,"
	                  " handle_minutes, verify_minutes, urgent FROM category"
	                  " WHERE active = 1 ORDER BY id",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 128;
	struct demo_category *c = malloc(cap * sizeof *c);
	*n = 0;
	if (!c) {
		db_done(st);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (*n == cap) {
			struct demo_category *nc = realloc(c, (cap *= 2) * sizeof *c);
			if (!nc) {
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			c = nc;
		}
		c[*n].id = db_col_int(st, 0);
		c[*n].unit_id = db_col_int(st, 1);
		snprintf(c[*n].name, sizeof c[*n].name, "%s", db_col_text(st, 2));
		c[*n].part = strcmp(db_col_text(st, 3), "part") == 0;
		c[*n].lim = (struct sla_limits){(int)db_col_int(st, 4), (int)db_col_int(st, 5),
		                                (int)db_col_int(st, 6), (int)db_col_int(st, 7)};
		(*n)++;
	}
	db_done(st);
	if (rc < 0 || *n == 0) {
		free(c);
		return rc < 0 ? rc
		              : err_set(e, ERR_INTERNAL, "no categories to make demo cases from");
	}
	*out = c;
	return 0;
}

/* How far along the loop a demo case gets, and the actions that take it there. */
static const char *const path[] = {"register", "dispatch", "accept", "handle", "verify_pass"};
static const unsigned path_roles[] = {ROLE_DISPATCHER, ROLE_DISPATCHER, ROLE_HANDLER, ROLE_HANDLER,
                                      ROLE_INSPECTOR};
static const char *const path_notes[] = {"", "", "", "已现场清理完毕，附处置后照片", ""};

/* Walks a case a random way along the usual path, with its deadlines on the calendar: the
 * demo city has cases in time, late and overdue, as a real one does. */
static int walk(struct db *db, const struct case_ref *ref, const struct demo_category *cat,
                const struct workcal *cal, int64_t t, int64_t now, struct err *e)
{
	int depth = (int)(demo_rand() % 6); /* 0 = still reported … 5 = closed */
	for (int i = 0; i < depth; i++) {
		t += 600 + demo_rand() % 7200;
		if (t > now)
			return 0; /* too recent to have moved further */
		struct case_step s = {
		    .case_id = ref->id,
		    .action = path[i],
		    .roles = path_roles[i],
		    .actor = "system:demo",
		    .note = path_notes[i],
		    .unit_id = strcmp(path[i], "dispatch") == 0 ? cat->unit_id : 0,
		    .now = t,
		    .cal = cal,
		    .limits = &cat->lim,
		};
		int rc = case_step_apply(db, &s, NULL, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int demo_cases_create(struct db *db, int n, int64_t now, const char *prefix, struct err *e)
{
	int64_t existing = 0;
	int rc = case_count(db, &existing, e);
	if (rc < 0 || existing > 0 || n <= 0)
		return rc;
	struct demo_category *cats = NULL;
	size_t ncats = 0;
	if ((rc = load_categories(db, &cats, &ncats, e)) < 0)
		return rc;
	struct workcal *cal = NULL;
	if ((rc = calendar_load(db, &cal, e)) < 0 || (rc = db_begin_write(db, e)) < 0) {
		workcal_free(cal);
		free(cats);
		return rc;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const struct demo_category *cat = &cats[demo_rand() % ncats];
		const char *place = places[demo_rand() % (sizeof places / sizeof places[0])];
		char desc[512], addr[128];
		const char *remark = remarks[demo_rand() % (sizeof remarks / sizeof remarks[0])];
		if (cat->part)
			snprintf(desc, sizeof desc, "%s附近的%s损坏或缺失，%s。", place, cat->name,
			         remark);
		else
			snprintf(desc, sizeof desc, "%s附近发现%s现象，%s。", place, cat->name,
			         remark);
		snprintf(addr, sizeof addr, "大连市%s%u号附近", place, 1 + demo_rand() % 300);
		/* Around the city centre, most cases in the central districts. */
		double lat = demo_uniform(38.86, 39.02), lon = demo_uniform(121.52, 121.70);
		int64_t t = now - (int64_t)(demo_rand() % (60 * 86400));
		struct case_report r = {
		    .prefix = prefix,
		    .now = t,
		    .source = i % 3 ? "open311" : "inspector",
		    .actor = i % 3 ? "citizen" : "system:demo",
		    .roles = ROLE_PUBLIC,
		    .category_id = cat->id,
		    .description = desc,
		    .address = addr,
		    .address_id = "",
		    .zipcode = "",
		    .has_location = 1,
		    .lat = lat,
		    .lon = lon,
		    .media_url = "",
		    .email = "",
		    .phone = "",
		    .first_name = "",
		    .last_name = "",
		    .device_id = "",
		    .account_id = "",
		    .status_notes = "已受理，等待立案",
		    .service_notice = "",
		};
		struct sla_clock clock;
		sla_start(cal, &cat->lim, t, &clock, NULL);
		r.clock = &clock;
		struct case_ref ref;
		if ((rc = area_locate(db, lat, lon, &r.area_id, e)) == 0 &&
		    (rc = case_report_file(db, &r, &ref, e)) == 0)
			rc = walk(db, &ref, cat, cal, t, now, e);
	}
	workcal_free(cal);
	free(cats);
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, e);
}
