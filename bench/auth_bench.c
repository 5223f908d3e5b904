/* The figures of issue 4, measured in-process through the project's own code (linked from
 * build/libwenming.a), one part after the other:
 *
 *   1. logins: password_verify of a real hash from password_hash (argon2id at the chosen
 *      cost), as many as fit in a few seconds on 1 and on 2 threads: verifies/s, ms each,
 *      and the process's peak memory (VmHWM) after each run;
 *   2. areas: an area_index of 5,000 grid cells (100 x 50 cells of ~200 m tiling a 23 x 10 km
 *      extent around Dalian), 50 streets and 7 districts over them, added as GeoJSON text;
 *      build time, then area_index_locate over 1,000,000 random points in the extent on 1 and
 *      on 2 threads;
 *   3. writes: single-case write transactions (db_begin_write, case_report_file, db_commit) on
 *      a migrated and seeded SQLite database in a temporary directory, plain, with an
 *      audit_append in the same transaction, and with a session_lookup before it as well:
 *      µs per write and the difference.
 *
 * Usage: auth_bench [--seconds S] [--points N] [--writes N] [--only logins|areas|writes]
 * The database goes to a fresh directory under $TMPDIR (default /tmp), removed at the end.
 * Exit 0 after measuring, 1 when something fails (a measurement of failing calls means
 * nothing), 2 for bad arguments. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/password.h"
#include "core/roles.h"
#include "lib/err.h"
#include "store/area_index.h"
#include "store/audit.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/session.h"
#include "store/users.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("auth_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* kB from /proc/self/status ("VmHWM", "VmRSS"). */
static long proc_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* CPU use over a timed section: this process's CPU time, and the whole machine's busy time
 * (user+nice+system+irq+softirq) and stolen time from /proc/stat, so other work competing for
 * the 2 CPUs shows in the report. */
struct cpu_snap {
	double wall, self, busy, steal;
};

static struct cpu_snap cpu_snap(void)
{
	struct cpu_snap c = {.wall = now_s()};
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	c.self = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long v[8] = {0};
	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		           &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
			memset(v, 0, sizeof v);
		fclose(f);
	}
	double hz = (double)sysconf(_SC_CLK_TCK);
	c.busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / hz;
	c.steal = (double)v[7] / hz;
	return c;
}

/* "self 198%, other 3%, steal 0%": % of one CPU over the section. */
static const char *cpu_use(struct cpu_snap a, struct cpu_snap b, char out[64])
{
	double w = b.wall - a.wall, self = b.self - a.self, other = b.busy - a.busy - self;
	snprintf(out, 64, "%.0f%% | %.0f%%", 100 * self / w, other < 0 ? 0 : 100 * other / w);
	return out;
}

static double mib(long kb)
{
	return (double)kb / 1024.0;
}

/* ---- 1. logins */

static const char *stored_hash;
static const char *const PASSWORD = "correct horse battery staple 7";
static double login_deadline;

struct login_worker {
	pthread_t t;
	long verifies, failures;
};

static void *login_work(void *arg)
{
	struct login_worker *w = arg;
	while (now_s() < login_deadline) {
		if (password_verify(stored_hash, PASSWORD) == 1)
			w->verifies++;
		else
			w->failures++;
	}
	return NULL;
}

static void bench_logins(double seconds)
{
	char hash[PASSWORD_HASH_MAX];
	struct err e = {0};
	long rss0 = proc_kb("VmRSS");
	double t0 = now_s();
	if (password_hash(PASSWORD, hash, &e) < 0)
		die("password_hash: %s", e.msg);
	double hash_ms = (now_s() - t0) * 1e3;
	stored_hash = hash;
	if (password_verify(hash, PASSWORD) != 1 || password_verify(hash, "wrong password 12") != 0)
		die("password_verify does not tell the right password from a wrong one");
	/* the cost parameters are in the encoded string: $argon2id$v=19$m=…,t=…,p=…$salt$hash */
	char params[64] = "?";
	const char *m = strstr(hash, "$m=");
	if (m) {
		const char *end = strchr(m + 1, '$');
		snprintf(params, sizeof params, "%.*s", end ? (int)(end - m - 1) : 40, m + 1);
	}
	printf("\n## 1. logins: password_verify, argon2id %s (password_hash took %.1f ms)\n\n",
	       params, hash_ms);
	printf("| threads | verifies | seconds | verifies/s | ms per verify | CPU ms per verify | "
	       "peak RSS MiB (VmHWM) | bench CPU | other work |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int nt = 1; nt <= 2; nt++) {
		struct login_worker w[2] = {0};
		struct cpu_snap c0 = cpu_snap();
		double start = c0.wall;
		login_deadline = start + seconds;
		for (int i = 0; i < nt; i++)
			if (pthread_create(&w[i].t, NULL, login_work, &w[i]) != 0)
				die("pthread_create failed");
		long n = 0, bad = 0;
		for (int i = 0; i < nt; i++) {
			pthread_join(w[i].t, NULL);
			n += w[i].verifies;
			bad += w[i].failures;
		}
		struct cpu_snap c1 = cpu_snap();
		double dt = c1.wall - start;
		char use[64];
		if (bad)
			die("%ld verifies of the right password failed", bad);
		/* ms each: wall time a thread spends per verify (the latency a login sees). */
		printf("| %d | %ld | %.2f | %.1f | %.1f | %.1f | %.1f | %s |\n", nt, n, dt, n / dt,
		       dt * 1e3 * nt / n, (c1.self - c0.self) * 1e3 / n, mib(proc_kb("VmHWM")),
		       cpu_use(c0, c1, use));
	}
	printf("\nRSS before hashing: %.1f MiB. Each verify allocates the argon2 memory (m above) "
	       "for its duration.\n",
	       mib(rss0));
}

/* ---- 2. areas */

enum { COLS = 100, ROWS = 50, STREET_COLS = 10, STREET_ROWS = 5, DISTRICTS = 7, PASSES = 5 };
/* ~200 m cells south-west of / around Dalian's centre (Zhongshan, Xigang, Shahekou). */
static const double LAT0 = 38.87, LON0 = 121.50;
static const double DLAT = 200.0 / 111320.0; /* ~0.0017966° */
static double dlon;                          /* 200 m at LAT0 */

static uint64_t mix(uint64_t z)
{
	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A deterministic value in [-1, 1) for a key. */
static double jit(uint64_t key)
{
	return (double)(mix(key) >> 11) / 4503599627370496.0 - 1.0;
}

/* Lattice of the grid on a half-cell step: (2*COLS+1) x (2*ROWS+1) points. Even/even points are
 * the cells' corners, the others the midpoints of their edges. Every point is moved by a hash
 * of its position (corners up to 15% of a cell, midpoints up to 10%), so neighbours share their
 * vertices exactly: the cells still tile the extent, but are not axis-aligned boxes. Border
 * points stay on the border. */
static void lattice(int hx, int hy, double *lat, double *lon)
{
	double fx = hx / 2.0, fy = hy / 2.0;
	int corner = hx % 2 == 0 && hy % 2 == 0;
	double amp = corner ? 0.15 : 0.10;
	if (hx > 0 && hx < 2 * COLS)
		fx += amp * jit((uint64_t)hx * 1000003u + (uint64_t)hy * 7 + 1);
	if (hy > 0 && hy < 2 * ROWS)
		fy += amp * jit((uint64_t)hx * 1000003u + (uint64_t)hy * 7 + 2);
	*lat = LAT0 + fy * DLAT;
	*lon = LON0 + fx * dlon;
}

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0)
			die("vsnprintf failed");
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap * 2 + (size_t)k + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory");
	}
}

static void put_point(struct buf *b, int hx, int hy, int first)
{
	double la, lo;
	lattice(hx, hy, &la, &lo);
	put(b, "%s[%.7f,%.7f]", first ? "" : ",", lo, la);
}

/* The polygon around lattice rectangle [x0,x1] x [y0,y1] (half-cell units), walked
 * counter-clockwise through every lattice point of its border, closed. */
static void put_rect(struct buf *b, int x0, int y0, int x1, int y1)
{
	b->n = 0;
	put(b, "{\"type\":\"Polygon\",\"coordinates\":[[");
	int first = 1;
	for (int x = x0; x < x1; x++, first = 0)
		put_point(b, x, y0, first);
	for (int y = y0; y < y1; y++)
		put_point(b, x1, y, 0);
	for (int x = x1; x > x0; x--)
		put_point(b, x, y1, 0);
	for (int y = y1; y > y0; y--)
		put_point(b, x0, y, 0);
	put_point(b, x0, y0, 0);
	put(b, "]]}");
}

struct locate_worker {
	pthread_t t;
	const struct area_index *ix;
	const double *lat, *lon;
	size_t from, to;
	long grid, street, district, none;
};

static void *locate_work(void *arg)
{
	struct locate_worker *w = arg;
	for (size_t i = w->from; i < w->to; i++) {
		int64_t id = area_index_locate(w->ix, w->lat[i], w->lon[i]);
		if (id == 0)
			w->none++;
		else if (id <= COLS * ROWS)
			w->grid++;
		else if (id <= COLS * ROWS + STREET_COLS * STREET_ROWS)
			w->street++;
		else
			w->district++;
	}
	return NULL;
}

static void bench_areas(size_t npoints)
{
	struct err e = {0};
	struct area_index *ix;
	struct buf b = {0};
	dlon = 200.0 / (111320.0 * cos(LAT0 * M_PI / 180.0));
	long hwm0 = proc_kb("VmHWM"), rss0 = proc_kb("VmRSS");

	/* The GeoJSON texts first, so the build time is the index's own (parse + buckets). */
	size_t nareas = COLS * ROWS + STREET_COLS * STREET_ROWS + DISTRICTS;
	char **text = calloc(nareas, sizeof *text);
	int *rank = calloc(nareas, sizeof *rank);
	if (!text || !rank)
		die("out of memory");
	size_t k = 0, bytes = 0;
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++, k++) {
			put_rect(&b, 2 * c, 2 * r, 2 * c + 2, 2 * r + 2);
			text[k] = strdup(b.p);
			rank[k] = area_kind_rank("grid");
		}
	/* streets: 10 x 5 blocks of 10 x 10 cells (2 x 2 km) */
	int sw = COLS / STREET_COLS, sh = ROWS / STREET_ROWS;
	for (int r = 0; r < STREET_ROWS; r++)
		for (int c = 0; c < STREET_COLS; c++, k++) {
			put_rect(&b, 2 * c * sw, 2 * r * sh, 2 * (c + 1) * sw, 2 * (r + 1) * sh);
			text[k] = strdup(b.p);
			rank[k] = area_kind_rank("street");
		}
	/* districts: 7 strips from west to east over the whole height */
	for (int d = 0; d < DISTRICTS; d++, k++) {
		int x0 = 2 * (d * COLS / DISTRICTS), x1 = 2 * ((d + 1) * COLS / DISTRICTS);
		put_rect(&b, x0, 0, x1, 2 * ROWS);
		text[k] = strdup(b.p);
		rank[k] = area_kind_rank("district");
	}
	for (size_t i = 0; i < nareas; i++) {
		if (!text[i])
			die("out of memory");
		bytes += strlen(text[i]);
	}
	free(b.p);

	double t0 = now_s();
	if (area_index_new(&ix) < 0)
		die("area_index_new failed");
	for (size_t i = 0; i < nareas; i++)
		if (area_index_add(ix, (int64_t)i + 1, rank[i], text[i], &e) < 0)
			die("area_index_add %zu: %s", i + 1, e.msg);
	double t_add = now_s() - t0;
	if (area_index_finish(ix, &e) < 0)
		die("area_index_finish: %s", e.msg);
	double t_build = now_s() - t0;
	long rss_ix = proc_kb("VmRSS");
	for (size_t i = 0; i < nareas; i++)
		free(text[i]);
	free(text);
	free(rank);
	if (area_index_count(ix) != nareas)
		die("area_index_count %zu, expected %zu", area_index_count(ix), nareas);

	/* Sanity: the centre of every cell (mean of its 4 corners) lies in that cell. */
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++) {
			double la = 0, lo = 0, a, o;
			int cx[4] = {2 * c, 2 * c + 2, 2 * c + 2, 2 * c},
			    cy[4] = {2 * r, 2 * r, 2 * r + 2, 2 * r + 2};
			for (int j = 0; j < 4; j++) {
				lattice(cx[j], cy[j], &a, &o);
				la += a / 4;
				lo += o / 4;
			}
			int64_t want = (int64_t)r * COLS + c + 1,
			        got = area_index_locate(ix, la, lo);
			if (got != want)
				die("the centre of cell %" PRId64 " was located in area %" PRId64,
				    want, got);
		}

	/* Random points, uniform over the extent, drawn before timing. */
	double *lat = malloc(npoints * sizeof *lat), *lon = malloc(npoints * sizeof *lon);
	if (!lat || !lon)
		die("out of memory");
	for (size_t i = 0; i < npoints; i++) {
		lat[i] = LAT0 + ROWS * DLAT * (jit(2 * i + 77) + 1) / 2;
		lon[i] = LON0 + COLS * dlon * (jit(2 * i + 78) + 1) / 2;
	}

	printf("\n## 2. areas: area_index_locate, %d grid cells + %d streets + %d districts\n\n",
	       COLS * ROWS, STREET_COLS * STREET_ROWS, DISTRICTS);
	printf("Extent: %.4f..%.4f N, %.4f..%.4f E (%.1f x %.1f km); cells of %.0f x %.0f m with "
	       "8 shared, jittered vertices; %zu polygons, %.1f MiB of GeoJSON.\n",
	       LAT0, LAT0 + ROWS * DLAT, LON0, LON0 + COLS * dlon, COLS * 0.2, ROWS * 0.2, 200.0,
	       200.0, nareas, (double)bytes / 1048576.0);
	printf("Build: %.1f ms (area_index_add of all %zu: %.1f ms, area_index_finish: %.1f ms); "
	       "RSS +%.1f MiB for the index (VmHWM %.1f -> %.1f MiB).\n\n",
	       t_build * 1e3, nareas, t_add * 1e3, (t_build - t_add) * 1e3, mib(rss_ix - rss0),
	       mib(hwm0), mib(proc_kb("VmHWM")));
	printf(
	    "| threads | points | best pass s | lookups/s (best) | lookups/s (mean of %d) | µs per "
	    "lookup | in a grid cell | street only | none | bench CPU | other work |\n",
	    PASSES);
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int nt = 1; nt <= 2; nt++) {
		/* PASSES passes over the same points; the fastest is reported (the others were
		 * slowed by other work on the machine, not by the index). */
		double best = 1e30, total = 0;
		char use[64] = "";
		long grid = 0, street = 0, district = 0, none = 0;
		for (int pass = 0; pass < PASSES; pass++) {
			struct locate_worker w[2];
			memset(w, 0, sizeof w);
			struct cpu_snap c0 = cpu_snap();
			for (int i = 0; i < nt; i++) {
				w[i].ix = ix;
				w[i].lat = lat;
				w[i].lon = lon;
				w[i].from = npoints * (size_t)i / (size_t)nt;
				w[i].to = npoints * (size_t)(i + 1) / (size_t)nt;
				if (pthread_create(&w[i].t, NULL, locate_work, &w[i]) != 0)
					die("pthread_create failed");
			}
			grid = street = district = none = 0;
			for (int i = 0; i < nt; i++) {
				pthread_join(w[i].t, NULL);
				grid += w[i].grid;
				street += w[i].street;
				district += w[i].district;
				none += w[i].none;
			}
			struct cpu_snap c1 = cpu_snap();
			double dt = c1.wall - c0.wall;
			total += dt;
			if (dt < best) {
				best = dt;
				cpu_use(c0, c1, use);
			}
		}
		double dt = best;
		printf("| %d | %zu | %.3f | %.0f | %.0f | %.3f | %.2f%% | %ld | %ld | %s |\n", nt,
		       npoints, dt, npoints / dt, npoints * PASSES / total, dt * 1e6 * nt / npoints,
		       100.0 * grid / npoints, street + district, none, use);
		if (grid != (long)npoints)
			die("%ld of %zu points inside the extent found no grid cell",
			    (long)npoints - grid, npoints);
	}
	free(lat);
	free(lon);
	area_index_free(ix);
}

/* ---- 3. writes */

static struct err err;

static void check(int rc, const char *what)
{
	if (rc < 0)
		die("%s: %s", what, err.msg);
}

enum { V_PLAIN, V_AUDIT, V_AUTH_AUDIT, NVAR };
static const char *const var_name[NVAR] = {
    "case_report_file",
    "+ audit_append",
    "+ audit_append + session_lookup",
};

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void bench_writes(int nwrites)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], path[600];
	snprintf(dir, sizeof dir, "%s/wm-auth-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/bench.db", dir);

	struct db *db;
	check(db_open(path, &db, &err), "db_open");
	check(migrate_apply(db, &err), "migrate_apply");
	check(seed_load(db, WM_DATA_DIR, 1, &err), "seed_load");
	int64_t cat, unit, uid, sid, now = (int64_t)time(NULL);
	check(db_get_int(db, "SELECT MIN(id) FROM category", NULL, 0, &cat, &err), "category");
	check(db_get_int(db, "SELECT MIN(id) FROM unit", NULL, 0, &unit, &err), "unit");
	char hash[PASSWORD_HASH_MAX], token[SESSION_TOKEN_LEN], csrf[SESSION_TOKEN_LEN];
	check(password_hash(PASSWORD, hash, &err), "password_hash");
	check(db_begin_write(db, &err), "begin");
	check(user_create(db, "bench", "Bench", unit, ROLE_INSPECTOR, hash, now, &uid, &err),
	      "user_create");
	check(session_create(db, uid, "127.0.0.1", "auth_bench", now, 0, token, csrf, &sid, &err),
	      "session_create");
	check(db_commit(db, &err), "commit");

	/* Rounds of 250 writes per variant, the order rotating each round, so drift of the disk
	 * or of other work on the machine spreads over all three; a warm-up round first. */
	enum { ROUND = 250 };
	double *us[NVAR];
	int nus[NVAR] = {0};
	double cpu_us[NVAR] = {0}; /* this thread's CPU time (user + system), summed */
	for (int v = 0; v < NVAR; v++)
		if (!(us[v] = malloc((size_t)nwrites * sizeof(double))))
			die("out of memory");
	long seq = 0;
	struct cpu_snap c0 = cpu_snap();
	char desc[128], object[64], summary[160];
	for (int round = -1; round * ROUND < nwrites; round++) {
		for (int k = 0; k < NVAR; k++) {
			int v = round < 0 ? k : (k + round) % NVAR;
			for (int i = 0; i < ROUND && (round < 0 || nus[v] < nwrites); i++, seq++) {
				snprintf(desc, sizeof desc, "auth_bench write %ld", seq);
				struct case_report r = {.prefix = "DL",
				                        .now = now,
				                        .source = "open311",
				                        .actor = "apikey:1",
				                        .roles = ROLE_PUBLIC,
				                        .category_id = cat,
				                        .description = desc,
				                        .address = "中山路",
				                        .address_id = "",
				                        .zipcode = "",
				                        .has_location = 1,
				                        .lat = 38.914 + (seq % 1000) * 1e-5,
				                        .lon = 121.6147,
				                        .media_url = "",
				                        .email = "",
				                        .phone = "",
				                        .first_name = "",
				                        .last_name = "",
				                        .device_id = "",
				                        .account_id = "",
				                        .status_notes = "",
				                        .service_notice = ""};
				struct case_ref ref;
				double t0 = now_s(), u0 = thread_cpu_s();
				if (v == V_AUTH_AUDIT) {
					struct session s;
					check(session_lookup(db, token, now, &s, &err),
					      "session_lookup");
					if (s.user_id != uid)
						die("session_lookup found user %" PRId64,
						    s.user_id);
				}
				check(db_begin_write(db, &err), "db_begin_write");
				check(case_report_file(db, &r, &ref, &err), "case_report_file");
				if (v != V_PLAIN) {
					snprintf(object, sizeof object, "case:%s", ref.code);
					snprintf(summary, sizeof summary,
					         "{\"category_id\":%" PRId64
					         ",\"source\":\"open311\","
					         "\"status\":\"reported\",\"area_id\":0}",
					         cat);
					struct audit_entry a = {.at = now,
					                        .actor = "apikey:1",
					                        .ip = "127.0.0.1",
					                        .action = "case.report",
					                        .object = object,
					                        .summary = summary};
					check(audit_append(db, &a, &err), "audit_append");
				}
				check(db_commit(db, &err), "db_commit");
				double dt = (now_s() - t0) * 1e6;
				if (round >= 0) {
					us[v][nus[v]++] = dt;
					cpu_us[v] += (thread_cpu_s() - u0) * 1e6;
				}
			}
		}
	}

	struct cpu_snap c1 = cpu_snap();
	char use[64];
	struct audit_report rep;
	check(audit_verify(db, &rep, &err), "audit_verify");
	if (rep.broken_id != 0 || rep.count != 2L * (nwrites + ROUND))
		die("audit chain: %" PRId64 " records, broken at %" PRId64 " (%s)", rep.count,
		    rep.broken_id, rep.reason);

	printf(
	    "\n## 3. writes: one case per write transaction, SQLite (WAL, synchronous=FULL)\n\n");
	printf("Database %s, %ld cases written (%d per variant measured, rounds of %d in rotating "
	       "order after a warm-up round of each).\n\n",
	       path, seq, nwrites, ROUND);
	cpu_use(c0, c1, use);
	printf("CPU over all writes (%% of one CPU), bench | other work (incl. the kernel's "
	       "writeback): %s.\n\n",
	       use);
	printf("| write | mean µs | p50 µs | p90 µs | p99 µs | mean vs plain µs | CPU µs | CPU vs "
	       "plain µs |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	double mean[NVAR];
	for (int v = 0; v < NVAR; v++) {
		double sum = 0;
		for (int i = 0; i < nus[v]; i++)
			sum += us[v][i];
		mean[v] = sum / nus[v];
		qsort(us[v], (size_t)nus[v], sizeof(double), cmp_double);
		printf("| %s | %.0f | %.0f | %.0f | %.0f | %+.0f | %.0f | %+.0f |\n", var_name[v],
		       mean[v], us[v][nus[v] / 2], us[v][nus[v] * 9 / 10], us[v][nus[v] * 99 / 100],
		       mean[v] - mean[V_PLAIN], cpu_us[v] / nus[v],
		       (cpu_us[v] - cpu_us[V_PLAIN]) / nus[v]);
	}
	/* The medians' difference is less swayed by slow fsyncs than the means'. */
	printf(
	    "\nAdded by auth + audit: %+.0f µs mean, %+.0f µs p50 per write (audit alone %+.0f / "
	    "%+.0f).\n",
	    mean[V_AUTH_AUDIT] - mean[V_PLAIN],
	    us[V_AUTH_AUDIT][nwrites / 2] - us[V_PLAIN][nwrites / 2], mean[V_AUDIT] - mean[V_PLAIN],
	    us[V_AUDIT][nwrites / 2] - us[V_PLAIN][nwrites / 2]);
	for (int v = 0; v < NVAR; v++)
		free(us[v]);
	db_close(db);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "auth_bench: could not remove %s\n", dir);
}

static long arg_num(const char *s, long min, long max, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "auth_bench: bad %s '%s' (want %ld..%ld)\n", what, s, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long seconds = 5, points = 1000000, writes = 2000;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			fprintf(stderr, "usage: auth_bench [--seconds S] [--points N] [--writes N] "
			                "[--only logins|areas|writes]\n");
			return 2;
		}
		if (strcmp(argv[i], "--seconds") == 0)
			seconds = arg_num(argv[++i], 1, 3600, "--seconds");
		else if (strcmp(argv[i], "--points") == 0)
			points = arg_num(argv[++i], 1, 100000000, "--points");
		else if (strcmp(argv[i], "--writes") == 0)
			writes = arg_num(argv[++i], 10, 1000000, "--writes");
		else if (strcmp(argv[i], "--only") == 0)
			only = argv[++i];
		else {
			fprintf(stderr, "auth_bench: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	char cpu[512] = "unknown CPU", line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0) {
			const char *p = strchr(line, ':');
			snprintf(cpu, sizeof cpu, "%s", p ? p + 2 : line);
			cpu[strcspn(cpu, "\n")] = '\0';
			break;
		}
	if (f)
		fclose(f);
	printf("# wenming auth/area/audit benchmark (issue 4)\n\nMachine: %ld x %s; "
	       "load average before: ",
	       sysconf(_SC_NPROCESSORS_ONLN), cpu);
	f = fopen("/proc/loadavg", "r");
	if (f && fgets(line, sizeof line, f))
		printf("%.*s", (int)strcspn(line, " "), line);
	if (f)
		fclose(f);
	printf(".\n");
	fflush(stdout);
	if (!only || strcmp(only, "logins") == 0)
		bench_logins((double)seconds);
	fflush(stdout);
	if (!only || strcmp(only, "areas") == 0)
		bench_areas((size_t)points);
	fflush(stdout);
	if (!only || strcmp(only, "writes") == 0)
		bench_writes((int)writes);
	return 0;
}
