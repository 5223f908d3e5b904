/* The public portal's page shell (issue 8, docs/portal.md): server-rendered HTML that works
 * without JavaScript — the document head, a skip link, the header with the navigation and
 * the 关怀版 switch, the footer. In 关怀版 (cookie wm_care=1) the same markup gets the
 * large-type, high-contrast, single-column style (class "care" on <html>). */
#ifndef WM_PORTAL_PAGE_H
#define WM_PORTAL_PAGE_H

#include "http/http.h"
#include "lib/buf.h"

struct page {
	struct http_req *r;
	struct buf out; /* the document; handed to the response by page_close */
	int care;       /* 关怀版 */
};

/* Where a page sits in the navigation (its item is marked aria-current). */
enum page_nav {
	NAV_NONE,
	NAV_HOME,
	NAV_REPORT,
	NAV_TRACK,
	NAV_CASES,
	NAV_NEWS,
	NAV_SEARCH,
	NAV_MAP
};

/* Starts p for request r: everything up to the opening of <main>. title is text. */
void page_open(struct page *p, struct http_req *r, const char *title, enum page_nav nav);
/* Closes <main>, adds the footer, and makes the document w's body (status unchanged). */
void page_close(struct page *p, struct http_resp *w);
/* Whether the request carries the 关怀版 cookie. */
int page_care(const struct http_req *r);
/* The response cache's variant for pages: 'c' in 关怀版, '-' otherwise (http_config). */
char page_cache_variant(const struct http_req *r);
/* The class of <html> on the HTTP layer's error pages: "care" in 关怀版 (http_config). */
const char *page_error_class(const struct http_req *r);

/* Answers w with 303 See Other to location (a path of this site, trusted), not cached: the
 * end of every posted form and of the switches. */
int page_see_other(struct http_resp *w, const char *location);

/* A case's place as the public pages show it: district and street, or （未定位）. */
void page_place(struct page *p, const char *district, const char *street);

struct db;
/* A field choosing a district: 区域, 全市 or a district, chosen selected (its area code). */
int page_district_select(struct page *p, struct db *db, const char *chosen, struct err *e);
/* The options of every active category, grouped by kind and 大类 (<optgroup>), the one of
 * service_code chosen selected, each with its keywords as data-keywords. */
int page_category_options(struct page *p, struct db *db, const char *chosen, struct err *e);

/* What a page with a map ends with: Leaflet's style and script, the page's module
 * (e.g. "/static/portal/map.js"), and — when the server shows its tiles to the public
 * (`serve --tile-url … --tile-public`) — an element map_kit.js reads them from. */
void page_map_scripts(struct page *p, const char *module);

/* Escaped text into the page. */
void page_text(struct page *p, const char *s);
/* A literal of the program (trusted markup). */
void page_raw(struct page *p, const char *html);

#endif
