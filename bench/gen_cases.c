/* Fills a wenming database (made by `wenming init --demo`) with N realistic cases for the
 * benchmark: categories drawn from the category table, Dalian-area coordinates, report times
 * spread over the last 365 days in arrival order, ~30% still open, unique tracking codes
 * (DL + YYMMDD + 6 Crockford base-32 symbols + a Luhn mod 32 check symbol) and tokens, and one
 * case_event per case. Batches of 10,000 cases per transaction with prepared statements.
 *
 * Written with the project's store API (src/store/db.h, linked from build/libwenming.a) and
 * the server's own tracking codes (core/tracking.h). Bench data only: it turns synchronous and
 * foreign keys off for speed, which the server must never do. Deterministic for a given --seed
 * and --now.
 *
 *   gen_cases --db PATH [--n N] [--seed S] [--now UNIX]   add N cases (default 1,000,000)
 *   gen_cases --db PATH --sql "SELECT …"                   print the rows' first column
 * PATH may also be a postgresql:// URL: the same cases through the libpq driver. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/tracking.h"
#include "lib/err.h"
#include "store/db.h"

enum { BATCH = 10000, MAX_CATS = 4096, MAX_AREAS = 512 };

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen_cases: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static struct err err;

/* Store calls return 0 / DB_ROW / DB_DONE, or a negative code with err set. */
static int check(int rc, const char *what)
{
	if (rc < 0)
		die("%s: %s", what, err.msg);
	return rc;
}

/* ---- randomness: xoshiro256** seeded by splitmix64; fmix64 is a bijection (unique outputs) */

static uint64_t rng[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t fmix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
	uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return r;
}

static double unif(void)
{
	return (double)(rnd() >> 11) * 0x1.0p-53;
}
static uint32_t below(uint32_t n)
{
	return (uint32_t)(unif() * n);
}

static double gauss(void)
{
	double u = unif(), v = unif();
	return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

/* ---- the world: categories, areas, places and words */

struct category {
	int64_t id, unit_id; /* unit_id 0: none */
	int64_t handle_minutes;
	char name[128];
};

struct area {
	int64_t id, unit_id;
	double min_lat, min_lon, max_lat, max_lon, size;
};

static struct category cats[MAX_CATS];
static int ncats;
static struct area areas[MAX_AREAS];
static int nareas;

/* Where reports cluster: the central districts and the denser suburbs (lat, lon, weight). */
static const struct {
	double lat, lon, sd;
} hotspots[] = {
    {38.9180, 121.6390, 0.012}, /* 中山区 */
    {38.9140, 121.6020, 0.012}, /* 西岗区 */
    {38.9000, 121.5700, 0.015}, /* 沙河口区 */
    {38.9600, 121.5400, 0.030}, /* 甘井子区 */
    {38.8120, 121.2620, 0.020}, /* 旅顺口区 */
    {39.0520, 121.7150, 0.030}, /* 金州区 */
    {39.0800, 121.8200, 0.030}, /* 开发区 */
    {39.4000, 121.9700, 0.030}, /* 普兰店区 */
    {39.6300, 122.0000, 0.030}, /* 瓦房店市 */
    {39.6800, 122.9700, 0.030}, /* 庄河市 */
};

static const char *const roads[] = {
    "中山路",   "人民路",   "解放路", "五四路", "黄河路", "长江路", "西安路", "胜利路", "友好路",
    "鲁迅路",   "高尔基路", "黄浦路", "华北路", "五一路", "东北路", "疏港路", "金马路", "学苑大街",
    "星海广场", "软件园路", "西南路", "联合路", "滨海路", "中华路", "沿海街", "新华街", "拥军路",
};
static const char *const places[] = {"号门前", "号附近",     "号对面",     "号楼下", "号东侧",
                                     "号西侧", "号小区入口", "号公交站旁", "号路口"};
static const char *const details[] = {
    "已持续多日，影响居民出行。",
    "早晚高峰尤其严重，请尽快处理。",
    "存在安全隐患。",
    "多次反映未解决。",
    "夜间情况更明显。",
    "周边商户也有意见。",
    "请相关部门核实处理。",
    "拍照留存，望尽快处置。",
    "附近有学校，孩子上下学经过。",
    "雨天后更加严重。",
};
static const char *const notes_closed[] = {"已处置完毕，经核查合格。", "已清理，恢复正常。",
                                           "已责令整改到位。", "已修复。"};
static const char *const notes_rejected[] = {"经核实不属于受理范围。", "重复上报，已合并。",
                                             "现场核查未发现所述问题。"};

static void load_world(struct db *db)
{
	struct db_stmt *st;
	check(db_query(db,
	               "SELECT id, coalesce(default_unit_id, 0), handle_minutes, name FROM category"
	               " WHERE active = 1 ORDER BY id",
	               NULL, 0, &st, &err),
	      "read categories (is this a database made by `wenming init --demo`?)");
	while (check(db_step(st, &err), "read categories") == DB_ROW && ncats < MAX_CATS) {
		struct category *c = &cats[ncats++];
		c->id = db_col_int(st, 0);
		c->unit_id = db_col_int(st, 1);
		c->handle_minutes = db_col_int(st, 2);
		snprintf(c->name, sizeof c->name, "%s", db_col_text(st, 3));
	}
	db_done(st);
	if (ncats == 0)
		die("no active categories: run `wenming init --demo` on the database first");

	/* Areas: the finest one whose box holds the point becomes the case's area. */
	check(
	    db_query(db,
	             "SELECT id, coalesce(unit_id, 0), min_lat, min_lon, max_lat, max_lon FROM area"
	             " ORDER BY (max_lat - min_lat) * (max_lon - min_lon) LIMIT ?",
	             DB_ARGS(db_int(MAX_AREAS)), &st, &err),
	    "read areas");
	while (check(db_step(st, &err), "read areas") == DB_ROW) {
		struct area *a = &areas[nareas++];
		a->id = db_col_int(st, 0);
		a->unit_id = db_col_int(st, 1);
		a->min_lat = db_col_real(st, 2);
		a->min_lon = db_col_real(st, 3);
		a->max_lat = db_col_real(st, 4);
		a->max_lon = db_col_real(st, 5);
	}
	db_done(st);
}

static int64_t area_of(double lat, double lon)
{
	for (int i = 0; i < nareas; i++) {
		const struct area *a = &areas[i];
		if (lat >= a->min_lat && lat <= a->max_lat && lon >= a->min_lon &&
		    lon <= a->max_lon)
			return a->id;
	}
	return 0;
}

static void place(double *lat, double *lon)
{
	if (nareas > 0 && below(10) < 3) { /* 30%: anywhere inside some area */
		const struct area *a = &areas[below((uint32_t)nareas)];
		*lat = a->min_lat + unif() * (a->max_lat - a->min_lat);
		*lon = a->min_lon + unif() * (a->max_lon - a->min_lon);
	} else {
		/* Most reports come from the city centre: weight the first hotspots. */
		unsigned n = sizeof hotspots / sizeof hotspots[0];
		unsigned h = below(10) < 6 ? below(3) : below(n);
		*lat = hotspots[h].lat + gauss() * hotspots[h].sd;
		*lon = hotspots[h].lon + gauss() * hotspots[h].sd * 1.3;
	}
	*lat = round(*lat * 1e6) / 1e6;
	*lon = round(*lon * 1e6) / 1e6;
}

/* ---- codes */

/* 30 bits unique per (day, seq): an invertible mix of the day's sequence number. */
static uint32_t mix30(uint32_t seq, uint32_t day)
{
	const uint32_t mask = (1u << 30) - 1;
	uint32_t x = (seq + day * 0x9E3779u) & mask;
	x = (x * 0x2545F491u) & mask;
	x ^= x >> 13;
	x = (x * 0x1B873593u) & mask;
	x ^= x >> 16;
	return x;
}

/* The server's form: DL + YYMMDD (Asia/Shanghai) + 6 symbols + check symbol, with the 30
 * "random" bits made unique per day instead of drawn. */
static void tracking_code(int64_t t, uint32_t day_seq, char out[TRACKING_MAX])
{
	uint32_t day = (uint32_t)((t + 8 * 3600) / 86400);
	if (tracking_make("DL", t, mix30(day_seq, day), out) < 0)
		die("tracking_make failed");
}

/* Like the server's tokens (16 bytes, URL-safe base64, 22 characters), but the first 8 bytes
 * are a bijection of the ordinal, so they are unique without a lookup. */
static void token(uint64_t ordinal, char out[32])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t hi = fmix64(ordinal ^ 0x5DEECE66Dull), lo = rnd();
	unsigned char raw[18] = {0};
	for (int i = 0; i < 8; i++) {
		raw[i] = (unsigned char)(hi >> (56 - 8 * i));
		raw[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
	}
	int o = 0;
	for (int i = 0; i < 18; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		for (int k = 0; k < 4; k++)
			out[o++] = b64[(v >> (18 - 6 * k)) & 63];
	}
	out[22] = '\0'; /* 128 bits need 22 symbols; the rest came from zero padding */
}

/* ---- the generator */

struct status_share {
	const char *name;
	int percent;
};
static const struct status_share statuses[] = {
    {"reported", 5}, {"registered", 5}, {"dispatched", 8}, {"handling", 8},
    {"handled", 4},  {"closed", 65},    {"rejected", 5},
};

static const char *pick_status(int *version)
{
	int r = (int)below(100), acc = 0;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		acc += statuses[i].percent;
		if (r < acc) {
			*version = (int)i + 1;
			return statuses[i].name;
		}
	}
	*version = 6;
	return "closed";
}

static const char *pick_source(void)
{
	unsigned r = below(100);
	return r < 40   ? "open311"
	       : r < 60 ? "portal"
	       : r < 80 ? "inspector"
	       : r < 85 ? "inspection"
	                : "hotline";
}

static const char case_sql[] =
    "INSERT INTO cases (code, token, source, category_id, status, description, address, lat, lon,"
    " area_id, unit_id, status_notes, requested_at, updated_at, expected_at, closed_at, version,"
    " reporter_phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char event_sql[] =
    "INSERT INTO case_event (case_id, at, actor, action, from_status, to_status, note, public)"
    " VALUES (?, ?, ?, 'report', NULL, 'reported', '', 1)";

static struct db_val opt_int(int64_t v)
{
	return v ? db_int(v) : db_null();
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void generate(struct db *db, long n, int64_t now)
{
	const int64_t span = 365 * 86400LL, start = now - span;
	int64_t day = -1;
	uint32_t day_seq = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (long i = 0; i < n; i++) {
		if (i % BATCH == 0)
			check(db_begin_write(db, &err), "begin");

		/* Times in arrival order, evenly spread with jitter inside each slot. */
		int64_t at = start + (int64_t)(((double)i + unif()) * (double)span / (double)n);
		int64_t d = (at + 8 * 3600) / 86400;
		if (d != day) {
			day = d;
			day_seq = 0;
		}
		char code[TRACKING_MAX], tok[32], desc[512], addr[160];
		tracking_code(at, day_seq++, code);
		token((uint64_t)i, tok);

		const struct category *c = &cats[below((uint32_t)ncats)];
		double lat, lon;
		place(&lat, &lon);
		const char *road = PICK(roads);
		snprintf(addr, sizeof addr, "大连市%s%u%s", road, 1 + below(300), PICK(places));
		snprintf(desc, sizeof desc, "%s%s：%s", addr, c->name, PICK(details));

		int version;
		const char *status = pick_status(&version);
		const char *source = pick_source();
		int64_t expected = at + (c->handle_minutes > 0 ? c->handle_minutes : 1440) * 60;
		int64_t closed = 0, updated = at;
		const char *notes = "";
		if (!strcmp(status, "closed") || !strcmp(status, "rejected")) {
			closed = at + 3600 + (int64_t)(unif() * 2.0 * (double)(expected - at));
			if (closed > now)
				closed = now;
			updated = closed;
			notes =
			    !strcmp(status, "closed") ? PICK(notes_closed) : PICK(notes_rejected);
		} else if (version > 1) {
			int64_t upto = now - at < 3 * 86400 ? now - at : 3 * 86400;
			updated = at + (int64_t)(unif() * (double)upto);
		}
		char phone[16] = "";
		if (!strcmp(source, "hotline"))
			snprintf(phone, sizeof phone, "13%09u", below(1000000000u));

		int64_t case_id;
		check(db_get_int(
		          db, case_sql,
		          DB_ARGS(db_text(code), db_text(tok), db_text(source), db_int(c->id),
		                  db_text(status), db_text(desc), db_text(addr), db_real(lat),
		                  db_real(lon), opt_int(area_of(lat, lon)), opt_int(c->unit_id),
		                  db_text(notes), db_int(at), db_int(updated), db_int(expected),
		                  opt_int(closed), db_int(version), db_text(phone)),
		          &case_id, &err),
		      "insert case");
		check(db_run(db, event_sql,
		             DB_ARGS(db_int(case_id), db_int(at),
		                     db_text(!strcmp(source, "inspector") ? "user:1" : "citizen")),
		             &err),
		      "insert case_event");

		if (i % BATCH == BATCH - 1 || i == n - 1) {
			check(db_commit(db, &err), "commit");
			if ((i + 1) % 100000 == 0 || i == n - 1) {
				double s = since(&t0);
				fprintf(stderr, "gen_cases: %ld cases, %.1f s, %.0f cases/s\n",
				        i + 1, s, (double)(i + 1) / s);
			}
		}
	}
	double s = since(&t0);
	printf("gen_cases: inserted %ld cases + %ld case_events in %.1f s: %.0f cases/s "
	       "(%.0f rows/s)\n",
	       n, n, s, (double)n / s, 2.0 * (double)n / s);
}

static void print_rows(struct db *db, const char *sql)
{
	struct db_stmt *st;
	check(db_query(db, sql, NULL, 0, &st, &err), "query");
	while (check(db_step(st, &err), "query") == DB_ROW)
		printf("%s\n", db_col_text(st, 0));
	db_done(st);
}

static long parse_long(const char *s, long min, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min)
		die("bad %s '%s'", what, s);
	return v;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *sql = NULL;
	long n = 1000000, seed = 1;
	int64_t now = (int64_t)time(NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			puts("usage: gen_cases --db PATH [--n N] [--seed S] [--now UNIX]\n"
			     "       gen_cases --db PATH --sql \"SELECT …\"");
			return 0;
		}
		if (!v)
			die("%s needs a value (see --help)", a);
		if (!strcmp(a, "--db"))
			path = v;
		else if (!strcmp(a, "--n"))
			n = parse_long(v, 1, "--n");
		else if (!strcmp(a, "--seed"))
			seed = parse_long(v, 0, "--seed");
		else if (!strcmp(a, "--now"))
			now = parse_long(v, 365 * 86400L, "--now");
		else if (!strcmp(a, "--sql"))
			sql = v;
		else
			die("unknown option '%s' (see --help)", a);
		i++;
	}
	if (!path)
		die("--db PATH is required (see --help)");

	struct db *db;
	int pg = !strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11);
	if (!pg && access(path, F_OK) != 0) /* db_open would create an empty database */
		die("%s: %s (make it with `wenming init --demo --db %s`)", path, strerror(errno),
		    path);
	if (db_open(path, &db, &err) < 0)
		die("cannot open %s: %s", path, err.msg);
	if (sql) {
		print_rows(db, sql);
		db_close(db);
		return 0;
	}

	uint64_t s = (uint64_t)seed;
	for (int i = 0; i < 4; i++)
		rng[i] = splitmix64(&s);
	/* Bulk load: no fsync per batch, no foreign key checks (every id is valid by construction),
	 * a big page cache and few checkpoints. On PostgreSQL: no synchronous commit, for this
	 * session only (the server's sessions keep it on); foreign keys stay checked. */
	const char *bulk = pg ? "SET synchronous_commit = off;"
	                      : "PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;"
	                        " PRAGMA cache_size = -262144; PRAGMA wal_autocheckpoint = 10000;";
	check(db_exec_script(db, bulk, &err), "bulk load settings");
	load_world(db);
	fprintf(stderr, "gen_cases: %d categories, %d areas; adding %ld cases to %s\n", ncats,
	        nareas, n, path);
	generate(db, n, now);
	/* SQLite: one self-contained file to cache and copy (fold the WAL back in). PostgreSQL:
	 * fresh planner statistics for the benchmark's queries. */
	check(db_exec_script(db, pg ? "ANALYZE;" : "PRAGMA wal_checkpoint(TRUNCATE);", &err),
	      pg ? "analyze" : "checkpoint");
	db_close(db);
	return 0;
}
