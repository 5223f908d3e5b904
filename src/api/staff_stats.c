/* GET /api/v1/stats, …/ranking, …/trend, …/hotspots. The store counts (store/stats.c), core
 * turns counts into rates and scores (core/figures.c); here the period is checked, rows out of
 * the caller's reach are dropped, and the answer is shaped as JSON or CSV. */
#include "api/staff_stats.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api_common.h"
#include "api/reach.h"
#include "app.h"
#include "core/figures.h"
#include "lib/buf.h"
#include "store/org_io.h"
#include "store/refcache.h"
#include "store/stats.h"

static const char *const GROUPS[] = {"unit", "district", "category", "source", NULL};
static const char *const FORMATS[] = {"json", "csv", NULL};

#define PERIOD_PARAMS                                                                              \
	{.name = "from",                                                                           \
	 .type = PT_DATETIME,                                                                      \
	 .flags = PF_REQUIRED,                                                                     \
	 .description = "start of the period (inclusive)"},                                        \
	{                                                                                          \
		.name = "to", .type = PT_DATETIME, .flags = PF_REQUIRED,                           \
		.description = "end of the period (exclusive)"                                     \
	}

const struct param_spec stats_params[] = {
    PERIOD_PARAMS,
    {.name = "group", .type = PT_ENUM, .values = GROUPS},
    {.name = "format", .type = PT_ENUM, .values = FORMATS},
    {.name = NULL},
};
const struct param_spec stats_ranking_params[] = {
    PERIOD_PARAMS,
    {.name = "top", .type = PT_INT, .min = 1, .max = 50, .description = "N of each list"},
    {.name = NULL},
};
const struct param_spec stats_trend_params[] = {
    PERIOD_PARAMS,
    {.name = "group", .type = PT_ENUM, .values = GROUPS},
    {.name = "format", .type = PT_ENUM, .values = FORMATS},
    {.name = NULL},
};
const struct param_spec stats_hotspots_params[] = {
    PERIOD_PARAMS,
    {.name = "limit", .type = PT_INT, .min = 1, .max = 100},
    {.name = NULL},
};

/* A year and a day at most: the figures are read per month, quarter or year, and a longer
 * span would only load the database. */
enum { PERIOD_MAX = 367 * 86400 };

struct ctx {
	struct db *db;
	struct refdata *d;
	int64_t root, from, to;
	enum stats_group group;
};

static int begin(struct http_req *r, struct ctx *x, struct err *e)
{
	int rc = api_db(r, &x->db, e);
	if (rc < 0 || (rc = api_refdata(r, x->db, &x->d, e)) < 0)
		return rc;
	x->root = reach_root(&r->who, x->d);
	x->from = req_param(r, "from")->ival;
	x->to = req_param(r, "to")->ival;
	if (x->to <= x->from)
		return err_set(e, ERR_BAD_REQUEST, "to must be after from");
	/* figures are kept per local day: the period widens to whole days (echoed back) */
	x->from = stats_day_floor(x->from);
	x->to = stats_day_ceil(x->to);
	if (x->to - x->from > PERIOD_MAX)
		return err_set(e, ERR_BAD_REQUEST, "the period is longer than 367 days");
	x->group = STATS_UNIT;
	if (req_str(r, "group"))
		stats_group_parse(req_str(r, "group"), &x->group);
	return 0;
}

/* A unit row is shown when its unit lies in the caller's subtree; a district row also when
 * the caller's unit lies in that district (a street sees its district's row, which its scope
 * already limits to the street's own cases). Other groups are cut by the SQL scope alone. */
static int row_in_reach(const struct ctx *x, const struct stats_row *row)
{
	if (x->root == 0 || x->group == STATS_CATEGORY || x->group == STATS_SOURCE ||
	    x->group == STATS_NONE)
		return 1;
	if (reach_contains(x->d, x->root, row->key))
		return 1;
	return x->group == STATS_DISTRICT && row->key && reach_contains(x->d, row->key, x->root);
}

static json_t *num(double v, double scale)
{
	return json_real(round(v * scale) / scale);
}

static int load_weights(struct http_req *r, struct fig_weights *w, struct err *e)
{
	const char *dir = r->app && r->app->data_dir ? r->app->data_dir : "data";
	char *path = arena_printf(r->arena, "%s/figures/weights.csv", dir);
	/* read per call, so a changed policy applies without a restart; a missing file means
	 * the documented defaults, a broken one is an error the administrator must see */
	if (access(path, F_OK) != 0) {
		figures_weights_default(w);
		return 0;
	}
	return figures_weights_load(path, w, e);
}

/* The columns of a stats row, in CSV order. */
#define COUNT_COL(f)                                                                               \
	{                                                                                          \
#f, offsetof(struct fig_counts, f)                                                 \
	}
static const struct {
	const char *name;
	size_t off;
} COUNT_COLS[] = {
    COUNT_COL(reported),        COUNT_COL(valid_reported),
    COUNT_COL(registered),      COUNT_COL(rejected),
    COUNT_COL(dispatched),      COUNT_COL(dispatched_ontime),
    COUNT_COL(handled),         COUNT_COL(due_handle),
    COUNT_COL(due_handled),     COUNT_COL(due_handled_ontime),
    COUNT_COL(reworked),        COUNT_COL(verified),
    COUNT_COL(verified_ontime), COUNT_COL(closed),
    COUNT_COL(place_closed),    COUNT_COL(deferred),
    COUNT_COL(ratings),         COUNT_COL(satisfied),
    COUNT_COL(recurred),        COUNT_COL(overdue_now),
};
#define NCOUNT (sizeof COUNT_COLS / sizeof COUNT_COLS[0])

static json_t *row_json(const struct stats_row *row, const struct fig_weights *w)
{
	json_t *o = json_object();
	json_object_set_new(o, "key", json_integer(row->key));
	json_object_set_new(o, "code", json_string(row->code));
	json_object_set_new(o, "label", json_string(row->label));
	for (size_t i = 0; i < NCOUNT; i++)
		json_object_set_new(
		    o, COUNT_COLS[i].name,
		    json_integer(*(const int64_t *)((const char *)&row->c + COUNT_COLS[i].off)));
	struct fig_rates fr;
	figures_rates(&row->c, &fr);
	for (int i = 0; i < FIG_COUNT; i++)
		json_object_set_new(o, fig_defs[i].name,
		                    fr.set[i] ? num(fr.v[i], 1e4) : json_null());
	double avg = 0, p90 = 0, *h = row->hours;
	for (size_t i = 0; i < row->nhours; i++)
		avg += h[i];
	json_object_set_new(o, "handle_hours_avg",
	                    row->nhours ? num(avg / (double)row->nhours, 100) : json_null());
	json_object_set_new(o, "handle_hours_p90",
	                    figures_percentile(h, row->nhours, 90, &p90) ? num(p90, 100)
	                                                                 : json_null());
	double score;
	json_object_set_new(o, "score",
	                    figures_composite(&fr, w, &score) ? num(score, 100) : json_null());
	return o;
}

static int wants_csv(const struct http_req *r)
{
	const char *f = req_str(r, "format");
	if (f)
		return strcmp(f, "csv") == 0;
	const char *acc = req_header(r, "Accept");
	return acc && strstr(acc, "text/csv") != NULL;
}

static const char *const STATS_CSV[] = {
    "key",
    "code",
    "label",
    "reported",
    "valid_reported",
    "registered",
    "rejected",
    "dispatched",
    "dispatched_ontime",
    "handled",
    "due_handle",
    "due_handled",
    "due_handled_ontime",
    "reworked",
    "verified",
    "verified_ontime",
    "closed",
    "place_closed",
    "deferred",
    "ratings",
    "satisfied",
    "recurred",
    "overdue_now",
    "register_rate",
    "dispatch_ontime_rate",
    "handle_rate",
    "handle_ontime_rate",
    "rework_rate",
    "verify_ontime_rate",
    "close_rate",
    "satisfaction_rate",
    "recurrence_rate",
    "handle_hours_avg",
    "handle_hours_p90",
    "score",
};

int stats_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct ctx x;
	struct fig_weights wt;
	struct stats_set s;
	int rc = begin(r, &x, e);
	if (rc < 0 || (rc = load_weights(r, &wt, e)) < 0 ||
	    (rc = stats_collect(x.db, x.group, x.root, x.from, x.to, r->now, &s, e)) < 0)
		return rc;
	json_t *rows = json_array();
	for (size_t i = 0; i < s.n; i++)
		if (row_in_reach(&x, &s.rows[i]))
			json_array_append_new(rows, row_json(&s.rows[i], &wt));
	stats_set_free(&s);
	if (wants_csv(r)) {
		api_csv_rows(r, w, rows, STATS_CSV, sizeof STATS_CSV / sizeof STATS_CSV[0],
		             "stats.csv");
		return 0;
	}
	w->json = json_pack("{s:I, s:I, s:s, s:o}", "from", (json_int_t)x.from, "to",
	                    (json_int_t)x.to, "group", GROUPS[x.group], "rows", rows);
	return 0;
}

static json_t *ranked_json(json_t *row, size_t rank)
{
	json_t *o = json_deep_copy(row);
	json_object_set_new(o, "rank", json_integer((json_int_t)rank));
	return o;
}

int stats_ranking(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct ctx x;
	struct fig_weights wt;
	struct stats_set s;
	int rc = begin(r, &x, e);
	x.group = STATS_UNIT;
	if (rc < 0 || (rc = load_weights(r, &wt, e)) < 0 ||
	    (rc = stats_collect(x.db, STATS_UNIT, x.root, x.from, x.to, r->now, &s, e)) < 0)
		return rc;
	const struct param *top = req_param(r, "top");
	size_t n = 0, red, black;
	struct fig_rank_item *items = arena_alloc(r->arena, (s.n + 1) * sizeof *items);
	json_t *byrow = json_object(); /* key → row JSON */
	for (size_t i = 0; i < s.n; i++) {
		/* cases with no unit yet are nobody's to answer for */
		if (s.rows[i].key == 0 || !row_in_reach(&x, &s.rows[i]))
			continue;
		json_t *o = row_json(&s.rows[i], &wt);
		json_t *sc = json_object_get(o, "score");
		items[n] = (struct fig_rank_item){.key = s.rows[i].key,
		                                  .has_score = json_is_real(sc),
		                                  .score = json_real_value(sc)};
		json_object_set_new(byrow, arena_printf(r->arena, "%lld", (long long)items[n].key),
		                    o);
		n++;
	}
	stats_set_free(&s);
	size_t scored = figures_rank(items, n, top ? (size_t)top->ival : 5, &red, &black);
	json_t *all = json_array(), *redl = json_array(), *blackl = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o =
		    json_object_get(byrow, arena_printf(r->arena, "%lld", (long long)items[i].key));
		json_array_append_new(all, ranked_json(o, i < scored ? i + 1 : 0));
	}
	for (size_t i = 0; i < red; i++)
		json_array_append(redl, json_array_get(all, i));
	for (size_t i = 0; i < black; i++)
		json_array_append(blackl, json_array_get(all, scored - 1 - i));
	json_decref(byrow);
	json_t *weights = json_object();
	for (int i = 0; i < FIG_COUNT; i++)
		json_object_set_new(weights, fig_defs[i].name, json_real(wt.w[i]));
	w->json = json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "from", (json_int_t)x.from, "to",
	                    (json_int_t)x.to, "top", (json_int_t)(top ? top->ival : 5), "weights",
	                    weights, "units", all, "red", redl, "black", blackl);
	return 0;
}

static const char *const TREND_CSV[] = {"date",     "key",    "code",   "label",
                                        "reported", "closed", "overdue"};

int stats_trend_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct ctx x;
	struct stats_set s;
	int rc = begin(r, &x, e);
	if (rc < 0)
		return rc;
	if (!req_str(r, "group"))
		x.group = STATS_NONE;
	if ((rc = stats_trend(x.db, x.group, x.root, x.from, x.to, &s, e)) < 0)
		return rc;
	json_t *rows = json_array();
	for (size_t i = 0; i < s.n; i++) {
		const struct stats_row *row = &s.rows[i];
		if (!row_in_reach(&x, row))
			continue;
		/* the local date of the day's midnight (UTC+8) */
		time_t t = (time_t)(row->day + 28800);
		struct tm tm;
		char date[16];
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		json_t *o = json_pack(
		    "{s:s, s:I, s:I, s:I}", "date", date, "reported", (json_int_t)row->c.reported,
		    "closed", (json_int_t)row->c.place_closed, "overdue", (json_int_t)row->late);
		if (x.group != STATS_NONE) {
			json_object_set_new(o, "key", json_integer(row->key));
			json_object_set_new(o, "code", json_string(row->code));
			json_object_set_new(o, "label", json_string(row->label));
		}
		json_array_append_new(rows, o);
	}
	stats_set_free(&s);
	if (wants_csv(r)) {
		api_csv_rows(r, w, rows, TREND_CSV, sizeof TREND_CSV / sizeof TREND_CSV[0],
		             "trend.csv");
		return 0;
	}
	w->json =
	    json_pack("{s:I, s:I, s:s?, s:o}", "from", (json_int_t)x.from, "to", (json_int_t)x.to,
	              "group", x.group == STATS_NONE ? NULL : GROUPS[x.group], "rows", rows);
	return 0;
}

int stats_hotspots_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct ctx x;
	struct stats_set s;
	int rc = begin(r, &x, e);
	const struct param *limit = req_param(r, "limit");
	if (rc < 0 ||
	    (rc = stats_hotspots(x.db, x.root, x.from, x.to, limit ? limit->ival : 10, &s, e)) < 0)
		return rc;
	json_t *rows = json_array();
	for (size_t i = 0; i < s.n; i++)
		json_array_append_new(rows, json_pack("{s:I, s:s, s:s, s:I, s:I}", "area_id",
		                                      (json_int_t)s.rows[i].key, "code",
		                                      s.rows[i].code, "name", s.rows[i].label,
		                                      "cases", (json_int_t)s.rows[i].c.reported,
		                                      "open", (json_int_t)s.rows[i].c.overdue_now));
	stats_set_free(&s);
	w->json = json_pack("{s:I, s:I, s:o}", "from", (json_int_t)x.from, "to", (json_int_t)x.to,
	                    "areas", rows);
	return 0;
}
