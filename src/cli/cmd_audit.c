/* wenming audit verify | list [--limit N] [--actor A] [--object O] [--action PREFIX] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/migrate.h"

static int verify(struct db *db, struct err *e)
{
	struct audit_report r;
	if (audit_verify(db, &r, e) < 0)
		return -1;
	if (r.broken_id) {
		printf("broken at record %lld: %s (%lld records before it intact)\n",
		       (long long)r.broken_id, r.reason, (long long)r.count);
		return 1;
	}
	printf("%lld records, chain intact\n", (long long)r.count);
	return 0;
}

/* Tab-separated: id, at (unix seconds), actor, ip, action, object, summary. */
static int list(struct db *db, const struct audit_filter *f, struct err *e)
{
	json_t *arr;
	if (audit_list_json(db, f, &arr, e) < 0)
		return -1;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		json_t *s = json_object_get(o, "summary");
		char *summary =
		    json_is_string(s) ? NULL : json_dumps(s, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%lld\t%lld\t%s\t%s\t%s\t%s\t%s\n",
		       (long long)json_integer_value(json_object_get(o, "id")),
		       (long long)json_integer_value(json_object_get(o, "at")),
		       json_string_value(json_object_get(o, "actor")),
		       json_string_value(json_object_get(o, "ip")),
		       json_string_value(json_object_get(o, "action")),
		       json_string_value(json_object_get(o, "object")),
		       summary ? summary : json_string_value(s));
		free(summary);
	}
	json_decref(arr);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "limit",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 1000,
	     .help = "list: how many records, newest first (default 50)"},
	    {.name = "actor", .kind = OPT_STRING, .help = "list: only this actor (user:7, cli, …)"},
	    {.name = "object", .kind = OPT_STRING, .help = "list: only this object (case:DL…)"},
	    {.name = "action", .kind = OPT_STRING, .help = "list: actions starting with this"},
	    {.name = "before",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 0x7fffffffL,
	     .help = "list: records older than this id (paging)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("audit", opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage("audit",
		           "verify | list [--limit N] [--actor A] [--object O] [--db PATH]",
		           "verify checks the hash chain of the audit trail (exit 0: intact, 1:"
		           " broken, naming the first bad record); list prints records newest"
		           " first: id, at (unix seconds), actor, ip, action, object, summary.",
		           opts);
		return 0;
	}
	int is_verify = npos == 1 && strcmp(pos[0], "verify") == 0;
	int is_list = npos == 1 && strcmp(pos[0], "list") == 0;
	if (!is_verify && !is_list) {
		fputs("wenming audit: use `audit verify` or `audit list` (see --help)\n", stderr);
		return 2;
	}
	const char *path = opts_get(opts, "db")->set ? opts_get(opts, "db")->str : cli_default_db();
	struct err e = {0};
	struct db *db = NULL;
	if (db_open(path, &db, &e) < 0 || migrate_apply(db, &e) < 0) {
		fprintf(stderr, "wenming audit: %s\n", e.msg);
		db_close(db);
		return 1;
	}
	int rc;
	if (is_verify) {
		rc = verify(db, &e);
	} else {
		struct audit_filter f = {
		    .actor = opts_get(opts, "actor")->str,
		    .object = opts_get(opts, "object")->str,
		    .action_prefix = opts_get(opts, "action")->str,
		    .before_id = opts_get(opts, "before")->set ? opts_get(opts, "before")->num : 0,
		    .limit = opts_get(opts, "limit")->set ? (int)opts_get(opts, "limit")->num : 50,
		};
		rc = list(db, &f, &e);
	}
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming audit: %s\n", e.msg);
		return 1;
	}
	return rc;
}
