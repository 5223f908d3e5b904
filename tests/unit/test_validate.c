#include <criterion/criterion.h>

#include "core/validate.h"

#include <string.h>

#define TEXT(lit, lo, hi, ml) validate_text(lit, sizeof(lit) - 1, lo, hi, ml)
#define EMAIL(s) validate_email(s, strlen(s))
#define SCODE(s) validate_service_code(s, strlen(s))
#define JID(s) validate_jurisdiction_id(s, strlen(s))

static bool phone(const char *s, const char *want)
{
	char nat[VALIDATE_PHONE_MAX] = "untouched";
	bool ok = validate_phone(s, strlen(s), nat);
	if (!ok)
		return !want && strcmp(nat, "untouched") == 0;
	return want && strcmp(nat, want) == 0;
}

Test(validate, text_counts_code_points)
{
	cr_expect_eq(TEXT("", 0, 10, false), VALIDATE_OK);
	cr_expect_eq(TEXT("", 1, 10, false), VALIDATE_TOO_SHORT);
	cr_expect_eq(TEXT("井盖丢失", 4, 4, false), VALIDATE_OK); /* 12 bytes, 4 characters */
	cr_expect_eq(TEXT("井盖丢失", 1, 3, false), VALIDATE_TOO_LONG);
	cr_expect_eq(TEXT("井盖丢失", 5, 10, false), VALIDATE_TOO_SHORT);
	cr_expect_eq(TEXT("🚧🚧", 2, 2, false), VALIDATE_OK);
	cr_expect_eq(TEXT("abc", 3, 3, false), VALIDATE_OK);
	cr_expect_eq(TEXT("abcd", 3, 3, false), VALIDATE_TOO_LONG);
	char big[4001 * 3 + 1] = "";
	for (int i = 0; i < 4001; i++)
		strcat(big, "字");
	cr_expect_eq(validate_text(big, strlen(big), 1, 4000, true), VALIDATE_TOO_LONG);
	cr_expect_eq(validate_text(big, strlen(big) - 3, 1, 4000, true), VALIDATE_OK);
	cr_expect_eq(validate_text(NULL, 0, 0, 10, false), VALIDATE_OK);
	cr_expect_eq(validate_text(NULL, 3, 0, 10, false), VALIDATE_ENCODING);
}

Test(validate, text_rejects_bad_bytes_and_controls)
{
	cr_expect_eq(TEXT("a\xC0\xAF", 0, 10, true), VALIDATE_ENCODING);
	cr_expect_eq(TEXT("a\0b", 0, 10, true), VALIDATE_ENCODING); /* NUL: never text */
	cr_expect_eq(TEXT("\xE5\xA4", 0, 10, true), VALIDATE_ENCODING);
	cr_expect_eq(TEXT("第一行\n第二行", 0, 10, true), VALIDATE_OK);
	cr_expect_eq(TEXT("第一行\n第二行", 0, 10, false), VALIDATE_CONTROL);
	cr_expect_eq(TEXT("a\tb", 0, 10, false), VALIDATE_CONTROL);
	cr_expect_eq(TEXT("a\x1B[2Jb", 0, 10, true), VALIDATE_CONTROL);
	cr_expect_eq(TEXT("a\xC2\x85", 0, 10, true), VALIDATE_CONTROL);
	/* encoding is checked before length, controls before length */
	cr_expect_eq(TEXT("\xFF\xFF\xFF", 0, 1, true), VALIDATE_ENCODING);
	cr_expect_eq(TEXT("\x01\x01", 5, 10, true), VALIDATE_CONTROL);
}

Test(validate, messages)
{
	cr_expect_str_eq(validate_message(VALIDATE_OK), "");
	cr_expect_str_eq(validate_message(VALIDATE_TOO_LONG), "内容过长");
	cr_expect_neq(validate_message(VALIDATE_ENCODING)[0], '\0');
	cr_expect_neq(validate_message(VALIDATE_CONTROL)[0], '\0');
	cr_expect_neq(validate_message(VALIDATE_TOO_SHORT)[0], '\0');
	cr_expect_neq(validate_message(-42)[0], '\0');
}

Test(validate, email_accepts)
{
	cr_expect(EMAIL("wmb@dl.gov.cn"));
	cr_expect(EMAIL("zhang.san+311@example.com"));
	cr_expect(EMAIL("a@b.co"));
	cr_expect(EMAIL("123456@qq.com"));
	cr_expect(EMAIL("o'brien@example.org"));
	cr_expect(EMAIL("x_y-z@mail-1.example.com"));
	cr_expect(EMAIL("User@Example.COM"));
	cr_expect(EMAIL("a@example.xn--fiqs8s")); /* .中国 in punycode */
	cr_expect(EMAIL("a@b.c1"));
	char local64[80], local65[80];
	memset(local64, 'a', 64), strcpy(local64 + 64, "@example.com");
	memset(local65, 'a', 65), strcpy(local65 + 65, "@example.com");
	cr_expect(EMAIL(local64));
	cr_expect_not(EMAIL(local65));
}

Test(validate, email_rejects)
{
	static const char *bad[] = {
	    "",
	    "@",
	    "a@",
	    "@b.com",
	    "ab.com",
	    "a@@b.com",
	    "a@b@c.com",
	    "a@b",
	    "a@localhost",
	    ".a@b.com",
	    "a.@b.com",
	    "a..b@c.com",
	    "a b@c.com",
	    "a@b .com",
	    "a@b..com",
	    "a@.b.com",
	    "a@b.com.",
	    "a@-b.com",
	    "a@b-.com",
	    "a@b_c.com",
	    "a@[1.2.3.4]",
	    "a@1.2.3.4",
	    "\"a b\"@c.com",
	    "a(b)@c.com",
	    "a,b@c.com",
	    "张三@example.com",
	    "a@例子.中国",
	    "a@b.com\n",
	    " a@b.com",
	    "a@b.com ",
	    "a<b>@c.com",
	    "a\\b@c.com",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_not(EMAIL(bad[i]), "accepted: %s", bad[i]);
	cr_expect_not(validate_email("a@b.com\0x", 9));
	cr_expect_not(validate_email(NULL, 0));
	char label64[100];
	strcpy(label64, "a@");
	memset(label64 + 2, 'b', 64), strcpy(label64 + 66, ".com");
	cr_expect_not(EMAIL(label64));
	label64[2 + 63] = '.'; /* a 63-byte label, then an empty one */
	cr_expect_not(EMAIL(label64));
	char long_email[300];
	strcpy(long_email, "a@");
	for (int i = 0; i < 5; i++)
		strcat(long_email,
		       "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."); /* 51 each */
	strcat(long_email, "com");
	cr_expect_eq(strlen(long_email), 260);
	cr_expect_not(EMAIL(long_email));
}

Test(validate, phone_mobile)
{
	cr_expect(phone("13912345678", "13912345678"));
	cr_expect(phone("19912345678", "19912345678"));
	cr_expect(phone("16612345678", "16612345678"));
	cr_expect(phone("139 1234 5678", "13912345678"));
	cr_expect(phone("139-1234-5678", "13912345678"));
	cr_expect(phone("+8613912345678", "13912345678"));
	cr_expect(phone("+86 139 1234 5678", "13912345678"));
	cr_expect(phone("+86-13912345678", "13912345678"));
	cr_expect(phone("12912345678", NULL)); /* 1[3-9] */
	cr_expect(phone("10912345678", NULL));
	cr_expect(phone("1391234567", NULL));    /* 10 digits */
	cr_expect(phone("139123456789", NULL));  /* 12 digits */
	cr_expect(phone("8613912345678", NULL)); /* 86 without the + */
	cr_expect(phone("+86+8613912345678", NULL));
	cr_expect(phone("+85213912345678", NULL));
	cr_expect(phone("139  1234 5678", NULL)); /* doubled separator */
	cr_expect(phone(" 13912345678", NULL));
	cr_expect(phone("13912345678 ", NULL));
	cr_expect(phone("13912345678-", NULL));
	cr_expect(phone("139 - 1234", NULL));
	cr_expect(phone("139.1234.5678", NULL));
	cr_expect(phone("１３９１２３４５６７８", NULL)); /* full-width digits: not here */
	cr_expect(phone("", NULL));
	cr_expect(phone("+86", NULL));
	cr_expect(phone("+86 ", NULL));
	cr_expect(phone("1", NULL));
	cr_expect(phone("12345", NULL)); /* the hotline is not a contact number */
	cr_expect_not(validate_phone("1391234\0"
	                             "5678",
	                             12, NULL));
	cr_expect_not(validate_phone(NULL, 0, NULL));
	cr_expect(validate_phone("13912345678", 11, NULL)); /* national may be NULL */
}

Test(validate, phone_landline)
{
	cr_expect(phone("0411-84123456", "041184123456")); /* Dalian */
	cr_expect(phone("0411 8412345", "04118412345"));   /* 7-digit number */
	cr_expect(phone("041184123456", "041184123456"));
	cr_expect(phone("010-62345678", "01062345678")); /* Beijing */
	cr_expect(phone("021-62345678", "02162345678")); /* Shanghai */
	cr_expect(phone("+86 411 84123456", "041184123456"));
	cr_expect(phone("+86-10-62345678", "01062345678"));
	cr_expect(phone("+862162345678", "02162345678"));
	cr_expect(phone("0755-2345678", "07552345678"));
	cr_expect(phone("010-6234567", NULL));    /* two-digit area codes: 8 digits */
	cr_expect(phone("0411-841234567", NULL)); /* 9 digits */
	cr_expect(phone("0411-841234", NULL));    /* 6 digits */
	cr_expect(phone("0411-04123456", NULL));  /* a number does not start with 0 */
	cr_expect(phone("0411-14123456", NULL));  /* ... nor with 1 */
	cr_expect(phone("011-62345678", NULL));   /* no area code 11 */
	cr_expect(phone("00411-84123456", NULL));
	cr_expect(phone("+86 0411 84123456", NULL)); /* no trunk 0 after +86 */
	cr_expect(phone("411-84123456", NULL));      /* domestic needs the trunk 0 */
	cr_expect(phone("(0411)84123456", NULL));
	cr_expect(phone("0411-8412-3456", "041184123456"));
	cr_expect(phone("0", NULL));
	cr_expect(phone("04", NULL));
	cr_expect(phone("0411", NULL));
	cr_expect(phone("01", NULL));
}

Test(validate, service_code)
{
	cr_expect(SCODE("E0101"));
	cr_expect(SCODE("P0101"));
	cr_expect(SCODE("001"));
	cr_expect(SCODE("street-light.broken_2"));
	cr_expect(SCODE("A"));
	cr_expect(SCODE("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")); /* 32 */
	cr_expect_not(SCODE("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"));
	cr_expect_not(SCODE(""));
	cr_expect_not(SCODE("-E0101"));
	cr_expect_not(SCODE(".E0101"));
	cr_expect_not(SCODE("E 0101"));
	cr_expect_not(SCODE("E0101;DROP"));
	cr_expect_not(SCODE("E0101/1"));
	cr_expect_not(SCODE("井盖"));
	cr_expect_not(validate_service_code("E01\0"
	                                    "01",
	                                    5));
	cr_expect_not(validate_service_code(NULL, 0));
}

Test(validate, jurisdiction_id)
{
	cr_expect(JID("dalian.gov.cn"));
	cr_expect(JID("wenming.dl.gov.cn"));
	cr_expect(JID("city_1"));
	cr_expect(JID("210200"));
	cr_expect(JID("Dalian-City.example"));
	cr_expect_not(JID(""));
	cr_expect_not(JID(".dalian.gov.cn"));
	cr_expect_not(JID("dalian.gov.cn."));
	cr_expect_not(JID("dalian..cn"));
	cr_expect_not(JID("dalian gov"));
	cr_expect_not(JID("dalian/gov"));
	cr_expect_not(JID("大连"));
	cr_expect_not(JID("a:b"));
	char id64[70], id65[70];
	memset(id64, 'a', 64), id64[64] = '\0';
	memset(id65, 'a', 65), id65[65] = '\0';
	cr_expect(JID(id64));
	cr_expect_not(JID(id65));
	cr_expect_not(validate_jurisdiction_id(NULL, 0));
}

Test(validate, tile_url)
{
	char o[64];
	cr_assert_eq(validate_tile_url("https://tiles.example.cn/{z}/{x}/{y}.png", o, sizeof o), 0);
	cr_assert_str_eq(o, "https://tiles.example.cn");
	cr_assert_eq(
	    validate_tile_url("http://10.0.0.5:8081/osm/{z}/{x}/{y}.png?k=1&s={s}", o, sizeof o),
	    0);
	cr_assert_str_eq(o, "http://10.0.0.5:8081");
	cr_assert_eq(validate_tile_url("http://[::1]:9000/{z}/{x}/{y}", o, sizeof o), 0);
	cr_assert_str_eq(o, "http://[::1]:9000");
	const char *bad[] = {
	    "ftp://tiles.example.cn/{z}/{x}/{y}.png",         /* not http(s) */
	    "https://tiles.example.cn/{z}/{x}.png",           /* no {y} */
	    "https://tiles.example.cn",                       /* no path */
	    "https:///{z}/{x}/{y}",                           /* no host */
	    "https://a.cn; script-src *//{z}/{x}/{y}",        /* would end the CSP directive */
	    "https://user@tiles.cn/{z}/{x}/{y}",              /* credentials in the host */
	    "https://tiles.cn/{z}/{x}/{y}.png\" onerror=\"x", /* a quote */
	    "https://tiles.cn/{z}/{x}/{y}<b>",                /* markup */
	    "//tiles.cn/{z}/{x}/{y}",                         /* scheme-relative */
	    "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(validate_tile_url(bad[i], o, sizeof o), -1, "%s", bad[i]);
	char tiny[8];
	cr_assert_eq(validate_tile_url("https://tiles.example.cn/{z}/{x}/{y}", tiny, sizeof tiny),
	             -1, "an origin longer than the buffer is refused");
}
