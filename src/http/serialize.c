/* Response bodies from the json model: compact JSON, or XML in the Open311 shape (objects are
 * child elements per key; arrays repeat the singular of their name, e.g. services/service). */
#include "http/respond.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "lib/utf8.h"

/* JSON_REAL_PRECISION(15): doubles come from decimal input or coordinates; 17 digits would
 * print 38.914 as 38.914000000000001. */
enum { JSON_FLAGS = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15) };

static int buf_sink(const char *p, size_t n, void *b)
{
	buf_add(b, p, n);
	return 0;
}

int body_json(const json_t *j, struct buf *out)
{
	return json_dump_callback(j, buf_sink, out, JSON_FLAGS) == 0 ? 0 : -1;
}

static const struct {
	const char *plural, *singular;
} singulars[] = {
    {"services", "service"}, {"service_requests", "request"},
    {"errors", "error"},     {"attributes", "attribute"},
    {"values", "value"},     {"endpoints", "endpoint"},
    {"formats", "format"},   {"service_definition", "service_definition"},
};

const char *xml_singular(const char *plural)
{
	for (size_t i = 0; i < sizeof singulars / sizeof singulars[0]; i++)
		if (strcmp(plural, singulars[i].plural) == 0)
			return singulars[i].singular;
	return "item";
}

/* Doubles as plain decimals: 15 significant digits, never an exponent. */
static void format_double(double d, char out[400])
{
	if (!isfinite(d)) {
		strcpy(out, "");
		return;
	}
	snprintf(out, 400, "%.15g", d);
	if (!strchr(out, 'e'))
		return;
	/* Tiny or huge: fixed notation with enough places, then trim trailing zeros. */
	int places = 0;
	double a = fabs(d);
	if (a < 1)
		places = (int)(-floor(log10(a))) + 15;
	if (places > 340)
		places = 340;
	snprintf(out, 400, "%.*f", places, d);
	char *dot = strchr(out, '.');
	if (dot) {
		char *z = out + strlen(out) - 1;
		while (z > dot && *z == '0')
			*z-- = '\0';
		if (z == dot)
			*z = '\0';
	}
}

/* Element names come from our own keys, but an XML name is stricter than a JSON key: replace
 * what would make the document ill-formed. */
static const char *xml_name(const char *key, char out[128])
{
	size_t n = 0;
	for (const char *k = key; *k && n < 126; k++) {
		char c = *k;
		bool start = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
		bool namechar = start || (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (n == 0 && !start)
			out[n++] = '_'; /* "2x" or "-x" cannot start a name: prefix it */
		out[n++] = namechar ? c : '_';
	}
	if (n == 0)
		out[n++] = '_';
	out[n] = '\0';
	return out;
}

/* Text for XML: C0 controls other than \t \n \r and U+FFFE/U+FFFF are not XML characters at
 * all. Validated input never holds them; strip them anyway rather than emit a broken document.
 * Returns s itself when clean, else a malloc'd copy in *tofree. */
static const char *xml_text(const char *s, size_t len, char **tofree)
{
	*tofree = NULL;
	size_t i = 0;
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBF &&
		     ((unsigned char)s[i + 2] & 0xFE) == 0xBE))
			break;
	}
	if (i == len && !memchr(s, '\0', len))
		return s;
	char *o = malloc(len + 1);
	if (!o)
		return NULL;
	size_t n = 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		if (c == 0xEF && i + 2 < len && (unsigned char)s[i + 1] == 0xBF &&
		    ((unsigned char)s[i + 2] & 0xFE) == 0xBE) {
			i += 2;
			continue;
		}
		o[n++] = (char)c;
	}
	o[n] = '\0';
	*tofree = o;
	return o;
}

static int xml_value(xmlTextWriterPtr w, const char *name, const json_t *v, int depth);

static int xml_scalar(xmlTextWriterPtr w, const json_t *v)
{
	char num[400];
	const char *text = NULL;
	char *tofree = NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		text = xml_text(json_string_value(v), json_string_length(v), &tofree);
		if (!text)
			return -1;
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		text = num;
		break;
	case JSON_REAL:
		format_double(json_real_value(v), num);
		text = num;
		break;
	case JSON_TRUE:
		text = "true";
		break;
	case JSON_FALSE:
		text = "false";
		break;
	default: /* null: an empty element */
		return 0;
	}
	int rc = text[0] ? xmlTextWriterWriteString(w, (const xmlChar *)text) : 0;
	free(tofree);
	return rc < 0 ? -1 : 0;
}

/* <name>…</name> for any value; depth bounds recursion on hostile models. */
static int xml_value(xmlTextWriterPtr w, const char *name, const json_t *v, int depth)
{
	char nm[128];
	if (depth > 64 || xmlTextWriterStartElement(w, (const xmlChar *)xml_name(name, nm)) < 0)
		return -1;
	if (json_is_object(v)) {
		const char *key;
		const json_t *child;
		json_object_foreach((json_t *)v, key, child)
		{
			if (xml_value(w, key, child, depth + 1) < 0)
				return -1;
		}
	} else if (json_is_array(v)) {
		const char *item = xml_singular(name);
		size_t i;
		const json_t *child;
		json_array_foreach(v, i, child)
		{
			if (xml_value(w, item, child, depth + 1) < 0)
				return -1;
		}
	} else if (xml_scalar(w, v) < 0) {
		return -1;
	}
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int xml_sink(void *b, const char *p, int n)
{
	buf_add(b, p, (size_t)n);
	return n;
}

int body_xml(const json_t *j, const char *root, struct buf *out)
{
	/* The declaration is written by hand: asking the writer for encoding="utf-8" would run
	 * every byte through an identity UTF-8 converter. */
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(xml_sink, NULL, out, NULL);
	if (!ob)
		return -1;
	xmlTextWriterPtr w = xmlNewTextWriter(ob);
	if (!w) {
		xmlOutputBufferClose(ob);
		return -1;
	}
	int rc = xml_value(w, root ? root : "response", j, 0);
	if (rc == 0 && xmlTextWriterFlush(w) < 0)
		rc = -1;
	xmlFreeTextWriter(w); /* closes ob, flushing into out */
	return rc;
}

/* Messages can quote client input; jansson refuses invalid UTF-8, so replace such bytes. */
static json_t *json_text(const char *msg)
{
	size_t n = strlen(msg);
	if (utf8_valid(msg, n))
		return json_stringn(msg, n);
	char clean[sizeof((struct err *)0)->msg];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < sizeof clean; i++)
		clean[k++] = (unsigned char)msg[i] < 0x80 ? msg[i] : '?';
	clean[k] = '\0';
	return json_string(clean);
}

json_t *error_json(int status, const char *msg)
{
	return json_pack("[{s:i, s:o}]", "code", status, "description", json_text(msg));
}
