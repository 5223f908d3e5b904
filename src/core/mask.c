/* Masking for public output. Text is scanned once: a number (a run of digits with dashes or
 * spaces inside) is measured as a whole, then either copied or replaced; every other byte is
 * copied unchanged, so a multi-byte character is never split (the digits and markers matched
 * are whole characters themselves, and a truncated sequence at the end is just copied). */
#include "core/mask.h"

#include <math.h>
#include <string.h>

/* Words after a number that make it a house, building, unit or room number. */
static const char *const AFTER[] = {"号", "號", "弄", "栋", "棟", "幢", "楼", "樓", "单元",
                                    "室", "户", "戶", "门", "門", "#",  "＃", NULL};
/* Inside a number: 0411-88888888, 138 1234 5678, 138－1234－5678. */
static const char *const INSIDE[] = {"-", " ", "－", NULL};
/* Between a number and its word: 人民路 12 号. */
static const char *const GAP[] = {" ", "\t", "　", NULL};

enum { PHONE_DIGITS = 7, ID_DIGITS = 18, MAX_GROUPS = 8 };

/* The length of the word of list at s (s < end), or 0. */
static size_t word_at(const char *s, const char *end, const char *const *list)
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		if ((size_t)(end - s) >= n && memcmp(s, *list, n) == 0)
			return n;
	}
	return 0;
}

/* A decimal digit at s, ASCII or full-width (U+FF10..U+FF19): its byte length, else 0. */
static size_t digit_at(const char *s, const char *end)
{
	const unsigned char *u = (const unsigned char *)s;
	if (s < end && *u >= '0' && *u <= '9')
		return 1;
	if (end - s >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
		return 3;
	return 0;
}

struct number {
	const char *end;
	int digits;
	int groups[MAX_GROUPS]; /* digits per group between separators; ngroups may exceed it */
	int ngroups;
	int dashes_only; /* every separator was a dash */
};

/* Measures the number starting at s: digits, separators only between digits. */
static void number_scan(const char *s, const char *end, struct number *n)
{
	*n = (struct number){.ngroups = 1, .dashes_only = 1};
	for (;;) {
		size_t d = digit_at(s, end), sep;
		if (d) {
			s += d;
			n->digits++;
			if (n->ngroups <= MAX_GROUPS)
				n->groups[n->ngroups - 1]++;
		} else if ((sep = word_at(s, end, INSIDE)) && digit_at(s + sep, end)) {
			n->dashes_only &= *s != ' ';
			s += sep;
			n->ngroups++;
		} else {
			break;
		}
	}
	n->end = s;
}

/* 2026-05-01 (or 2026-5-1): a date, which finds no one. */
static int number_is_date(const struct number *n)
{
	return n->ngroups == 3 && n->dashes_only && n->groups[0] == 4 && n->groups[1] <= 2 &&
	       n->groups[2] <= 2;
}

/* Whether a house word follows at s, after spaces. */
static int house_word_follows(const char *s, const char *end)
{
	size_t g;
	while ((g = word_at(s, end, GAP)))
		s += g;
	return word_at(s, end, AFTER) != 0;
}

/* Whether the byte before s (from start) ends a #. */
static int hash_precedes(const char *start, const char *s)
{
	return (s - start >= 1 && s[-1] == '#') || (s - start >= 3 && memcmp(s - 3, "＃", 3) == 0);
}

static void mask(const char *in, struct buf *out, int text)
{
	if (!in)
		return;
	const char *start = in, *end = in + strlen(in), *s = in;
	while (s < end) {
		if (!digit_at(s, end)) {
			const char *from = s++;
			while (s < end && !digit_at(s, end))
				s++;
			buf_add(out, from, (size_t)(s - from));
			continue;
		}
		struct number n;
		number_scan(s, end, &n);
		if (text && n.digits == ID_DIGITS - 1 && n.end < end &&
		    (*n.end == 'X' || *n.end == 'x')) {
			n.end++;
			n.digits++;
		}
		if (text && n.digits >= PHONE_DIGITS && !number_is_date(&n))
			buf_adds(out, "***");
		else if (house_word_follows(n.end, end) || hash_precedes(start, s))
			buf_adds(out, "**");
		else
			buf_add(out, s, (size_t)(n.end - s));
		s = n.end;
	}
}

void mask_address(const char *in, struct buf *out)
{
	mask(in, out, 0);
}

void mask_text(const char *in, struct buf *out)
{
	mask(in, out, 1);
}

void mask_point(double lat, double lon, double *out_lat, double *out_lon)
{
	const double cell = MASK_CELL_LAT_DEG;
	double clat = (floor(lat / cell) + 0.5) * cell;
	if (clat > 90.0)
		clat = 90.0;
	/* East-west the same ground distance at the cell's latitude (never more than 180°). */
	double c = cos(clat * (3.14159265358979323846 / 180.0));
	double wide = c > cell / 180.0 ? cell / c : 180.0;
	double clon = (floor(lon / wide) + 0.5) * wide;
	if (clon > 180.0)
		clon -= wide;
	/* to 6 decimals (~0.1 m): shorter JSON, and still the same cell's centre */
	*out_lat = round(clat * 1e6) / 1e6;
	*out_lon = round(clon * 1e6) / 1e6;
}

json_t *mask_json(const char *in, void (*masker)(const char *in, struct buf *out))
{
	struct buf b = BUF_INIT;
	masker(in, &b);
	json_t *s = json_stringn(b.data, b.len);
	buf_free(&b);
	return s;
}

json_t *mask_json_when(int masked, const char *in, void (*masker)(const char *in, struct buf *out))
{
	return masked ? mask_json(in, masker) : json_string(in);
}
