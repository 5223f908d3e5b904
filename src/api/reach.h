/* A user's reach: the units whose cases and people they may see and act on. It is the
 * subtree of the user's unit (a district handler: the district, its streets and
 * communities). The office (文明办) and admins act citywide, as does anyone whose unit is
 * the committee or its office, which lead the whole campaign. */
#ifndef WM_REACH_H
#define WM_REACH_H

#include <stdint.h>

#include "http/http.h"

struct refdata;

/* The root unit of who's reach; 0 means citywide. */
int64_t reach_root(const struct principal *who, const struct refdata *d);
/* Whether unit_id lies in the subtree of root (root 0: always; unit 0 or unknown: only
 * citywide). */
int reach_contains(const struct refdata *d, int64_t root, int64_t unit_id);

#endif
