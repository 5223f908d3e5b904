/* Units (CSV) and areas (GeoJSON) uploaded by the office: the same all-or-nothing import as
 * `wenming import units|areas` (store/org_io.h), run on the writer so it commits with its
 * audit record; `dry_run=true` only checks. The console's administration uses it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "lib/arena.h"
#include "store/org_io.h"

static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec org_import_params[] = {
    {.name = "file",
     .type = PT_FILE,
     .flags = PF_REQUIRED,
     .max_len = 9 << 20,
     .description = "units: a CSV as `wenming export units` writes; areas: a GeoJSON "
                    "FeatureCollection (docs/data.md)"},
    {.name = "dry_run", .type = PT_ENUM, .values = BOOLS, .description = "check only"},
    {.name = NULL},
};

struct import_job {
	struct http_req *r;
	const char *path;
	int units, dry;
	struct org_io_report rep;
};

static int import_write(struct db *db, void *arg, struct err *e)
{
	struct import_job *j = arg;
	struct org_io_opts o = {.dry_run = j->dry, .in_transaction = 1};
	int rc = j->units ? org_import_units(db, j->path, &o, &j->rep, e)
	                  : org_import_areas(db, j->path, &o, &j->rep, e);
	if (rc == 0 && !j->dry)
		rc = api_audit(db, j->r, j->units ? "units.import" : "areas.import", "",
		               api_json_text(j->r, json_pack("{s:i, s:i, s:i}", "rows", j->rep.rows,
		                                             "inserted", j->rep.inserted, "updated",
		                                             j->rep.updated)),
		               e);
	return rc;
}

/* The upload into a private temporary file (the importers read files, as the CLI's do). */
static int spool(struct http_req *r, const struct param *p, char path[64], struct err *e)
{
	snprintf(path, 64, "/tmp/wm-upload-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return err_set(e, ERR_INTERNAL, "cannot store the upload");
	size_t done = 0;
	while (done < p->len) {
		ssize_t k = write(fd, p->value + done, p->len - done);
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	close(fd);
	if (done != p->len) {
		unlink(path);
		return err_set(e, ERR_INTERNAL, "cannot store the upload");
	}
	(void)r;
	return 0;
}

/* Every error of the file, as the CLI prints them (name: the upload's file name): 422, the
 * request was well formed, the file's content was not. */
static int file_errors(struct http_req *r, const struct import_job *j, struct err *e)
{
	const char *name = req_param(r, "file")->filename;
	char one[600], all[sizeof e->msg] = "";
	for (int i = 0; i < j->rep.nerrors; i++) {
		org_io_render(name && *name ? name : "upload", &j->rep.errors[i], one, sizeof one);
		size_t n = strlen(all), k = strlen(one);
		if (n + k + 40 >= sizeof all) /* room for the separator and the ending */
			break;
		if (n) {
			memcpy(all + n, "; ", 2);
			n += 2;
		}
		memcpy(all + n, one, k + 1);
	}
	return err_set(e, ERR_UNPROCESSABLE, "%.460s%s: nothing was imported", all,
	               j->rep.more ? " (and more)" : "");
}

static int org_import(struct http_req *r, struct http_resp *w, int units, struct err *e)
{
	struct import_job *j = arena_alloc(r->arena, sizeof *j);
	memset(j, 0, sizeof *j);
	j->r = r;
	j->units = units;
	j->dry = req_str(r, "dry_run") && !strcmp(req_str(r, "dry_run"), "true");
	char *path = arena_alloc(r->arena, 64);
	int rc = spool(r, req_param(r, "file"), path, e);
	if (rc < 0)
		return rc;
	j->path = path;
	rc = api_write(r, import_write, j, e);
	unlink(path);
	if (rc < 0)
		return j->rep.nerrors ? file_errors(r, j, e) : rc;
	w->json = json_pack("{s:i, s:i, s:i, s:b}", "rows", j->rep.rows, "inserted",
	                    j->rep.inserted, "updated", j->rep.updated, "dry_run", j->dry);
	return 0;
}

int units_import(struct http_req *r, struct http_resp *w, struct err *e)
{
	return org_import(r, w, 1, e);
}

int areas_import(struct http_req *r, struct http_resp *w, struct err *e)
{
	return org_import(r, w, 0, e);
}
