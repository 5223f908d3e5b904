#include "api/reach.h"

#include <string.h>

#include "core/roles.h"
#include "store/refcache.h"

enum { TREE_DEPTH_MAX = 64 }; /* a cycle in bad data must not hang a request */

int64_t reach_root(const struct principal *who, const struct refdata *d)
{
	if (who->roles & (ROLE_ADMIN | ROLE_OFFICE))
		return 0;
	int64_t parent;
	const char *kind;
	if (refdata_unit(d, who->unit_id, &parent, &kind) == 0 &&
	    (strcmp(kind, "committee") == 0 || strcmp(kind, "office") == 0))
		return 0;
	return who->unit_id ? who->unit_id : -1; /* -1: reaches nothing */
}

int reach_contains(const struct refdata *d, int64_t root, int64_t unit_id)
{
	if (root == 0)
		return 1;
	int64_t u = unit_id;
	for (int depth = 0; u > 0 && depth < TREE_DEPTH_MAX; depth++) {
		if (u == root)
			return 1;
		const char *kind;
		if (refdata_unit(d, u, &u, &kind) < 0)
			return 0;
	}
	return 0;
}
