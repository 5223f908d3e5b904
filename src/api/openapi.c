/* GET /api/v1/openapi.json: docs/openapi.yaml as JSON. The YAML is converted once, on the first
 * request (pthread_once), and the result lives until the process exits; every response holds a
 * new reference to the same read-only value (jansson's refcounts and dumps are thread-safe). */
#include "api/openapi.h"

#include <pthread.h>
#include <string.h>

#include "api/routes.h"
#include "lib/embedded.h"
#include "lib/yaml_json.h"

static pthread_once_t doc_once = PTHREAD_ONCE_INIT;
static json_t *doc;        /* set once by doc_load, never freed */
static struct err doc_err; /* why doc is NULL */

static void doc_load(void)
{
	for (const struct embedded_file *f = embedded_docs; f->name; f++) {
		if (strcmp(f->name, "openapi.yaml") != 0)
			continue;
		struct err e = {0};
		if (yaml_to_json(f->data, f->len, &doc, &e) < 0)
			err_set(&doc_err, ERR_INTERNAL, "docs/openapi.yaml: %s", e.msg);
		else if (!json_is_object(doc))
			err_set(&doc_err, ERR_INTERNAL,
			        "docs/openapi.yaml: not a mapping at the top");
		if (doc_err.code) {
			json_decref(doc);
			doc = NULL;
		}
		return;
	}
	err_set(&doc_err, ERR_INTERNAL, "docs/openapi.yaml is not embedded in this binary");
}

int openapi_document(const json_t **out, struct err *e)
{
	pthread_once(&doc_once, doc_load);
	if (!doc)
		return err_set(e, ERR_INTERNAL, "%s", doc_err.msg);
	*out = doc;
	return 0;
}

int openapi_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	(void)r;
	const json_t *d;
	int rc = openapi_document(&d, e);
	if (rc < 0)
		return rc;
	w->json = json_incref((json_t *)d);
	return 0;
}
