#include "store/demo_generate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/roles.h"
#include "core/sla.h"
#include "core/workcal.h"
#include "store/calendar_store.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/escalate.h"
#include "store/refcache.h"
#include "store/tally.h"

/* ---- randomness: xoshiro256** seeded by splitmix64 (reproducible from the seed) */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(struct rng *g)
{
	uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static double unif(struct rng *g)
{
	return (double)(rnd(g) >> 11) * 0x1.0p-53;
}

static uint32_t below(struct rng *g, uint32_t n)
{
	return (uint32_t)(unif(g) * n);
}

static int chance(struct rng *g, double p)
{
	return unif(g) < p;
}

static double gauss(struct rng *g)
{
	double u = unif(g), v = unif(g);
	return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(g, a) ((a)[below(g, COUNT(a))])

/* ---- words */

static const char *const places[] = {
    "中山路",   "人民路",   "友好广场", "青泥洼桥", "天津街", "胜利广场", "星海广场", "西安路",
    "五四广场", "劳动公园", "港湾广场", "解放路",   "长江路", "黄河路",   "中华路",   "华北路",
    "黄浦路",   "鲁迅路",   "五一路",   "东北路",   "金马路", "学苑大街", "软件园路", "西南路",
};
static const char *const remarks[] = {
    "影响市容，请尽快处理", "已持续多日，群众反映强烈", "存在安全隐患", "早晚高峰尤为明显",
    "附近居民多次投诉",     "临近学校，请优先处理",     "雨后更加严重", "夜间情况更明显",
};
static const char *const handled_notes[] = {
    "已现场清理完毕，附处置后照片",
    "已责令整改到位",
    "已修复，恢复正常",
    "已联系产权单位处理完毕",
};
static const char *const reject_notes[] = {"经核实不属于受理范围", "重复上报，已合并处理",
                                           "现场核查未发现所述问题"};
static const char *const fail_notes[] = {"现场复核仍有残留，请返工", "整改不彻底，请重新处置"};
static const char *const return_notes[] = {"非本单位职责，请改派", "属地不符，退回重派"};
static const char *const rating_comments[3][3] = {
    {"处理及时，很满意", "效率很高，点赞", ""},
    {"处理了，但用时较长", "基本解决", ""},
    {"问题仍未彻底解决", "处理太慢", "希望加强管理"},
};
static const char *const rating_names[3] = {"satisfied", "basically", "unsatisfied"};

/* Reports per local hour (Asia/Shanghai): inspectors' rounds in office hours, citizens'
 * reports into the evening, little at night. */
static const double hour_weight[24] = {1.0, 0.5, 0.3, 0.3, 0.3, 0.6, 1.5, 3.0, 6.0, 8.0, 8.0, 7.0,
                                       5.0, 5.0, 7.0, 7.5, 7.0, 6.0, 4.5, 3.5, 3.0, 2.5, 2.0, 1.5};

/* ---- the world */

struct gen_cat {
	int64_t id, unit_id;
	char name[128];
	int part;
	struct sla_limits lim;
	double weight;
};

struct gen_area {
	int64_t id, parent_id, unit_id;
	int grid;
	double min_lat, min_lon, max_lat, max_lon;
};

struct world {
	struct gen_cat *cats;
	size_t ncats;
	double cat_total;
	struct gen_area *areas; /* sorted by id */
	size_t nareas;
	size_t *grids; /* indexes of grid (or finest) areas to place points in */
	size_t ngrids;
	struct workcal *cal;
	struct refcache *rc;
	struct refdata *ref;
};

static void world_free(struct world *w)
{
	free(w->cats);
	free(w->areas);
	free(w->grids);
	workcal_free(w->cal);
	if (w->ref)
		refdata_release(w->ref);
	if (w->rc)
		refcache_free(w->rc);
}

static int oom(struct err *e)
{
	return err_set(e, ERR_INTERNAL, "out of memory");
}

static int load_world(struct db *db, struct rng *g, struct world *w, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, COALESCE(default_unit_id, 0), name, kind, register_minutes,"
	                  " handle_minutes, verify_minutes, urgent FROM category WHERE active = 1"
	                  " ORDER BY id",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (w->ncats == cap) {
			size_t ncap = cap ? cap * 2 : 128;
			struct gen_cat *nc = realloc(w->cats, ncap * sizeof *nc);
			if (!nc) {
				rc = oom(e);
				break;
			}
			w->cats = nc;
			cap = ncap;
		}
		struct gen_cat *c = &w->cats[w->ncats++];
		c->id = db_col_int(st, 0);
		c->unit_id = db_col_int(st, 1);
		snprintf(c->name, sizeof c->name, "%s", db_col_text(st, 2));
		c->part = strcmp(db_col_text(st, 3), "part") == 0;
		c->lim = (struct sla_limits){(int)db_col_int(st, 4), (int)db_col_int(st, 5),
		                             (int)db_col_int(st, 6), (int)db_col_int(st, 7)};
		/* A few categories (litter, parking, street vending) make most of the cases. */
		double u = unif(g);
		c->weight = 0.2 + 4.0 * u * u * u;
		w->cat_total += c->weight;
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (w->ncats == 0)
		return err_set(
		    e, ERR_BAD_REQUEST,
		    "no active categories: run `wenming init --demo` on the database first");

	rc = db_query(db,
	              "SELECT id, COALESCE(parent_id, 0), COALESCE(unit_id, 0), kind, min_lat,"
	              " min_lon, max_lat, max_lon FROM area ORDER BY id",
	              NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (w->nareas == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct gen_area *na = realloc(w->areas, ncap * sizeof *na);
			if (!na) {
				rc = oom(e);
				break;
			}
			w->areas = na;
			cap = ncap;
		}
		struct gen_area *a = &w->areas[w->nareas++];
		a->id = db_col_int(st, 0);
		a->parent_id = db_col_int(st, 1);
		a->unit_id = db_col_int(st, 2);
		a->grid = strcmp(db_col_text(st, 3), "grid") == 0;
		a->min_lat = db_col_real(st, 4);
		a->min_lon = db_col_real(st, 5);
		a->max_lat = db_col_real(st, 6);
		a->max_lon = db_col_real(st, 7);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (w->nareas == 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "no areas: run `wenming init --demo` on the database first");
	/* Points go into the grids (the dense centre) when there are any, else any area. */
	w->grids = malloc(w->nareas * sizeof *w->grids);
	if (!w->grids)
		return oom(e);
	for (size_t i = 0; i < w->nareas; i++)
		if (w->areas[i].grid)
			w->grids[w->ngrids++] = i;
	for (size_t i = 0; i < w->nareas; i++)
		if (!w->areas[i].grid)
			w->grids[w->ngrids++] = i;

	if ((rc = calendar_load(db, &w->cal, e)) < 0)
		return rc;
	if (refcache_new(&w->rc) < 0)
		return oom(e);
	return refcache_get(w->rc, db, &w->ref, e);
}

static const struct gen_area *area_by_id(const struct world *w, int64_t id)
{
	size_t lo = 0, hi = w->nareas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->areas[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nareas && w->areas[lo].id == id ? &w->areas[lo] : NULL;
}

/* The unit of the area or of its nearest ancestor that has one; 0 when none. */
static int64_t area_unit(const struct world *w, int64_t id)
{
	for (int depth = 0; id && depth < 8; depth++) {
		const struct gen_area *a = area_by_id(w, id);
		if (!a)
			return 0;
		if (a->unit_id)
			return a->unit_id;
		id = a->parent_id;
	}
	return 0;
}

static const struct gen_cat *pick_cat(struct rng *g, const struct world *w)
{
	double x = unif(g) * w->cat_total;
	for (size_t i = 0; i < w->ncats; i++)
		if ((x -= w->cats[i].weight) < 0)
			return &w->cats[i];
	return &w->cats[w->ncats - 1];
}

/* A point inside some area (70% in the grids when there are any); *area_id the finest area
 * holding it (the server's own lookup). */
static void place(struct rng *g, const struct world *w, double *lat, double *lon, int64_t *area_id)
{
	size_t ngrid = 0;
	while (ngrid < w->ngrids && w->areas[w->grids[ngrid]].grid)
		ngrid++;
	for (int tries = 0; tries < 8; tries++) {
		size_t k = ngrid && chance(g, 0.7) ? w->grids[below(g, (uint32_t)ngrid)]
		                                   : w->grids[below(g, (uint32_t)w->ngrids)];
		const struct gen_area *a = &w->areas[k];
		*lat = round((a->min_lat + unif(g) * (a->max_lat - a->min_lat)) * 1e6) / 1e6;
		*lon = round((a->min_lon + unif(g) * (a->max_lon - a->min_lon)) * 1e6) / 1e6;
		if ((*area_id = refdata_area_at(w->ref, *lat, *lon)) != 0)
			return;
	}
}

/* ---- arrival times */

static void local_date(int64_t t, int *y, int *m, int *d, int *hour)
{
	time_t lt = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&lt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
	if (hour)
		*hour = tm.tm_hour;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* ---- one case's life */

struct life {
	struct db *db;
	struct rng *g;
	const struct world *w;
	const struct gen_cat *cat;
	int64_t case_id, now, t;
	struct sla_clock clock; /* mirrors the store's, to time the moves against deadlines */
	char status[16];
	int late, steps;
	struct demo_gen_stats *st;
};

/* When the next move comes: a share of the running stage's time (lognormal, median `median`,
 * past the deadline now and then), at least a few minutes. */
static int64_t next_time(struct life *L, double median)
{
	int64_t span =
	    L->clock.due_at > L->clock.started_at ? L->clock.due_at - L->clock.started_at : 3600;
	double f = median * exp(0.6 * gauss(L->g));
	int64_t t = L->t + 120 + (int64_t)(f * (double)span);
	return t;
}

/* Makes the move at time t, unless t is still to come: 1 done, 0 too early (the case stays
 * where it is), <0 error. */
static int move(struct life *L, int64_t t, const char *action, unsigned roles, const char *note,
                int64_t unit_id, int64_t extension, struct err *e)
{
	if (t > L->now)
		return 0;
	int was_late = L->clock.due_at && t > L->clock.due_at;
	struct case_step s = {
	    .case_id = L->case_id,
	    .action = action,
	    .roles = roles,
	    .actor = "system:demo",
	    .note = note,
	    .unit_id = unit_id,
	    .now = t,
	    .cal = L->w->cal,
	    .limits = &L->cat->lim,
	    .extension_minutes = extension,
	};
	struct case_step_result r;
	int rc = case_step_apply(L->db, &s, &r, e);
	if (rc < 0)
		return rc;
	if (was_late && strcmp(action, "accept") && strcmp(action, "extend_request"))
		L->late = 1;
	sla_after(L->w->cal, &L->cat->lim, action, r.to, t, extension, &L->clock, NULL);
	snprintf(L->status, sizeof L->status, "%s", r.to);
	L->t = t;
	L->st->events++;
	return 1;
}

enum target {
	T_CLOSED,
	T_REJECTED,
	T_REPORTED,
	T_REGISTERED,
	T_DISPATCHED,
	T_HANDLING,
	T_HANDLED,
	T_DEFERRED
};

/* Walks the case from `reported` toward its target; stops early when the next move would be
 * after now. */
static int walk(struct life *L, enum target tg, int64_t unit_id, struct err *e)
{
	struct rng *g = L->g;
	int rc;
#define STEP(expr)                                                                                 \
	do {                                                                                       \
		if ((rc = (expr)) <= 0)                                                            \
			return rc;                                                                 \
	} while (0)
	if (tg == T_REPORTED)
		return 0;
	if (tg == T_REJECTED) {
		STEP(move(L, next_time(L, 0.3), "reject", ROLE_DISPATCHER, PICK(g, reject_notes), 0,
		          0, e));
		return 0;
	}
	STEP(move(L, next_time(L, 0.3), "register", ROLE_DISPATCHER, "", 0, 0, e));
	if (tg == T_REGISTERED)
		return 0;
	STEP(move(L, next_time(L, 0.15), "dispatch", ROLE_DISPATCHER, "", unit_id, 0, e));
	if (chance(g, 0.02)) { /* 退回 and sent again, to the category's unit or the district's */
		L->st->returned++;
		STEP(move(L, next_time(L, 0.05), "return", ROLE_HANDLER, PICK(g, return_notes), 0,
		          0, e));
		int64_t other =
		    L->cat->unit_id && L->cat->unit_id != unit_id ? L->cat->unit_id : unit_id;
		STEP(move(L, next_time(L, 0.15), "dispatch", ROLE_DISPATCHER, "", other, 0, e));
	}
	if (tg == T_DISPATCHED)
		return 0;
	STEP(move(L, next_time(L, 0.04), "accept", ROLE_HANDLER, "", 0, 0, e));
	if (tg == T_DEFERRED) {
		STEP(move(L, next_time(L, 0.2), "defer", ROLE_DISPATCHER, "需协调多部门，暂缓办理",
		          0, 0, e));
		return 0;
	}
	if (chance(g, 0.03)) { /* 延期: asked for, mostly granted */
		L->st->extended++;
		int64_t ext =
		    L->cat->lim.handle_minutes / 2 > 60 ? L->cat->lim.handle_minutes / 2 : 60;
		STEP(move(L, next_time(L, 0.3), "extend_request", ROLE_HANDLER,
		          "工程量大，申请延期", 0, ext, e));
		STEP(move(L, L->t + 1800 + below(g, 86400),
		          chance(g, 0.8) ? "extend_approve" : "extend_deny", ROLE_DISPATCHER, "", 0,
		          0, e));
	} else if (chance(g, 0.01)) { /* 缓办, resumed later */
		STEP(move(L, next_time(L, 0.2), "defer", ROLE_DISPATCHER, "需协调多部门，暂缓办理",
		          0, 0, e));
		STEP(move(L, L->t + 86400 * (1 + (int64_t)below(g, 20)), "resume", ROLE_DISPATCHER,
		          "", 0, 0, e));
	}
	if (tg == T_HANDLING)
		return 0;
	int fails = chance(g, 0.08) ? (chance(g, 0.15) ? 2 : 1) : 0;
	for (int round = 0;; round++) {
		STEP(move(L, next_time(L, 0.45), "handle", ROLE_HANDLER, PICK(g, handled_notes), 0,
		          0, e));
		if (tg == T_HANDLED && round == fails)
			return 0;
		if (round < fails) {
			if (round == 0)
				L->st->reworked++;
			STEP(move(L, next_time(L, 0.35), "verify_fail", ROLE_INSPECTOR,
			          PICK(g, fail_notes), 0, 0, e));
			continue;
		}
		STEP(move(L, next_time(L, 0.35), "verify_pass", ROLE_INSPECTOR, "", 0, 0, e));
		return 0;
	}
#undef STEP
}

/* The intended end of a case reported `age_days` ago: most are closed, a few rejected, and
 * the younger a case the likelier it is still open (old open ones are the backlog). */
static enum target pick_target(struct rng *g, double age_days)
{
	double p_open = 0.85 * exp(-age_days / 35.0) + 0.02;
	if (unif(g) < p_open) {
		double x = unif(g);
		return x < 0.15   ? T_REPORTED
		       : x < 0.25 ? T_REGISTERED
		       : x < 0.45 ? T_DISPATCHED
		       : x < 0.82 ? T_HANDLING
		       : x < 0.95 ? T_HANDLED
		                  : T_DEFERRED;
	}
	return chance(g, 0.055) ? T_REJECTED : T_CLOSED;
}

static const char *const status_names[8] = {"reported", "registered", "dispatched", "handling",
                                            "handled",  "deferred",   "closed",     "rejected"};

static int one_case(struct db *db, struct rng *g, const struct world *w, int64_t at, int64_t now,
                    struct demo_gen_stats *st, struct err *e)
{
	const struct gen_cat *cat = pick_cat(g, w);
	double lat = 0, lon = 0;
	int64_t area_id = 0;
	place(g, w, &lat, &lon, &area_id);
	const char *place_name = PICK(g, places);
	const char *remark = PICK(g, remarks);
	char desc[512], addr[128];
	if (cat->part)
		snprintf(desc, sizeof desc, "%s附近的%s损坏或缺失，%s。", place_name, cat->name,
		         remark);
	else
		snprintf(desc, sizeof desc, "%s附近发现%s现象，%s。", place_name, cat->name,
		         remark);
	snprintf(addr, sizeof addr, "大连市%s%u号附近", place_name, 1 + below(g, 300));
	unsigned r = below(g, 100);
	const char *source = r < 35   ? "open311"
	                     : r < 50 ? "portal"
	                     : r < 85 ? "inspector"
	                     : r < 90 ? "inspection"
	                              : "hotline";
	int staff = !strcmp(source, "inspector") || !strcmp(source, "inspection");
	char phone[16] = "";
	if (!strcmp(source, "hotline"))
		snprintf(phone, sizeof phone, "13%09u", below(g, 1000000000u));

	struct life L = {.db = db, .g = g, .w = w, .cat = cat, .now = now, .t = at, .st = st};
	sla_start(w->cal, &cat->lim, at, &L.clock, NULL);
	struct case_report rep = {
	    .prefix = "DL",
	    .now = at,
	    .source = source,
	    .actor = staff ? "system:demo" : "citizen",
	    .roles = staff ? ROLE_INSPECTOR : ROLE_PUBLIC,
	    .category_id = cat->id,
	    .description = desc,
	    .address = addr,
	    .address_id = "",
	    .zipcode = "",
	    .has_location = 1,
	    .lat = lat,
	    .lon = lon,
	    .area_id = area_id,
	    .media_url = "",
	    .email = "",
	    .phone = phone,
	    .first_name = "",
	    .last_name = "",
	    .device_id = "",
	    .account_id = "",
	    .status_notes = "已受理，等待立案",
	    .service_notice = "",
	    .clock = &L.clock,
	};
	struct case_ref ref;
	int rc = case_report_file(db, &rep, &ref, e);
	if (rc < 0)
		return rc;
	st->events++;
	L.case_id = ref.id;
	snprintf(L.status, sizeof L.status, "reported");

	/* The responsible unit: the category's own unit, or the district's (属地) one. */
	int64_t district = area_unit(w, area_id);
	int64_t unit = cat->unit_id && (!district || chance(g, 0.5)) ? cat->unit_id : district;
	if (!unit)
		unit = cat->unit_id;
	enum target tg = pick_target(g, (double)(now - at) / 86400.0);
	if (!unit && tg != T_REJECTED && tg != T_REPORTED)
		tg = T_REGISTERED; /* nobody to send it to: waits for the dispatcher */
	if ((rc = walk(&L, tg, unit, e)) < 0)
		return rc;

	st->cases++;
	for (int i = 0; i < 8; i++)
		if (!strcmp(L.status, status_names[i]))
			st->by_status[i]++;
	if (L.late)
		st->late++;
	if (!strcmp(L.status, "closed")) {
		st->closed++;
		/* Citizens rate a share of their closed cases; a late or reworked case less well.
		 */
		if (!staff && chance(g, 0.4)) {
			double x = unif(g) + (L.late ? 0.25 : 0);
			int k = x < 0.72 ? 0 : x < 0.92 ? 1 : 2;
			int64_t rat = L.t + 600 + below(g, 3 * 86400);
			if (rat <= now) {
				rc = db_run(db,
				            "INSERT INTO case_rating (case_id, rating, comment, at)"
				            " VALUES (?, ?, ?, ?)",
				            DB_ARGS(db_int(ref.id), db_text(rating_names[k]),
				                    db_text(rating_comments[k][below(g, 3)]),
				                    db_int(rat)),
				            e);
				if (rc < 0)
					return rc;
				st->rated++;
			}
		}
	} else if (!strcmp(L.status, "rejected")) {
		st->rejected++;
	} else {
		st->open++;
		if (L.clock.due_at && L.clock.due_at < now)
			st->overdue++;
	}
	return 0;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int demo_generate(struct db *db, const struct demo_gen_opts *o, struct demo_gen_stats *st,
                  struct err *e)
{
	memset(st, 0, sizeof *st);
	int64_t existing = 0;
	int rc = case_count(db, &existing, e);
	if (rc < 0)
		return rc;
	if (existing > DEMO_GEN_MAX_EXISTING && !o->force)
		return err_set(e, ERR_CONFLICT,
		               "the database already holds %lld cases (more than the demo's %d):"
		               " refusing to add generated ones without --force",
		               (long long)existing, DEMO_GEN_MAX_EXISTING);
	if (o->cases <= 0)
		return 0;
	int days = o->days > 0 ? o->days : 365;
	long batch = o->batch > 0 ? o->batch : 5000;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	struct rng g;
	uint64_t sm = o->seed;
	for (int i = 0; i < 4; i++)
		g.s[i] = splitmix64(&sm);
	struct world w = {0};
	if ((rc = load_world(db, &g, &w, e)) < 0) {
		world_free(&w);
		return rc;
	}
	/* Bulk loading on SQLite: a bigger page cache for the random-key indexes (codes,
	 * tokens), no foreign key checks (every id comes from the tables just read) and no
	 * fsync per batch (a crash midway leaves a database to throw away, never a server's
	 * data: this connection is the generator's own). */
	if (!strcmp(db_dialect(db), "sqlite") &&
	    (rc = db_exec_script(db,
	                         "PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF;"
	                         " PRAGMA synchronous = OFF",
	                         e)) < 0) {
		world_free(&w);
		return rc;
	}

	/* Days, oldest first: the last one is today (up to now). Weight: workdays (from the
	 * calendar: holidays and 调休 count) above rest days, a summer peak, slow growth. */
	int64_t now = o->now;
	int64_t today = (now + 8 * 3600) / 86400 * 86400 - 8 * 3600; /* local midnight */
	int now_hour = (int)((now - today) / 3600);
	double *dw = malloc((size_t)days * sizeof *dw), total = 0;
	int64_t *times = NULL;
	size_t cap_times = 0;
	if (!dw) {
		world_free(&w);
		return oom(e);
	}
	for (int d = 0; d < days; d++) {
		int64_t mid = today - (int64_t)(days - 1 - d) * 86400;
		int y, m, dd, h;
		local_date(mid + 12 * 3600, &y, &m, &dd, &h);
		double wt = workcal_is_workday(w.cal, y, m, dd) ? 1.05 : 0.7;
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd};
		time_t tt = timegm(&tm);
		struct tm t2;
		gmtime_r(&tt, &t2);
		wt *= 1.0 + 0.2 * sin(2 * M_PI * (t2.tm_yday - 105) / 365.0);
		wt *= 0.9 + 0.2 * (double)d / days;
		double hw = 0;
		for (int hh = 0; hh < 24; hh++)
			if (d < days - 1 || hh <= now_hour)
				hw += hour_weight[hh];
		dw[d] = wt * hw;
		total += dw[d];
	}
	double carry = 0;
	long done = 0;
	int in_tx = 0;
	for (int d = 0; d < days && rc == 0; d++) {
		double want = (double)o->cases * dw[d] / total + carry;
		long n = d == days - 1 ? o->cases - done : (long)want;
		if (n > o->cases - done)
			n = o->cases - done;
		carry = want - (double)n;
		if (n <= 0)
			continue;
		int64_t day0 = today - (int64_t)(days - 1 - d) * 86400;
		int maxh = d == days - 1 ? now_hour : 23;
		double hw = 0;
		for (int hh = 0; hh <= maxh; hh++)
			hw += hour_weight[hh];
		if ((size_t)n > cap_times) {
			int64_t *nt = realloc(times, (size_t)n * sizeof *nt);
			if (!nt) {
				rc = oom(e);
				break;
			}
			times = nt;
			cap_times = (size_t)n;
		}
		for (long i = 0; i < n; i++) {
			double x = unif(&g) * hw;
			int hh = 0;
			while (hh < maxh && (x -= hour_weight[hh]) >= 0)
				hh++;
			int64_t t = day0 + hh * 3600 + (int64_t)below(&g, 3600);
			times[i] = t > now ? now - (int64_t)below(&g, 600) : t;
		}
		qsort(times, (size_t)n, sizeof *times, cmp_i64);
		for (long i = 0; i < n && rc == 0; i++, done++) {
			if (!in_tx) {
				if ((rc = db_begin_write(db, e)) < 0)
					break;
				in_tx = 1;
			}
			rc = one_case(db, &g, &w, times[i], now, st, e);
			if (rc == 0 && (done % batch == batch - 1 || done == o->cases - 1)) {
				in_tx = 0;
				rc = db_commit(db, e);
			}
			if (rc == 0 && o->progress &&
			    ((done + 1) % 100000 == 0 || done == o->cases - 1)) {
				double s = since(&t0);
				fprintf(o->progress,
				        "demo generate: %ld/%ld cases, %.1f s, %.0f cases/s\n",
				        done + 1, o->cases, s, (double)(done + 1) / s);
			}
		}
	}
	if (in_tx)
		db_rollback(db);
	free(times);
	free(dw);
	world_free(&w);
	st->seconds = since(&t0);
	if (rc == 0 && !o->no_escalate) {
		struct timespec t1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		struct escalate_stats es = {0};
		rc = escalate_pass(db, now, &es, e);
		st->escalated_yellow = (long)es.yellow;
		st->escalated_red = (long)es.red;
		st->escalate_seconds = since(&t1);
		if (o->progress && rc == 0)
			fprintf(o->progress,
			        "demo generate: escalation pass: %lld open scanned, %lld yellow, "
			        "%lld red,"
			        " %.1f s\n",
			        (long long)es.scanned, (long long)es.yellow, (long long)es.red,
			        st->escalate_seconds);
	}
	if (rc == 0) {
		/* the triggers left a delta per counted fact: sum them now, so the figures of a
		 * fresh benchmark database read folded tallies as a running server's would */
		struct timespec t2;
		clock_gettime(CLOCK_MONOTONIC, &t2);
		int64_t folded = 0;
		rc = tally_fold(db, 0, &folded, e);
		st->folded = (long)folded;
		st->fold_seconds = since(&t2);
		if (o->progress && rc == 0)
			fprintf(o->progress, "demo generate: %lld tally deltas folded, %.1f s\n",
			        (long long)folded, st->fold_seconds);
	}
	return rc;
}
