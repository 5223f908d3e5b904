/* YAML to JSON: one YAML document (block and flow collections, plain/quoted/block scalars,
 * anchors and aliases) as a jansson value, for docs/openapi.yaml. Plain scalars resolve by the
 * YAML 1.2 core schema (null, true/false, integers, floats; `yes`/`on` stay strings); quoted and
 * block scalars, and anything tagged !!str, stay strings. Mapping keys are always strings; an
 * alias is a copy of its anchored value; `<<` merge keys are refused, not expanded. */
#ifndef WM_YAML_JSON_H
#define WM_YAML_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

/* Parses text[0..len) into *out (a new reference; the caller decrefs it). An empty stream gives
 * JSON null. Errors: ERR_BAD_REQUEST with "line L, column C: …" (1-based) for malformed YAML,
 * duplicate keys, complex or merge keys, unknown tags, values JSON cannot hold (.inf, .nan), more
 * than one document or nesting deeper than 256; ERR_INTERNAL when out of memory. *out is untouched
 * on failure. */
int yaml_to_json(const char *text, size_t len, json_t **out, struct err *e);

#endif
