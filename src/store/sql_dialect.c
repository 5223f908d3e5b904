#include "store/sql_dialect.h"

#include <string.h>

static const char MARKER[] = "-- @dialect ";

/* The dialect a marker line names ("all" included), or NULL when line is not a marker. */
static const char *marker_of(const char *line, size_t n, size_t *name_len)
{
	size_t m = sizeof MARKER - 1;
	if (n < m || memcmp(line, MARKER, m) != 0)
		return NULL;
	const char *name = line + m;
	size_t k = n - m;
	while (k && (name[k - 1] == ' ' || name[k - 1] == '\t' || name[k - 1] == '\r'))
		k--;
	*name_len = k;
	return name;
}

static int name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(name, want, n) == 0;
}

int sql_select_dialect(const char *sql, const char *dialect, struct buf *out, struct err *e)
{
	int keep = 1, lineno = 1;
	for (const char *p = sql; *p; lineno++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t name_len;
		const char *name = marker_of(p, n, &name_len);
		if (name) {
			if (name_is(name, name_len, "all"))
				keep = 1;
			else if (name_is(name, name_len, "sqlite") ||
			         name_is(name, name_len, "postgresql"))
				keep = name_is(name, name_len, dialect);
			else
				return err_set(e, ERR_INTERNAL, "line %d: unknown dialect '%.*s'",
				               lineno, (int)name_len, name);
		} else if (keep) {
			buf_add(out, p, n);
		}
		if (!nl)
			break;
		buf_addc(out, '\n');
		p = nl + 1;
	}
	return 0;
}
