#include <criterion/criterion.h>

#include "core/tracking.h"

#include <stdlib.h>
#include <string.h>

static const char ALPHA[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* 2026-11-25T22:44:50+08:00 */
#define T0 INT64_C(1795617890)

static int val(char c)
{
	return (int)(strchr(ALPHA, c) - ALPHA);
}

/* Independent Luhn mod 32 check symbol for a 12-symbol body (date + random). */
static char ref_check(const char *body12)
{
	int sum = 0, factor = 2;
	for (int i = 11; i >= 0; i--) {
		int a = factor * val(body12[i]);
		sum += a / 32 + a % 32;
		factor = 3 - factor;
	}
	return ALPHA[(32 - sum % 32) % 32];
}

/* Builds PREFIX + body12 + its correct check symbol, so tests can reach checks past Luhn. */
static void with_check(const char *prefix, const char *body12, char out[TRACKING_MAX])
{
	strcpy(out, prefix);
	strcat(out, body12);
	size_t n = strlen(out);
	out[n] = ref_check(body12);
	out[n + 1] = '\0';
}

static bool norm_ok(const char *in, const char *want)
{
	char out[TRACKING_MAX];
	bool ok = tracking_normalize(in, out);
	return ok && strcmp(out, want) == 0;
}

static bool norm_rejects(const char *in)
{
	char out[TRACKING_MAX] = "junk";
	return !tracking_normalize(in, out) && out[0] == '\0';
}

Test(tracking, known_vectors)
{
	/* computed by an independent Python implementation of the same rules */
	char out[TRACKING_MAX];
	cr_assert_eq(tracking_make("DL", T0, 0x12345678u & 0x3FFFFFFFu, out), 0);
	cr_expect_str_eq(out, "DL261125938NKRX");
	cr_assert_eq(tracking_make("DL", T0, 0, out), 0);
	cr_expect_str_eq(out, "DL2611250000003");
	cr_assert_eq(tracking_make("DL", T0, 0x3FFFFFFF, out), 0);
	cr_expect_str_eq(out, "DL261125ZZZZZZ9");
	/* only 30 bits are used */
	cr_assert_eq(tracking_make("DL", T0, 0xFFFFFFFFu, out), 0);
	cr_expect_str_eq(out, "DL261125ZZZZZZ9");
	cr_assert_eq(tracking_make("A", T0, 0, out), 0);
	cr_expect_str_eq(out, "A2611250000003");
	cr_assert_eq(tracking_make("WXYZ", T0, 0, out), 0);
	cr_expect_str_eq(out, "WXYZ2611250000003");
}

Test(tracking, date_is_shanghai_date)
{
	char out[TRACKING_MAX];
	/* 2026-11-25T23:59:59+08:00 and one second later */
	int64_t midnight = INT64_C(20783) * 86400 - 8 * 3600;
	tracking_make("DL", midnight - 1, 0, out);
	cr_expect(strncmp(out, "DL261125", 8) == 0, "%s", out);
	tracking_make("DL", midnight, 0, out);
	cr_expect(strncmp(out, "DL261126", 8) == 0, "%s", out);
	/* 16:00 UTC is already the next day in Shanghai */
	tracking_make("DL", INT64_C(20782) * 86400 + 16 * 3600, 0, out);
	cr_expect(strncmp(out, "DL261126", 8) == 0, "%s", out);
	tracking_make("DL", INT64_C(946684800) - 8 * 3600, 0, out); /* 2000-01-01 00:00 +08 */
	cr_expect(strncmp(out, "DL000101", 8) == 0, "%s", out);
}

Test(tracking, bad_prefix)
{
	char out[TRACKING_MAX];
	cr_expect_eq(tracking_make(NULL, T0, 0, out), -1);
	cr_expect_eq(tracking_make("", T0, 0, out), -1);
	cr_expect_eq(tracking_make("dl", T0, 0, out), -1);
	cr_expect_eq(tracking_make("DLXYZ", T0, 0, out), -1);
	cr_expect_eq(tracking_make("D1", T0, 0, out), -1);
	cr_expect_eq(tracking_make("D-L", T0, 0, out), -1);
}

Test(tracking, round_trip)
{
	srand(7);
	char code[TRACKING_MAX], norm[TRACKING_MAX];
	static const char *prefixes[] = {"A", "DL", "LIO", "WMBZ"};
	for (int i = 0; i < 20000; i++) {
		/* any moment from 2000 to 2099 */
		int64_t t = INT64_C(946684800) +
		            ((int64_t)rand() << 16 ^ rand()) % (INT64_C(100) * 365 * 86400);
		uint32_t r = (uint32_t)rand() & 0x3FFFFFFFu;
		cr_assert_eq(tracking_make(prefixes[i % 4], t, r, code), 0);
		cr_assert_eq(strlen(code), strlen(prefixes[i % 4]) + 13);
		cr_assert(tracking_normalize(code, norm), "%s", code);
		cr_assert_str_eq(norm, code);
	}
}

Test(tracking, normalisation)
{
	const char *code = "DL261125938NKRX";
	cr_expect(norm_ok(code, code));
	cr_expect(norm_ok("dl261125938nkrx", code));
	cr_expect(norm_ok("DL-261125-938NKRX", code));
	cr_expect(norm_ok(" DL 2611 2593 8NKR X ", code));
	cr_expect(norm_ok("dl-261125-938-nkr-x", code));
	cr_expect(norm_ok("\tDL261125938NKRX\t", code));
	/* full-width forms from Chinese input methods, ideographic space */
	cr_expect(norm_ok("ＤＬ２６１１２５　９３８ＮＫＲＸ", code));
	cr_expect(norm_ok("ＤＬ－261125－938nkrx", code));

	/* O -> 0, I and L -> 1 in the body; the prefix keeps its letters */
	const char *zeros = "DL2611250000003";
	cr_expect(norm_ok("DL26II25OOOOOO3", "DL2611250000003"));
	cr_expect(norm_ok("dl26li25oOo0Oo3", zeros));
	char c[TRACKING_MAX], typed[TRACKING_MAX];
	cr_assert_eq(tracking_make("LIO", T0, 0, c), 0);
	cr_expect_str_eq(c, "LIO2611250000003");
	cr_expect(norm_ok("lio-26ll25-oooooo-3", c));
	strcpy(typed, c);
	typed[0] = '1'; /* but a digit where the prefix is is not a letter */
	cr_expect(norm_rejects(typed));
}

Test(tracking, rejects_malformed)
{
	char good[TRACKING_MAX];
	cr_expect(norm_rejects(NULL));
	cr_expect(norm_rejects(""));
	cr_expect(norm_rejects("   "));
	cr_expect(norm_rejects("2611250000003"));      /* no prefix */
	cr_expect(norm_rejects("DL261125000000"));     /* too short by one */
	cr_expect(norm_rejects("ABCDE2611250000003")); /* prefix of five */
	cr_expect(norm_rejects("DL26112500000030"));   /* one symbol too many */
	cr_expect(norm_rejects("DLDLDLDLDLDL2611250000003"));
	cr_expect(norm_rejects("DL2611250000003!"));
	cr_expect(norm_rejects("DL2611250000003_"));
	cr_expect(norm_rejects("DL.2611250000003"));
	cr_expect(norm_rejects("DL261125U000003")); /* U is not in the alphabet */
	cr_expect(norm_rejects("DL261125\xE5\xA4\xA7"
	                       "00003"));                       /* 大 */
	cr_expect(norm_rejects("DL261125\xEF\xBC"));            /* truncated full-width form */
	cr_expect(norm_rejects("DL2611250000003\xEF\xBD\x9F")); /* U+FF5F is not ASCII-mapped */

	/* correct check symbol, impossible date */
	with_check("DL", "261131000000", good);
	cr_expect(norm_rejects(good), "%s", good);
	with_check("DL", "260229000000", good); /* 2026 is not a leap year */
	cr_expect(norm_rejects(good), "%s", good);
	with_check("DL", "261301000000", good);
	cr_expect(norm_rejects(good), "%s", good);
	with_check("DL", "261100000000", good);
	cr_expect(norm_rejects(good), "%s", good);
	with_check("DL", "260431000000", good);
	cr_expect(norm_rejects(good), "%s", good);
	with_check("DL", "2611A5000000", good);
	cr_expect(norm_rejects(good), "%s", good);
	/* ... and real ones */
	with_check("DL", "280229ABCDEF", good);
	cr_expect(norm_ok(good, good), "%s", good);
	with_check("DL", "001231ZZZZZZ", good);
	cr_expect(norm_ok(good, good), "%s", good);
	with_check("DL", "000229000000", good); /* 2000 was a leap year */
	cr_expect(norm_ok(good, good), "%s", good);
}

/* Every position after the prefix, every other symbol of the alphabet: all caught. */
Test(tracking, every_single_substitution_detected)
{
	static const char *samples[] = {"DL261125938NKRX", "DL2611250000003", "DL261125ZZZZZZ9"};
	for (size_t s = 0; s < 3; s++) {
		size_t plen = 2;
		for (size_t pos = plen; pos < strlen(samples[s]); pos++) {
			for (const char *a = ALPHA; *a; a++) {
				char typo[TRACKING_MAX];
				strcpy(typo, samples[s]);
				if (typo[pos] == *a)
					continue;
				typo[pos] = *a;
				if (!norm_rejects(typo))
					cr_assert_fail("substitution not detected: %s -> %s",
					               samples[s], typo);
			}
		}
	}
}

/* Luhn mod 32 misses exactly one kind of neighbour swap: '0' <-> 'Z' (values 0 and 31, the
 * same blind spot as 09 <-> 90 in decimal Luhn), and only outside the date, where a Z is not
 * a digit. Every other adjacent swap of distinct symbols is caught, including swaps with the
 * check symbol and across the prefix/date boundary (a digit cannot be a prefix letter). */
Test(tracking, every_adjacent_transposition_detected)
{
	srand(11);
	char code[TRACKING_MAX], swapped[TRACKING_MAX];
	int missed_0z = 0;
	for (int i = 0; i < 3000; i++) {
		int64_t t = INT64_C(946684800) +
		            ((int64_t)rand() << 16 ^ rand()) % (INT64_C(100) * 365 * 86400);
		uint32_t r = (uint32_t)rand() & 0x3FFFFFFFu;
		if (i == 0)
			r = 0x1F << 20 |
			    0x1F << 10; /* random part 0Z0Z00: the blind spot must show */
		tracking_make("DL", t, r, code);
		size_t len = strlen(code);
		/* from the prefix/date boundary on: the prefix itself is not checked (DL <-> LD) */
		for (size_t pos = 1; pos + 1 < len; pos++) {
			if (code[pos] == code[pos + 1])
				continue;
			strcpy(swapped, code);
			swapped[pos] = code[pos + 1];
			swapped[pos + 1] = code[pos];
			bool zero_z = (code[pos] == '0' && code[pos + 1] == 'Z') ||
			              (code[pos] == 'Z' && code[pos + 1] == '0');
			bool accepted = !norm_rejects(swapped);
			if (zero_z && pos >= 2 + 6) {
				cr_assert(accepted, "the known blind spot changed? %s", swapped);
				missed_0z++;
			} else if (accepted) {
				cr_assert_fail("transposition not detected: %s -> %s", code,
				               swapped);
			}
		}
	}
	cr_expect_gt(missed_0z, 0);
}
