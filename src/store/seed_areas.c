/* Areas of the demo (demo/areas.geojson) go through `wenming import areas` (store/org_io), so
 * they meet exactly the rules of imported areas; it runs in a savepoint of the seed's
 * transaction. Messages keep the seed's documented form (docs/data.md): "FILE: feature N
 * (CODE): message", with the line the feature starts on at the end. */
#include <stdio.h>

#include "store/db.h"
#include "store/org_io.h"
#include "store/seed_internal.h"

/* The first error of r as the seed reports it. */
static int seed_area_error(const char *path, const struct org_io_report *r, int rc, struct err *e)
{
	const struct org_io_error *x = &r->errors[0];
	if (!x->feature) /* of the whole file: already "FILE:LINE: ..." */
		return rc;
	int more = r->nerrors - 1 + r->more;
	char tail[64] = "";
	if (more)
		snprintf(tail, sizeof tail, " (and %d more error%s)", more, more > 1 ? "s" : "");
	if (x->code[0])
		return err_set(e, rc, "%s: feature %d (%s): %s (line %ld)%s", path, x->feature,
		               x->code, x->msg, x->line, tail);
	return err_set(e, rc, "%s: feature %d: %s (line %ld)%s", path, x->feature, x->msg, x->line,
	               tail);
}

int seed_areas(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/areas.geojson");
	struct org_io_opts o = {.in_transaction = 1};
	struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
	int rc = org_import_areas(c->db, path, &o, r, e);
	if (rc == 0)
		c->st->areas = r->rows;
	else if (r->nerrors)
		rc = seed_area_error(path, r, rc, e);
	return rc;
}
