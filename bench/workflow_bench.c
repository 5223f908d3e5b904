/* The escalation part of bench/workflow_bench.sh: times escalate_pass (store/escalate.h) on a
 * database made by `wenming demo generate`, with nothing else running on it.
 *
 *   workflow_bench --db PATH [--now UNIX] [--passes N]
 *
 * Prints the open cases with a deadline, then one line per pass:
 *   BENCH escalate pass=K at=UNIX seconds=S scanned=N yellow=N red=N
 * Pass 1 runs at --now (default: the clock), pass 2 again at the same instant (nothing left to
 * change: the steady state of the once-a-minute job), pass 3 one hour later (an hour's worth of
 * cases crossing 75% or their deadline; none at night, when working time stands still), pass 4
 * a day later, further passes a day apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "store/db.h"
#include "store/escalate.h"

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int64_t now = (int64_t)time(NULL);
	int passes = 4;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--db"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--now"))
			now = strtoll(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--passes"))
			passes = atoi(argv[i + 1]);
	}
	if (!path || passes < 1) {
		fprintf(stderr, "usage: workflow_bench --db PATH [--now UNIX] [--passes N]\n");
		return 2;
	}
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0) {
		fprintf(stderr, "workflow_bench: %s\n", e.msg);
		return 1;
	}
	int64_t open = 0;
	if (db_get_int(db,
	               "SELECT count(*) FROM cases WHERE status NOT IN ('closed', 'rejected')"
	               " AND expected_at IS NOT NULL",
	               NULL, 0, &open, &e) < 0) {
		fprintf(stderr, "workflow_bench: %s\n", e.msg);
		db_close(db);
		return 1;
	}
	printf("BENCH open_with_deadline=%lld\n", (long long)open);
	int rc = 0;
	for (int k = 1; k <= passes && rc == 0; k++) {
		int64_t at = now + (k <= 2 ? 0 : k == 3 ? 3600 : (int64_t)(k - 3) * 86400);
		struct escalate_stats st = {0};
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = escalate_pass(db, at, &st, &e);
		double s = since(&t0);
		if (rc == 0)
			printf(
			    "BENCH escalate pass=%d at=%lld seconds=%.3f scanned=%lld yellow=%lld"
			    " red=%lld\n",
			    k, (long long)at, s, (long long)st.scanned, (long long)st.yellow,
			    (long long)st.red);
		fflush(stdout);
	}
	if (rc < 0)
		fprintf(stderr, "workflow_bench: %s\n", e.msg);
	db_close(db);
	return rc < 0 ? 1 : 0;
}
