/* The CSV reader against RFC 4180 corner cases and broken input. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/csv.h"

static struct csv *open_s(const char *s)
{
	struct csv *c = NULL;
	struct err e = {0};
	cr_assert_eq(csv_open_mem("t.csv", s, strlen(s), &c, &e), 0, "%s", e.msg);
	return c;
}

/* Parses s fully (header + records) and returns the first error, or 0 with *nrec set. */
static int parse_all(const char *s, struct err *e, int *nrec)
{
	struct csv *c = open_s(s);
	int rc = csv_read_header(c, e), n = 0;
	while (rc == 0) {
		int r = csv_next(c, e);
		if (r <= 0) {
			rc = r;
			break;
		}
		n++;
	}
	if (nrec)
		*nrec = n;
	csv_free(c);
	return rc;
}

Test(csv, simple_rows_by_name)
{
	struct csv *c = open_s("code,name\n0101,私搭乱建\n0102,暴露垃圾\n");
	struct err e = {0};
	cr_assert_eq(csv_read_header(c, &e), 0);
	cr_assert_eq(csv_col(c, "name"), 1);
	cr_assert_eq(csv_col(c, "nope"), -1);
	cr_assert_eq(csv_next(c, &e), 1);
	cr_assert_str_eq(csv_get(c, "code"), "0101");
	cr_assert_str_eq(csv_get(c, "name"), "私搭乱建");
	cr_assert_null(csv_get(c, "nope"));
	cr_assert_eq(csv_line(c), 2);
	cr_assert_eq(csv_next(c, &e), 1);
	cr_assert_str_eq(csv_field(c, 1), "暴露垃圾");
	cr_assert_null(csv_field(c, 2));
	cr_assert_eq(csv_line(c), 3);
	cr_assert_eq(csv_next(c, &e), 0);
	cr_assert_eq(csv_next(c, &e), 0, "end stays the end");
	csv_free(c);
}

Test(csv, quotes_commas_newlines_crlf_bom)
{
	const char *s = "\xEF\xBB\xBF"
	                "a,b,c\r\n"
	                "\"x,y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
	                "\"\",,\"\"\"\"\r\n"
	                "last,\"\",end";
	struct csv *c = open_s(s);
	struct err e = {0};
	cr_assert_eq(csv_read_header(c, &e), 0, "%s", e.msg);
	cr_assert_eq(csv_col(c, "a"), 0, "BOM must not stick to the first name");
	cr_assert_eq(csv_next(c, &e), 1, "%s", e.msg);
	cr_assert_str_eq(csv_get(c, "a"), "x,y");
	cr_assert_str_eq(csv_get(c, "b"), "say \"hi\"");
	cr_assert_str_eq(csv_get(c, "c"), "two\r\nlines");
	cr_assert_eq(csv_line(c), 2);
	cr_assert_eq(csv_next(c, &e), 1, "%s", e.msg);
	cr_assert_eq(csv_line(c), 4, "a quoted newline counts as a line");
	cr_assert_str_eq(csv_field(c, 0), "");
	cr_assert_str_eq(csv_field(c, 1), "");
	cr_assert_str_eq(csv_field(c, 2), "\"");
	cr_assert_eq(csv_next(c, &e), 1, "no newline at the end is fine: %s", e.msg);
	cr_assert_str_eq(csv_field(c, 2), "end");
	cr_assert_eq(csv_next(c, &e), 0);
	csv_free(c);
}

Test(csv, trailing_empty_field_and_blank_lines)
{
	struct csv *c = open_s("\n\na,b\n\n1,\n\n\n2,x\n\n");
	struct err e = {0};
	cr_assert_eq(csv_read_header(c, &e), 0, "%s", e.msg);
	cr_assert_eq(csv_next(c, &e), 1, "%s", e.msg);
	cr_assert_str_eq(csv_field(c, 1), "");
	cr_assert_eq(csv_line(c), 5);
	cr_assert_eq(csv_next(c, &e), 1, "%s", e.msg);
	cr_assert_eq(csv_line(c), 8);
	cr_assert_eq(csv_next(c, &e), 0);
	csv_free(c);
}

Test(csv, unterminated_quote_names_the_opening_line)
{
	struct err e = {0};
	int rc = parse_all("a,b\n1,2\n3,\"open\nstill open\n", &e, NULL);
	cr_assert_eq(rc, ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:3: unterminated quoted field");
}

Test(csv, ragged_rows_are_errors)
{
	struct err e = {0};
	int n;
	cr_assert_eq(parse_all("a,b,c\n1,2,3\n4,5\n", &e, &n), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:3: 2 fields, the header has 3");
	cr_assert_eq(n, 1);
	cr_assert_eq(parse_all("a,b\n1,2\n\"multi\nline\",2,3\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:3: 3 fields, the header has 2");
}

Test(csv, stray_quotes_and_bare_cr)
{
	struct err e = {0};
	cr_assert_eq(parse_all("a,b\nx\"y,2\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:2: quote inside an unquoted field");
	cr_assert_eq(parse_all("a,b\n\"x\"y,2\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:2: unexpected character after a closing quote");
	cr_assert_eq(parse_all("a,b\n1,2\r3,4\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:2: carriage return without line feed");
}

Test(csv, nul_byte_is_rejected)
{
	struct csv *c = NULL;
	struct err e = {0};
	const char s[] = "a,b\n1,x\0y\n";
	cr_assert_eq(csv_open_mem("t.csv", s, sizeof s - 1, &c, &e), 0);
	cr_assert_eq(csv_read_header(c, &e), 0);
	cr_assert_eq(csv_next(c, &e), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:2: NUL byte in input");
	csv_free(c);
}

Test(csv, bad_headers)
{
	struct err e = {0};
	cr_assert_eq(parse_all("", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:1: empty file: no header row");
	cr_assert_eq(parse_all("\xEF\xBB\xBF", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_eq(parse_all("a,,c\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:1: header column 2 is empty");
	cr_assert_eq(parse_all("a,b,a\n", &e, NULL), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:1: header column \"a\" appears twice");
}

Test(csv, require_columns)
{
	struct csv *c = open_s("code,name\n");
	struct err e = {0};
	cr_assert_eq(csv_read_header(c, &e), 0);
	const char *ok[] = {"name", "code", NULL};
	const char *missing[] = {"code", "kind", NULL};
	cr_assert_eq(csv_require(c, ok, &e), 0);
	cr_assert_eq(csv_require(c, missing, &e), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "t.csv:1: header has no column \"kind\"");
	csv_free(c);
}

Test(csv, csv_error_formats_with_record_line)
{
	struct csv *c = open_s("a\n\"x\ny\"\nz\n");
	struct err e = {0};
	cr_assert_eq(csv_read_header(c, &e), 0);
	cr_assert_eq(csv_next(c, &e), 1);
	cr_assert_eq(csv_next(c, &e), 1);
	cr_assert_eq(csv_error(c, &e, ERR_UNPROCESSABLE, "bad %s", csv_field(c, 0)),
	             ERR_UNPROCESSABLE);
	cr_assert_str_eq(e.msg, "t.csv:4: bad z");
	csv_free(c);
}

Test(csv, next_before_header_and_missing_file)
{
	struct csv *c = open_s("a\n1\n");
	struct err e = {0};
	cr_assert_eq(csv_next(c, &e), ERR_INTERNAL);
	csv_free(c);
	cr_assert_eq(csv_open_file("/nonexistent/x.csv", &c, &e), ERR_NOT_FOUND);
	cr_assert(strstr(e.msg, "/nonexistent/x.csv") != NULL);
}

Test(csv, open_file_reads_a_file)
{
	char path[] = "/tmp/wm_csv_XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	const char *s = "k,v\r\n1,\"a\r\nb\"\r\n";
	cr_assert_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	struct csv *c = NULL;
	struct err e = {0};
	cr_assert_eq(csv_open_file(path, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(csv_name(c), path);
	cr_assert_eq(csv_read_header(c, &e), 0);
	cr_assert_eq(csv_next(c, &e), 1);
	cr_assert_str_eq(csv_get(c, "v"), "a\r\nb");
	cr_assert_eq(csv_next(c, &e), 0);
	csv_free(c);
	unlink(path);
}
