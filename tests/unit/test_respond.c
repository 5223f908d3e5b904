/* Response bodies: JSON and XML from the same model, the Open311 error shape, gzip. */
#include <criterion/criterion.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#include "http/respond.h"

static struct buf out;

static void setup(void)
{
	buf_init(&out);
}
static void teardown(void)
{
	buf_free(&out);
	gzip_thread_release();
}

TestSuite(json, .init = setup, .fini = teardown);
TestSuite(xml, .init = setup, .fini = teardown);
TestSuite(gzip, .init = setup, .fini = teardown);

/* An Open311 services list with nested attributes, as a handler would build it. */
static json_t *services(void)
{
	return json_pack("[{s:s, s:s, s:b, s:s, s:[s, s], s:n, s:f, s:I}, {s:s, s:s, s:b}]",
	                 "service_code", "001", "service_name", "路灯不亮 & <其他>", "metadata", 1,
	                 "type", "realtime", "keywords", "灯", "路", "group", "lat", 38.914, "n",
	                 (json_int_t)-7, "service_code", "002", "service_name", "占道经营",
	                 "metadata", 0);
}

Test(json, compact_utf8_and_short_reals)
{
	json_t *j = services();
	cr_assert_eq(body_json(j, &out), 0);
	json_decref(j);
	cr_assert(strstr(out.data, "\"service_name\":\"路灯不亮 & <其他>\""), "%s", out.data);
	cr_assert(strstr(out.data, "\"lat\":38.914,"), "%s", out.data);
	cr_assert(strstr(out.data, "\"group\":null"));
	cr_assert_null(strchr(out.data, '\n'));
	cr_assert_null(strstr(out.data, ", "));
}

Test(json, error_shape)
{
	json_t *j = error_json(400, "`lat` must be a decimal number");
	cr_assert_eq(body_json(j, &out), 0);
	json_decref(j);
	cr_assert_str_eq(out.data,
	                 "[{\"code\":400,\"description\":\"`lat` must be a decimal number\"}]");
}

Test(json, error_with_invalid_utf8_message)
{
	json_t *j = error_json(400, "bad \xff\xfe input");
	cr_assert_not_null(j);
	cr_assert_eq(body_json(j, &out), 0);
	json_decref(j);
	cr_assert(strstr(out.data, "bad ?? input"), "%s", out.data);
}

static xmlDocPtr parse(void)
{
	xmlDocPtr doc = xmlReadMemory(out.data, (int)out.len, "x.xml", NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "not well-formed: %s", out.data);
	return doc;
}

static xmlNodePtr child(xmlNodePtr n, int idx)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && idx-- == 0)
			return c;
	return NULL;
}

static void assert_text(xmlNodePtr n, const char *name, const char *text)
{
	cr_assert_not_null(n);
	cr_assert_str_eq((const char *)n->name, name);
	xmlChar *t = xmlNodeGetContent(n);
	cr_assert_str_eq((const char *)t, text);
	xmlFree(t);
}

Test(xml, services_array_and_nesting)
{
	json_t *j = services();
	cr_assert_eq(body_xml(j, "services", &out), 0);
	json_decref(j);
	cr_assert(strncmp(out.data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>", 38) == 0, "%s",
	          out.data);
	cr_assert(strstr(out.data, "路灯不亮 &amp; &lt;其他&gt;"), "real UTF-8, escaped: %s",
	          out.data);
	xmlDocPtr doc = parse();
	xmlNodePtr root = xmlDocGetRootElement(doc);
	cr_assert_str_eq((const char *)root->name, "services");
	xmlNodePtr s0 = child(root, 0), s1 = child(root, 1);
	cr_assert_str_eq((const char *)s0->name, "service");
	cr_assert_str_eq((const char *)s1->name, "service");
	cr_assert_null(child(root, 2));
	assert_text(child(s0, 0), "service_code", "001");
	assert_text(child(s0, 1), "service_name", "路灯不亮 & <其他>");
	assert_text(child(s0, 2), "metadata", "true");
	xmlNodePtr kw = child(s0, 4);
	cr_assert_str_eq((const char *)kw->name, "keywords");
	assert_text(child(kw, 0), "item", "灯");
	assert_text(child(kw, 1), "item", "路");
	assert_text(child(s0, 5), "group", "");
	assert_text(child(s0, 6), "lat", "38.914");
	assert_text(child(s0, 7), "n", "-7");
	assert_text(child(s1, 2), "metadata", "false");
	xmlFreeDoc(doc);
}

Test(xml, service_definition_attributes_values)
{
	json_t *j = json_pack("{s:s, s:[{s:b, s:s, s:[{s:s, s:s}, {s:s, s:s}]}]}", "service_code",
	                      "001", "attributes", "variable", 1, "code", "WHERE", "values", "key",
	                      "1", "name", "路面", "key", "2", "name", "人行道");
	cr_assert_eq(body_xml(j, "service_definition", &out), 0);
	json_decref(j);
	xmlDocPtr doc = parse();
	xmlNodePtr root = xmlDocGetRootElement(doc);
	cr_assert_str_eq((const char *)root->name, "service_definition");
	xmlNodePtr attrs = child(root, 1);
	cr_assert_str_eq((const char *)attrs->name, "attributes");
	xmlNodePtr a0 = child(attrs, 0);
	cr_assert_str_eq((const char *)a0->name, "attribute");
	xmlNodePtr values = child(a0, 2);
	cr_assert_str_eq((const char *)values->name, "values");
	xmlNodePtr v1 = child(values, 1);
	cr_assert_str_eq((const char *)v1->name, "value");
	assert_text(child(v1, 1), "name", "人行道");
	xmlFreeDoc(doc);
}

Test(xml, errors_and_requests)
{
	json_t *j = error_json(404, "not found");
	cr_assert_eq(body_xml(j, "errors", &out), 0);
	json_decref(j);
	xmlDocPtr doc = parse();
	xmlNodePtr root = xmlDocGetRootElement(doc);
	cr_assert_str_eq((const char *)root->name, "errors");
	xmlNodePtr e = child(root, 0);
	cr_assert_str_eq((const char *)e->name, "error");
	assert_text(child(e, 0), "code", "404");
	assert_text(child(e, 1), "description", "not found");
	xmlFreeDoc(doc);

	buf_reset(&out);
	j = json_pack("[{s:s}]", "service_request_id", "DL123");
	cr_assert_eq(body_xml(j, "service_requests", &out), 0);
	json_decref(j);
	cr_assert(strstr(out.data, "<service_requests><request><service_request_id>DL123</"
	                           "service_request_id></request></service_requests>"),
	          "%s", out.data);
}

Test(xml, hostile_content_stays_well_formed)
{
	/* Control characters, U+FFFF, odd keys and nested arrays. */
	json_t *j = json_pack("{s:s, s:s, s:[[i, i]], s:f, s:f, s:i}", "t",
	                      "a\x01"
	                      "b\x1f"
	                      "c\tok\n",
	                      "2bad key<>", "x\xef\xbf\xbfy", "grid", 1, 2, "tiny", 1e-7, "big",
	                      1e20, "", 5);
	cr_assert_eq(body_xml(j, NULL, &out), 0);
	json_decref(j);
	xmlDocPtr doc = parse();
	xmlNodePtr root = xmlDocGetRootElement(doc);
	cr_assert_str_eq((const char *)root->name, "response");
	assert_text(child(root, 0), "t", "abc\tok\n");
	assert_text(child(root, 1), "_2bad_key__", "xy");
	xmlNodePtr grid = child(root, 2);
	cr_assert_str_eq((const char *)child(grid, 0)->name, "item");
	assert_text(child(child(grid, 0), 1), "item", "2");
	assert_text(child(root, 3), "tiny", "0.0000001");
	assert_text(child(root, 4), "big", "100000000000000000000");
	assert_text(child(root, 5), "_", "5");
	xmlFreeDoc(doc);
}

Test(xml, singular_table)
{
	cr_assert_str_eq(xml_singular("services"), "service");
	cr_assert_str_eq(xml_singular("service_requests"), "request");
	cr_assert_str_eq(xml_singular("errors"), "error");
	cr_assert_str_eq(xml_singular("attributes"), "attribute");
	cr_assert_str_eq(xml_singular("values"), "value");
	cr_assert_str_eq(xml_singular("endpoints"), "endpoint");
	cr_assert_str_eq(xml_singular("formats"), "format");
	cr_assert_str_eq(xml_singular("service_definition"), "service_definition");
	cr_assert_str_eq(xml_singular("keywords"), "item");
}

static void inflate_all(const void *in, size_t n, struct buf *res)
{
	z_stream z = {0};
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	unsigned char chunk[4096];
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	int rc;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof chunk;
		rc = inflate(&z, Z_NO_FLUSH);
		cr_assert(rc == Z_OK || rc == Z_STREAM_END, "inflate: %d", rc);
		buf_add(res, chunk, sizeof chunk - z.avail_out);
	} while (rc != Z_STREAM_END);
	cr_assert_eq(z.avail_in, 0);
	inflateEnd(&z);
}

Test(gzip, round_trip_twice_on_one_stream)
{
	struct buf src = BUF_INIT, back = BUF_INIT;
	for (int i = 0; i < 2000; i++)
		buf_printf(&src, "{\"service_request_id\":\"DL%06d\",\"status\":\"open\"},", i);
	for (int round = 0; round < 2; round++) {
		buf_reset(&out);
		buf_reset(&back);
		cr_assert_eq(gzip_compress(src.data, src.len, &out), 0);
		cr_assert_lt(out.len, src.len / 4);
		cr_assert_eq((unsigned char)out.data[0], 0x1f, "gzip magic");
		cr_assert_eq((unsigned char)out.data[1], 0x8b);
		inflate_all(out.data, out.len, &back);
		cr_assert_eq(back.len, src.len);
		cr_assert_eq(memcmp(back.data, src.data, src.len), 0);
	}
	/* Empty and incompressible inputs still round-trip. */
	buf_reset(&out);
	buf_reset(&back);
	cr_assert_eq(gzip_compress("", 0, &out), 0);
	inflate_all(out.data, out.len, &back);
	cr_assert_eq(back.len, 0);
	buf_free(&src);
	buf_free(&back);
}

Test(gzip, accept_encoding)
{
	cr_assert(accepts_gzip("gzip"));
	cr_assert(accepts_gzip("gzip, deflate, br"));
	cr_assert(accepts_gzip("deflate, GZIP;q=0.5"));
	cr_assert(accepts_gzip("x-gzip"));
	cr_assert(accepts_gzip("*"));
	cr_assert(accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	cr_assert_not(accepts_gzip(NULL));
	cr_assert_not(accepts_gzip(""));
	cr_assert_not(accepts_gzip("identity"));
	cr_assert_not(accepts_gzip("deflate, br"));
	cr_assert_not(accepts_gzip("gzip;q=0"));
	cr_assert_not(accepts_gzip("gzip; q=0.000, deflate"));
	cr_assert_not(accepts_gzip("*;q=0"));
	cr_assert_not(accepts_gzip("gzip;q=0, *"), "listed gzip;q=0 beats *");
	cr_assert_not(accepts_gzip("gzipx"));
}
