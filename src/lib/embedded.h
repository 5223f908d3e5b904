/* Files compiled into the binary by tools/embed.c (schema migrations, the OpenAPI document). */
#ifndef WM_EMBEDDED_H
#define WM_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* base name, e.g. "001_foundation.sql"; NULL ends the array */
	const char *data; /* NUL-terminated */
	size_t len;
};

/* The migrations of src/store/schema, in name order. */
extern const struct embedded_file embedded_schema[];

/* docs/openapi.yaml, served as JSON at /api/v1/openapi.json. */
extern const struct embedded_file embedded_docs[];

#endif
