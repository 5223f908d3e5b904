/* The news feeds: Atom 1.0 (RFC 4287) and RSS 2.0 of the latest published articles, for feed
 * readers and the city's other sites. Written with libxml2's text writer, which escapes text
 * and attributes; the bodies go out as escaped HTML (type="html"), already cleaned. */
#include "portal/news.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_common.h"
#include "core/article_fsm.h"
#include "core/timefmt.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "store/db.h"

enum { FEED_ROWS = 20 };

static int sink(void *b, const char *p, int n)
{
	buf_add(b, p, (size_t)n);
	return n;
}

struct feed {
	xmlTextWriterPtr w;
	int rc;
};

static void elem(struct feed *f, const char *name, const char *text)
{
	if (f->rc >= 0)
		f->rc = xmlTextWriterWriteElement(f->w, BAD_CAST name, BAD_CAST text);
}

static void start(struct feed *f, const char *name)
{
	if (f->rc >= 0)
		f->rc = xmlTextWriterStartElement(f->w, BAD_CAST name);
}

static void attr(struct feed *f, const char *name, const char *value)
{
	if (f->rc >= 0)
		f->rc = xmlTextWriterWriteAttribute(f->w, BAD_CAST name, BAD_CAST value);
}

static void end(struct feed *f)
{
	if (f->rc >= 0)
		f->rc = xmlTextWriterEndElement(f->w);
}

static void link_elem(struct feed *f, const char *rel, const char *href, const char *type)
{
	start(f, "link");
	if (rel)
		attr(f, "rel", rel);
	attr(f, "href", href);
	if (type)
		attr(f, "type", type);
	end(f);
}

/* RFC 3339 (Atom) or RFC 822 (RSS) time in Beijing time. */
static const char *when(struct http_req *r, int64_t t, int rss)
{
	char out[40];
	if (!rss) {
		time_format_iso8601(t, 8 * 3600, out);
		return arena_strdup(r->arena, out);
	}
	/* The server never calls setlocale: strftime's names are the C locale's English ones. */
	time_t local = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0800", &tm);
	return arena_strdup(r->arena, out);
}

static int write_feed(struct http_req *r, struct db *db, int rss, struct buf *out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT a.id, a.kind, a.title, a.summary, a.body, a.published_at,"
	                  " a.updated_at, a.source FROM article a WHERE a.status = 'published'"
	                  " ORDER BY a.published_at DESC, a.id DESC LIMIT ?",
	                  DB_ARGS(db_int(FEED_ROWS)), &st, e);
	if (rc < 0)
		return rc;
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(sink, NULL, out, NULL);
	struct feed f = {.w = ob ? xmlNewTextWriter(ob) : NULL};
	if (!f.w) {
		if (ob)
			xmlOutputBufferClose(ob);
		db_done(st);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	const char *base = r->base_url;
	const char *home = arena_printf(r->arena, "%s/news", base);
	const char *self = arena_printf(r->arena, "%s/news/%s", base, rss ? "rss" : "atom");
	if (rss) {
		start(&f, "rss");
		attr(&f, "version", "2.0");
		start(&f, "channel");
		elem(&f, "title", "大连文明城市 · 创城动态");
		elem(&f, "link", home);
		elem(&f, "description", "创建全国文明典范城市的动态、经验做法和公益广告");
		elem(&f, "language", "zh-CN");
	} else {
		start(&f, "feed");
		attr(&f, "xmlns", "http://www.w3.org/2005/Atom");
		attr(&f, "xml:lang", "zh-CN");
		elem(&f, "title", "大连文明城市 · 创城动态");
		elem(&f, "id", home);
		link_elem(&f, "self", self, "application/atom+xml");
		link_elem(&f, NULL, home, "text/html");
	}
	int first = 1;
	while (f.rc >= 0 && (rc = db_step(st, e)) == DB_ROW) {
		const char *url =
		    arena_printf(r->arena, "%s/news/%lld", base, (long long)db_col_int(st, 0));
		const char *summary = db_col_text(st, 3);
		if (!rss && first)
			elem(&f, "updated", when(r, db_col_int(st, 6), 0));
		first = 0;
		start(&f, rss ? "item" : "entry");
		elem(&f, "title", db_col_text(st, 2));
		if (rss) {
			elem(&f, "link", url);
			elem(&f, "guid", url);
			elem(&f, "pubDate", when(r, db_col_int(st, 5), 1));
			elem(&f, "category", article_kind_label(db_col_text(st, 1)));
			elem(&f, "description", *summary ? summary : db_col_text(st, 4));
		} else {
			elem(&f, "id", url);
			link_elem(&f, NULL, url, "text/html");
			elem(&f, "published", when(r, db_col_int(st, 5), 0));
			elem(&f, "updated", when(r, db_col_int(st, 6), 0));
			start(&f, "author");
			elem(&f, "name", *db_col_text(st, 7) ? db_col_text(st, 7) : "大连市文明办");
			end(&f);
			start(&f, "category");
			attr(&f, "term", db_col_text(st, 1));
			attr(&f, "label", article_kind_label(db_col_text(st, 1)));
			end(&f);
			if (*summary)
				elem(&f, "summary", summary);
			start(&f, "content");
			attr(&f, "type", "html");
			if (f.rc >= 0)
				f.rc = xmlTextWriterWriteString(f.w, BAD_CAST db_col_text(st, 4));
			end(&f);
		}
		end(&f);
	}
	db_done(st);
	if (!rss && first)
		elem(&f, "updated", when(r, r->now, 0)); /* Atom requires it of an empty feed too */
	if (f.rc >= 0)
		f.rc = xmlTextWriterEndDocument(f.w);
	if (f.rc >= 0)
		f.rc = xmlTextWriterFlush(f.w);
	xmlFreeTextWriter(f.w); /* closes ob, flushing into out */
	if (rc < 0)
		return rc;
	return f.rc < 0 ? err_set(e, ERR_INTERNAL, "the feed could not be written") : 0;
}

static int feed(struct http_req *r, struct http_resp *w, int rss, struct err *e)
{
	struct db *db;
	struct buf out = BUF_INIT;
	int rc = api_db(r, &db, e);
	if (rc == 0 && (rc = write_feed(r, db, rss, &out, e)) == 0)
		api_body(r, w, &out,
		         rss ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8");
	buf_free(&out);
	return rc;
}

int portal_news_atom(struct http_req *r, struct http_resp *w, struct err *e)
{
	return feed(r, w, 0, e);
}

int portal_news_rss(struct http_req *r, struct http_resp *w, struct err *e)
{
	return feed(r, w, 1, e);
}
