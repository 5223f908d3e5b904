#include "api/routes.h"

#include "api/open311.h"

#define O311 (FMT_JSON | FMT_XML)
/* Public reads are served from the response cache for at most this long after another
 * instance's write (this instance's own writes invalidate at once, see http/cache.h). */
#define CACHE_MS 1000

const struct route routes[] = {
    {"GET", "/healthz", 0, health_get, ROLE_PUBLIC, NULL, "Liveness and database check", 0},
    {"GET", "/api/v1/openapi.json", 0, openapi_get, ROLE_PUBLIC, NULL,
     "This API's OpenAPI 3.1 document", 0},
    {"GET", "/media/{name}", 0, media_get, ROLE_PUBLIC, NULL, "A stored photo", 0},
    {"GET", "/open311/v2/discovery", O311, open311_discovery, ROLE_PUBLIC, NULL,
     "Open311 discovery", 0},
    {"GET", "/open311/v2/services", O311, open311_services, ROLE_PUBLIC,
     open311_jurisdiction_params, "Open311 service list (categories)", CACHE_MS},
    {"GET", "/open311/v2/services/{service_code}", O311, open311_service_definition, ROLE_PUBLIC,
     open311_jurisdiction_params, "Open311 service definition (attributes)", CACHE_MS},
    {"POST", "/open311/v2/requests", O311, open311_post_request, ROLE_PUBLIC, open311_post_params,
     "Report a problem", 0},
    {"GET", "/open311/v2/requests", O311, open311_get_requests, ROLE_PUBLIC, open311_query_params,
     "Search reported problems", CACHE_MS},
    {"GET", "/open311/v2/requests/{service_request_id}", O311, open311_get_request, ROLE_PUBLIC,
     open311_jurisdiction_params, "One reported problem", CACHE_MS},
    {"GET", "/open311/v2/tokens/{token}", O311, open311_get_token, ROLE_PUBLIC,
     open311_jurisdiction_params, "The request id for a submission token", 0},
    {.method = NULL},
};
