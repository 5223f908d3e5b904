/* lib/jsonw: the text writer of hot list responses reads back (jansson) as the values written,
 * byte for byte what the json model prints for ordinary data, escapes what JSON must escape,
 * and never emits invalid UTF-8. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "lib/jsonw.h"

static json_t *parse(const struct buf *b)
{
	json_error_t err;
	json_t *j = json_loadb(b->data, b->len, JSON_DECODE_ANY, &err);
	cr_assert(j, "not JSON (%s): %.*s", err.text, (int)b->len, b->data);
	return j;
}

Test(jsonw, same_bytes_as_the_json_model)
{
	struct buf b = BUF_INIT;
	struct jsonw w;
	jw_init(&w, &b);
	jw_array(&w);
	for (int i = 0; i < 2; i++) {
		jw_object(&w);
		jw_kint(&w, "id", 392 + i);
		jw_kstr(&w, "code", "DL251128SJD5SYM");
		jw_kstr(&w, "description", "西安路附近的加油站损坏或缺失，\"雨后\"更加严重。\\");
		jw_kreal(&w, "lat", 38.921224);
		jw_kreal(&w, "long", 121.0);
		jw_kid(&w, "unit_id", 0);
		jw_kid(&w, "area_id", 18);
		jw_knull(&w, "due_at");
		jw_key(&w, "tags");
		jw_array(&w);
		jw_str(&w, "a");
		jw_bool(&w, 1);
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	cr_assert_eq(w.depth, 0);

	json_t *want = json_array();
	for (int i = 0; i < 2; i++)
		json_array_append_new(
		    want, json_pack("{s:I, s:s, s:s, s:f, s:f, s:n, s:I, s:n, s:[s, b]}", "id",
		                    (json_int_t)(392 + i), "code", "DL251128SJD5SYM", "description",
		                    "西安路附近的加油站损坏或缺失，\"雨后\"更加严重。\\", "lat",
		                    38.921224, "long", 121.0, "unit_id", "area_id", (json_int_t)18,
		                    "due_at", "tags", "a", 1));
	char *text = json_dumps(want, JSON_COMPACT | JSON_REAL_PRECISION(15));
	cr_assert_str_eq(b.data, text);
	json_t *got = parse(&b);
	cr_assert(json_equal(got, want));
	free(text);
	json_decref(got);
	json_decref(want);
	buf_free(&b);
}

Test(jsonw, escapes_controls_and_replaces_bad_utf8)
{
	struct buf b = BUF_INIT;
	struct jsonw w;
	jw_init(&w, &b);
	jw_object(&w);
	jw_kstr(&w, "c", "a\nb\tc\rd\x01\x1f\b\f");
	jw_kstr(&w, "bad", "x\xff\xc3(y\xed\xa0\x80z\xe4\xb8"); /* stray, overlong-ish, surrogate, cut */
	jw_kstr(&w, "ok", "中文 😀");
	jw_kstr(&w, "null", NULL);
	jw_kreal(&w, "inf", INFINITY);
	jw_kreal(&w, "nan", NAN);
	jw_kreal(&w, "small", 1e-20);
	jw_end(&w);
	json_t *j = parse(&b);
	cr_assert_str_eq(json_string_value(json_object_get(j, "c")), "a\nb\tc\rd\x01\x1f\b\f");
	const char *bad = json_string_value(json_object_get(j, "bad"));
	cr_assert(bad);
	cr_assert(strstr(bad, "\xef\xbf\xbd"), "U+FFFD in place of bad bytes: %s", bad);
	cr_assert(strchr(bad, 'x') && strchr(bad, 'y') && strchr(bad, 'z'));
	cr_assert_str_eq(json_string_value(json_object_get(j, "ok")), "中文 😀");
	cr_assert(json_is_null(json_object_get(j, "null")));
	cr_assert(json_is_null(json_object_get(j, "inf")));
	cr_assert(json_is_null(json_object_get(j, "nan")));
	cr_assert(json_is_real(json_object_get(j, "small")));
	cr_assert_float_eq(json_real_value(json_object_get(j, "small")), 1e-20, 1e-30);
	json_decref(j);
	buf_free(&b);
}

Test(jsonw, empty_containers)
{
	struct buf b = BUF_INIT;
	struct jsonw w;
	jw_init(&w, &b);
	jw_array(&w);
	jw_object(&w);
	jw_end(&w);
	jw_array(&w);
	jw_end(&w);
	jw_end(&w);
	cr_assert_str_eq(b.data, "[{},[]]");
	buf_free(&b);
}

/* Every real prints as the json model prints it (%.15g, ".0" added to integers), whichever
 * path the writer takes: coordinates, rates, integers, negatives, tiny and huge values. */
Test(jsonw, reals_print_like_the_json_model)
{
	const double vals[] = {38.921224, 121.617547, -33.8688, 0.25, 1.0 / 3, 2.0 / 3, 0.1, 0.000001,
	                       0.0000001, 3.0, -3.0, 0.0, -0.0, 123456789.123456, 999999999.999999,
	                       1e9, 1e15, 1e-20, 6.02e23, 12.5, 100, 0.8, 22.5, 55.0 / 3, 98};
	unsigned seed = 7;
	for (int i = 0; i < 20000; i++) {
		double v;
		if (i < (int)(sizeof vals / sizeof vals[0])) {
			v = vals[i];
		} else {
			seed = seed * 1103515245u + 12345u;
			long long m = (long long)(seed % 400000000u) - 200000000;
			v = (double)m / (i % 2 ? 1e6 : 1e4); /* lat/long-like and 4-decimal values */
		}
		struct buf b = BUF_INIT;
		struct jsonw w;
		jw_init(&w, &b);
		jw_real(&w, v);
		json_t *j = json_real(v);
		char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		cr_assert_str_eq(b.data, want, "%.17g", v);
		free(want);
		json_decref(j);
		buf_free(&b);
	}
	struct buf b = BUF_INIT;
	struct jsonw w;
	jw_init(&w, &b);
	jw_array(&w);
	jw_int(&w, INT64_MIN);
	jw_int(&w, INT64_MAX);
	jw_int(&w, 0);
	jw_int(&w, -42);
	jw_end(&w);
	cr_assert_str_eq(b.data, "[-9223372036854775808,9223372036854775807,0,-42]");
	buf_free(&b);
}
