/* Inspection rounds at evaluation scale (issue 6; `make bench-inspection`, docs/benchmarks.md):
 * a fresh SQLite demo database with a bench edition of the standard (40 field items for one
 * site type) and N sites of that type (default 5,000), then
 *   (a) a round over every site (the sample drawn);
 *   (b) one inspection per site, each its own transaction like the server's writer (40
 *       results, ~10% failures, each failure a case registered and dispatched): per
 *       submission p50/p99 (target < 20 ms);
 *   (c) scoring the round per site, district, item (target < 500 ms);
 *   (d) 19 more rounds filled by copying the first one's results in SQL, then the city's
 *       score over the 20 rounds (target < 1 s).
 * Prints BENCH lines.
 *
 *   inspection_bench [--db PATH] [--sites N] [--data DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/workcal.h"
#include "lib/buf.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/inspections.h"
#include "store/migrate.h"
#include "store/rounds.h"
#include "store/scores.h"
#include "store/seed.h"
#include "store/standards.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

enum { ITEMS = 40 };

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "inspection_bench: %s: %s\n", what, e->msg);
	exit(1);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
	size_t k = (size_t)((p / 100) * (double)n + 0.999999);
	return v[(k ? k : 1) - 1];
}

/* A bench edition: one project, four contents, 40 field items for the site type "bench". */
static void bench_standard(struct db *db, struct err *e)
{
	char path[] = "/tmp/wm-bench-standard-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "inspection_bench: cannot write a temporary file\n");
		exit(1);
	}
	fputs("code,parent_code,kind,text,method,site_types,points,veto,service_codes,sort\n"
	      "B,,project,基准项目,,,,,,\n",
	      f);
	for (int c = 0; c < 4; c++)
		fprintf(f, "B.%d,B,content,基准内容%d,,,,,,\n", c, c);
	for (int i = 0; i < ITEMS; i++)
		fprintf(f, "B.%d.%02d,B.%d,item,基准条目%d：路面整洁，无乱堆乱放,field,bench,%s,%s,E0102,\n",
		        i % 4, i, i % 4, i, i % 3 ? "1" : "1.5", i == ITEMS - 1 ? "deduct" : "none");
	fclose(f);
	if (db_begin_write(db, e) ||
	    db_run(db, "INSERT INTO site_type (code, name, sort) VALUES ('bench', '基准点位', 999)",
	           NULL, 0, e) ||
	    db_commit(db, e))
		die("site type", e);
	struct org_io_report r;
	struct standards_import_opts o = {.version = "bench40", .activate = 1, .now = 1};
	if (standards_import(db, path, &o, &r, e))
		die("standard", e);
	unlink(path);
}

static void bench_sites(struct db *db, int n, struct err *e)
{
	if (db_begin_write(db, e))
		die("begin", e);
	for (int i = 0; i < n; i++) {
		char code[24], name[64];
		snprintf(code, sizeof code, "B%05d", i);
		snprintf(name, sizeof name, "基准点位%d", i);
		/* spread over the demo areas (grids, streets, districts), with their units */
		if (db_run(db,
		           "INSERT INTO site (code, name, type, area_id, unit_id, address, updated_at)"
		           " SELECT ?, ?, 'bench', a.id, a.unit_id, '大连市基准路1号', 1 FROM area a"
		           " ORDER BY a.id LIMIT 1 OFFSET ?",
		           DB_ARGS(db_text(code), db_text(name),
		                   db_int(i % 20)), e))
			die("site", e);
	}
	if (db_commit(db, e))
		die("commit", e);
}

int main(int argc, char **argv)
{
	const char *path = "/tmp/wm-inspection-bench.db", *data = WM_DATA_DIR;
	int nsites = 5000;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--db"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--sites"))
			nsites = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--data"))
			data = argv[i + 1];
	}
	if (nsites < 1) {
		fprintf(stderr, "usage: inspection_bench [--db PATH] [--sites N] [--data DIR]\n");
		return 2;
	}
	char p2[1100];
	unlink(path);
	snprintf(p2, sizeof p2, "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof p2, "%s-shm", path);
	unlink(p2);
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) || migrate_apply(db, &e) || seed_load(db, data, 1, &e))
		die("setup", &e);
	bench_standard(db, &e);
	bench_sites(db, nsites, &e);
	struct workcal *cal = NULL;
	if (calendar_load(db, &cal, &e))
		die("calendar", &e);

	/* (a) the round */
	int64_t t0 = (int64_t)time(NULL);
	const char *types[] = {"bench"};
	struct round_new rn = {.name = "基准轮次", .kind = "simulation", .starts_at = t0 - 86400,
	                       .ends_at = t0 + 86400 * 30, .site_types = types, .ntypes = 1,
	                       .sample_mode = "all", .seed = 1, .now = t0};
	int64_t round_id;
	size_t drawn;
	double t = now_s();
	if (db_begin_write(db, &e) || round_create(db, &rn, &round_id, &drawn, &e) ||
	    db_commit(db, &e))
		die("round", &e);
	printf("BENCH round sites=%zu seconds=%.3f\n", drawn, now_s() - t);

	/* (b) one inspection per site, each committed on its own */
	struct db_stmt *st;
	char (*codes)[24] = malloc((size_t)nsites * sizeof *codes);
	char item_codes[ITEMS][16];
	if (!codes || db_query(db, "SELECT code FROM site WHERE type = 'bench' ORDER BY code", NULL,
	                       0, &st, &e))
		die("sites", &e);
	int ns = 0;
	while (ns < nsites && db_step(st, &e) == DB_ROW)
		snprintf(codes[ns++], sizeof codes[0], "%s", db_col_text(st, 0));
	db_done(st);
	for (int i = 0; i < ITEMS; i++)
		snprintf(item_codes[i], sizeof item_codes[i], "B.%d.%02d", i % 4, i);
	double *lat = malloc((size_t)ns * sizeof *lat);
	struct inspection_item_in items[ITEMS];
	unsigned seed = 12345;
	int fails = 0;
	double total = now_s();
	for (int s = 0; s < ns; s++) {
		for (int i = 0; i < ITEMS; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = (seed >> 16) % 100;
			items[i] = (struct inspection_item_in){item_codes[i],
			                                       r < 10 ? "fail" : r < 13 ? "na" : "pass",
			                                       r < 10 ? "基准问题" : ""};
			fails += r < 10;
		}
		char cid[40];
		snprintf(cid, sizeof cid, "bench-%08d", s);
		struct inspection_in in = {.client_id = cid, .round_id = round_id,
		                           .site_code = codes[s], .any_inspector = 1,
		                           .actor = "user:0", .note = "", .items = items,
		                           .nitems = ITEMS, .prefix = "DL", .cal = cal, .now = t0};
		struct inspection_out out;
		t = now_s();
		if (db_begin_write(db, &e) || inspection_submit(db, &in, &out, &e) || db_commit(db, &e))
			die("submit", &e);
		lat[s] = (now_s() - t) * 1000;
	}
	total = now_s() - total;
	qsort(lat, (size_t)ns, sizeof *lat, cmp_d);
	printf("BENCH submit inspections=%d items=%d failures=%d seconds=%.2f p50_ms=%.2f"
	       " p99_ms=%.2f max_ms=%.2f\n",
	       ns, ITEMS, fails, total, pct(lat, (size_t)ns, 50), pct(lat, (size_t)ns, 99),
	       lat[ns - 1]);

	/* (c) the round's scores */
	static const enum score_group groups[] = {SCORE_SITE, SCORE_DISTRICT, SCORE_ITEM};
	static const char *const gnames[] = {"site", "district", "item"};
	for (int g = 0; g < 3; g++) {
		double best = 1e9;
		for (int k = 0; k < 5; k++) {
			json_t *o;
			t = now_s();
			if (round_scores_json(db, round_id, groups[g], &o, &e))
				die("scores", &e);
			double s = now_s() - t;
			best = s < best ? s : best;
			json_decref(o);
		}
		printf("BENCH scores group=%s best_of_5_ms=%.1f\n", gnames[g], best * 1000);
	}

	/* (d) 19 more rounds, their results copied from the first, then the trend */
	if (db_begin_write(db, &e))
		die("begin", &e);
	for (int r = 2; r <= 20; r++) {
		int64_t id;
		if (db_get_int(db,
		               "INSERT INTO inspection_round (name, kind, version_id, starts_at,"
		               " ends_at, sample_mode, seed, created_at) SELECT name || ?, kind,"
		               " version_id, starts_at + ?, ends_at + ?, sample_mode, seed, created_at"
		               " FROM inspection_round WHERE id = ? RETURNING id",
		               DB_ARGS(db_int(r), db_int(r * 86400), db_int(r * 86400),
		                       db_int(round_id)),
		               &id, &e) ||
		    db_run(db,
		           "INSERT INTO inspection (client_id, round_id, site_id, inspector_id,"
		           " inspected_at, submitted_at, note, passed, failed, na, kept, applicable,"
		           " deduct_failed, veto_failed)"
		           " SELECT client_id || '-r' || ?, ?, site_id, inspector_id, inspected_at,"
		           " submitted_at, note, passed, failed, na, kept, applicable, deduct_failed,"
		           " veto_failed FROM inspection WHERE round_id = ?",
		           DB_ARGS(db_int(r), db_int(id), db_int(round_id)), &e) ||
		    db_run(db,
		           "INSERT INTO inspection_result (inspection_id, node_id, result, note)"
		           " SELECT n.id, x.node_id, x.result, x.note FROM inspection_result x"
		           " JOIN inspection o ON o.id = x.inspection_id JOIN inspection n"
		           " ON n.client_id = o.client_id || '-r' || ? WHERE o.round_id = ?",
		           DB_ARGS(db_int(r), db_int(round_id)), &e))
			die("copy round", &e);
	}
	if (db_commit(db, &e))
		die("commit", &e);
	double best = 1e9;
	for (int k = 0; k < 3; k++) {
		json_t *o;
		t = now_s();
		if (score_trend_json(db, &o, &e))
			die("trend", &e);
		double s = now_s() - t;
		best = s < best ? s : best;
		if (k == 0)
			printf("BENCH trend rounds=%zu\n", json_array_size(o));
		json_decref(o);
	}
	printf("BENCH trend over 20 rounds best_of_3_ms=%.1f\n", best * 1000);
	free(lat);
	free(codes);
	workcal_free(cal);
	db_close(db);
	return 0;
}
