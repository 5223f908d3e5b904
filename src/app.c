/* Per-thread store connections: a SQLite connection may be used by one thread at a time, and
 * libmicrohttpd's pool threads live as long as the server, so each opens one on first use and
 * closes it when the thread ends (through a pthread key destructor). */
#include "app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

struct thread_conn {
	struct db *db;
	char *url; /* what db was opened for: a thread serving another app reopens */
};

/* The fast path reads the _Thread_local pointer; the key exists only for its destructor. */
static _Thread_local struct thread_conn *tl_conn;
static pthread_key_t conn_key;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static int conn_key_err;

static void conn_free(void *p)
{
	struct thread_conn *c = p;
	db_close(c->db);
	free(c->url);
	free(c);
	tl_conn = NULL; /* runs on the thread that owned c, also from the key destructor */
}

static void conn_key_init(void)
{
	conn_key_err = pthread_key_create(&conn_key, conn_free);
}

void app_db_close_thread(void)
{
	struct thread_conn *c = tl_conn;
	if (!c)
		return;
	/* The key exists (c was registered with it); clearing it keeps the destructor away. */
	(void)pthread_setspecific(conn_key, NULL);
	conn_free(c);
}

int app_db(struct app *a, struct db **out, struct err *e)
{
	struct thread_conn *c = tl_conn;
	if (c && a->db_url && strcmp(c->url, a->db_url) == 0) {
		*out = c->db;
		return 0;
	}
	if (!a->db_url)
		return err_set(e, ERR_INTERNAL, "no database configured");
	app_db_close_thread();
	if (pthread_once(&conn_once, conn_key_init) != 0 || conn_key_err != 0)
		return err_set(e, ERR_INTERNAL, "cannot create the per-thread connection key");

	c = calloc(1, sizeof *c);
	if (!c || !(c->url = strdup(a->db_url))) {
		free(c);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	int rc = db_open(a->db_url, &c->db, e);
	if (rc == 0 && pthread_setspecific(conn_key, c) != 0)
		rc = err_set(e, ERR_INTERNAL, "cannot register the per-thread connection");
	if (rc) {
		db_close(c->db);
		free(c->url);
		free(c);
		return rc;
	}
	tl_conn = c;
	*out = c->db;
	return 0;
}
