/* core/mask: house numbers, phone and ID numbers, and points as the public sees them. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/geo.h"
#include "core/mask.h"
#include "lib/utf8.h"

static const char *run(void (*fn)(const char *, struct buf *), const char *s)
{
	static char out[1024];
	struct buf b = BUF_INIT;
	fn(s, &b);
	snprintf(out, sizeof out, "%s", b.data);
	buf_free(&b);
	return out;
}

static const char *addr(const char *s)
{
	return run(mask_address, s);
}

static const char *text(const char *s)
{
	return run(mask_text, s);
}

Test(mask, house_numbers_before_their_word)
{
	cr_assert_str_eq(addr("中山路123号"), "中山路**号");
	cr_assert_str_eq(addr("3栋2单元501室"), "**栋**单元**室");
	cr_assert_str_eq(addr("人民路 12 号"), "人民路 ** 号", "spaces between are kept");
	cr_assert_str_eq(addr("长江路１２号"), "长江路**号", "full-width digits");
	cr_assert_str_eq(addr("长江路1２3號"), "长江路**號", "mixed widths, traditional 号");
	cr_assert_str_eq(addr("3-2-501室"), "**室", "a dashed number is one number");
	cr_assert_str_eq(addr("幸福里5弄3幢12户"), "幸福里**弄**幢**户");
	cr_assert_str_eq(addr("一二九街7门"), "一二九街**门");
	cr_assert_str_eq(addr("20号楼　5　单元"), "**号楼　**　单元", "ideographic spaces too");
}

Test(mask, hash_before_and_after)
{
	cr_assert_str_eq(addr("幸福小区#501"), "幸福小区#**");
	cr_assert_str_eq(addr("幸福小区＃５０１"), "幸福小区＃**");
	cr_assert_str_eq(addr("3#楼"), "**#楼");
}

Test(mask, other_numbers_stay)
{
	cr_assert_str_eq(addr("五四路"), "五四路");
	cr_assert_str_eq(addr("中山路与人民路交叉口东北角"), "中山路与人民路交叉口东北角");
	cr_assert_str_eq(addr("一二九街 200米处"), "一二九街 200米处");
	cr_assert_str_eq(addr("G15 沈海高速"), "G15 沈海高速");
	cr_assert_str_eq(addr("3个井盖"), "3个井盖");
	cr_assert_str_eq(addr("38.914, 121.6147"), "38.914, 121.6147");
	/* the address function leaves phone numbers to mask_text */
	cr_assert_str_eq(addr("13812345678"), "13812345678");
}

Test(mask, edges)
{
	cr_assert_str_eq(addr(""), "");
	cr_assert_str_eq(text(""), "");
	cr_assert_str_eq(addr(NULL), "");
	cr_assert_str_eq(addr("123"), "123", "only digits, no word after");
	cr_assert_str_eq(addr("123号"), "**号");
	cr_assert_str_eq(addr("号123"), "号123", "the word before does not count");
	cr_assert_str_eq(addr("1"), "1");
	cr_assert_str_eq(addr("-1号-"), "-**号-", "a leading dash is not part of the number");
	cr_assert_str_eq(addr("12- 号"), "12- 号", "nor a trailing one");
	cr_assert_str_eq(text("1234567"), "***", "only digits, a phone-length number");
	cr_assert_str_eq(text("１２３４５６７８"), "***", "full-width");
}

Test(mask, phones_and_ids_in_text)
{
	cr_assert_str_eq(text("请联系13812345678谢谢"), "请联系***谢谢");
	cr_assert_str_eq(text("电话 138 1234 5678。"), "电话 ***。");
	cr_assert_str_eq(text("座机0411-88888888"), "座机***");
	cr_assert_str_eq(text("电话：１３８－１２３４－５６７８"), "电话：***");
	cr_assert_str_eq(text("身份证210202199001011234"), "身份证***");
	cr_assert_str_eq(text("身份证21020219900101123X号"), "身份证***号");
	cr_assert_str_eq(text("身份证21020219900101123x"), "身份证***");
	cr_assert_str_eq(text("中山路123号有3个井盖缺失，200米外也有"),
	                 "中山路**号有3个井盖缺失，200米外也有");
	cr_assert_str_eq(text("3栋2单元501室楼道，电话138-1234-5678"),
	                 "**栋**单元**室楼道，电话***");
	cr_assert_str_eq(text("2026-05-01起一直没人管"), "2026-05-01起一直没人管", "a date");
	cr_assert_str_eq(text("123456 号"), "** 号", "six digits is a house number at most");
	cr_assert_str_eq(text("共 2 3 处"), "共 2 3 处", "short counts joined by a space stay");
}

Test(mask, never_splits_a_character)
{
	const char *samples[] = {"中山路１２３号", "电话１３８１２３４５６７８",
	                         "＃５０１",       "3栋",
	                         "\xEF\xBC",       "9\xEF\xBC\x99",
	                         "1\xEF"};
	for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
		struct buf b = BUF_INIT;
		mask_text(samples[i], &b);
		if (utf8_valid(samples[i], strlen(samples[i])))
			cr_assert(utf8_valid(b.data, b.len), "%s -> %s", samples[i], b.data);
		buf_free(&b);
	}
	/* a truncated full-width digit at the end is copied as it came */
	cr_assert_str_eq(text("12\xEF\xBC"), "12\xEF\xBC");
}

Test(mask, points_snap_to_the_centre_of_a_200_m_cell)
{
	const double pts[][2] = {{38.9140, 121.6147},  {38.91, 121.66},     {0, 0},
	                         {-33.8688, 151.2093}, {89.9999, 179.9999}, {39.0, -0.0001}};
	for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
		double lat, lon;
		mask_point(pts[i][0], pts[i][1], &lat, &lon);
		cr_assert(geo_point_valid(lat, lon));
		double d = geo_distance_m(pts[i][0], pts[i][1], lat, lon);
		if (fabs(pts[i][0]) < 80)
			cr_assert_leq(d, 0.71 * MASK_CELL_M + 1, "(%f, %f) moved %f m", pts[i][0],
			              pts[i][1], d);
		/* the masked point masks to itself: it is a cell's centre */
		double lat2, lon2;
		mask_point(lat, lon, &lat2, &lon2);
		cr_assert_float_eq(lat2, lat, 1e-9);
		cr_assert_float_eq(lon2, lon, 1e-9);
	}
	/* two points of one cell give the same answer; the cell is ~200 m by ~200 m */
	double a_lat, a_lon, b_lat, b_lon;
	mask_point(38.91401, 121.61471, &a_lat, &a_lon);
	mask_point(38.91402, 121.61472, &b_lat, &b_lon);
	cr_assert(a_lat == b_lat && a_lon == b_lon);
	double n_lat, n_lon, e_lat, e_lon;
	/* rows are 200 m apart (a row's cells need not line up with the next row's) */
	mask_point(a_lat + MASK_CELL_LAT_DEG, a_lon, &n_lat, &n_lon);
	cr_assert_float_eq(geo_distance_m(a_lat, a_lon, n_lat, a_lon), MASK_CELL_M, 1.0);
	mask_point(a_lat, a_lon + MASK_CELL_LAT_DEG / cos(a_lat * M_PI / 180), &e_lat, &e_lon);
	cr_assert_float_eq(geo_distance_m(a_lat, a_lon, e_lat, e_lon), MASK_CELL_M, 1.0);
	/* the true point is not given back */
	mask_point(38.9140, 121.6147, &a_lat, &a_lon);
	cr_assert(a_lat != 38.9140 || a_lon != 121.6147);
}

Test(mask, json_string_of_the_masked_text)
{
	json_t *s = mask_json("电话13812345678，中山路123号", mask_text);
	cr_assert_not_null(s);
	cr_assert_str_eq(json_string_value(s), "电话***，中山路**号");
	json_decref(s);
	s = mask_json("", mask_address);
	cr_assert_str_eq(json_string_value(s), "");
	json_decref(s);
}

Test(mask, json_when_masked_or_as_written)
{
	json_t *a = mask_json_when(1, "中山路123号", mask_address);
	json_t *b = mask_json_when(0, "中山路123号", mask_address);
	cr_assert_str_eq(json_string_value(a), "中山路**号");
	cr_assert_str_eq(json_string_value(b), "中山路123号");
	json_decref(a);
	json_decref(b);
}
