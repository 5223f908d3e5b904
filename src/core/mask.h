/* What the public sees of a case (docs/portal.md, "Maps and masking"): house numbers and
 * phone or ID numbers written as stars, and points moved to the centre of a ~200 m cell, so
 * a door cannot be found from a public page. All of it UTF-8-safe: only whole characters are
 * replaced, everything else is copied as it came. */
#ifndef WM_MASK_H
#define WM_MASK_H

#include <jansson.h>

#include "lib/buf.h"

/* The side of a mask_point cell in metres (north-south exactly 0.0018°, east-west the same
 * distance at the cell's latitude). A masked point is at most ~142 m (half the diagonal)
 * from the true one. */
#define MASK_CELL_M 200.0
#define MASK_CELL_LAT_DEG 0.0018

/* Appends in to out with exact house numbers masked: a number (ASCII or full-width digits,
 * `-` allowed inside, e.g. 3-2-501) directly before 号 號 弄 栋 棟 幢 楼 樓 单元 室 户 戶 门 門
 * or # (spaces between allowed), or directly after #, becomes `**`: 中山路123号 -> 中山路**号,
 * 3栋2单元501室 -> **栋**单元**室, #501 -> #**. Other numbers stay (五四路, 200米). */
void mask_address(const char *in, struct buf *out);
/* The same for text shown publicly, plus phone and ID numbers: a number of 7 or more digits
 * (spaces and dashes inside allowed: 138 1234 5678, 0411-88888888; an ID's final X included)
 * becomes `***`. A date written 2026-05-01 stays. */
void mask_text(const char *in, struct buf *out);
/* The centre of the MASK_CELL_M grid cell holding (lat, lon), to 6 decimals: the same for
 * every point in the cell, so clusters stay where they are and no single door is shown. */
void mask_point(double lat, double lon, double *out_lat, double *out_lon);
/* A new JSON string of in through masker (mask_text or mask_address); NULL when out of memory. */
json_t *mask_json(const char *in, void (*masker)(const char *in, struct buf *out));
/* mask_json when masked, else in as it is: for answers some callers may read as written. */
json_t *mask_json_when(int masked, const char *in, void (*masker)(const char *in, struct buf *out));

#endif
