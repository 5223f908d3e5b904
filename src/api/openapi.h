/* This API's OpenAPI 3.1 document: docs/openapi.yaml, embedded in the binary and converted to
 * JSON once per process. GET /api/v1/openapi.json serves it (openapi_get in api/routes.h). */
#ifndef WM_API_OPENAPI_H
#define WM_API_OPENAPI_H

#include <jansson.h>

#include "lib/err.h"

/* The document, converted on first use (thread-safe) and kept for the process lifetime: *out is
 * borrowed and shared by every thread, so it must not be modified. ERR_INTERNAL with the
 * converter's message (line and column in docs/openapi.yaml) when it does not parse. */
int openapi_document(const json_t **out, struct err *e);

#endif
