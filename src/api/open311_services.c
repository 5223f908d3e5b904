/* Discovery and the service catalogue. */
#include <string.h>

#include "api/open311.h"
#include "app.h"
#include "store/catalog.h"

const struct param_spec open311_jurisdiction_params[] = {
    {.name = "jurisdiction_id",
     .type = PT_STRING,
     .max_len = 100,
     .description = "Jurisdiction served here; optional, must match when given"},
    {.name = NULL},
};

int open311_check_jurisdiction(struct http_req *r, struct err *e)
{
	const char *j = req_str(r, "jurisdiction_id");
	if (j && *j && strcmp(j, r->app->jurisdiction_id) != 0)
		return err_set(e, ERR_NOT_FOUND,
		               "jurisdiction_id '%s' is not served here (use '%s')", j,
		               r->app->jurisdiction_id);
	return 0;
}

int open311_discovery(struct http_req *r, struct http_resp *w, struct err *e)
{
	(void)e;
	const char *url = arena_printf(r->arena, "%s/open311/v2/", r->base_url);
	w->json = json_pack(
	    "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset",
	    "2026-11-25T00:00:00+08:00", "contact", "大连市文明办 创城热线 (demo)", "key_service",
	    "API keys: ask the city's civilization office (wenming apikey create NAME)",
	    "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2", "url", url,
	    "changeset", "2026-11-25T00:00:00+08:00", "type", "production", "formats",
	    "application/json", "text/xml");
	w->xml_root = "discovery";
	return 0;
}

int open311_services(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = open311_check_jurisdiction(r, e);
	struct db *db;
	if (rc < 0 || (rc = app_db(r->app, &db, e)) < 0)
		return rc;
	rc = catalog_services_json(db, &w->json, e);
	w->xml_root = "services";
	return rc;
}

int open311_service_definition(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = open311_check_jurisdiction(r, e);
	struct db *db;
	if (rc < 0 || (rc = app_db(r->app, &db, e)) < 0)
		return rc;
	rc = catalog_definition_json(db, r->path_args[0], &w->json, e);
	w->xml_root = "service_definition";
	return rc;
}
