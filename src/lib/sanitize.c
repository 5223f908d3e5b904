/* The allow-list sanitiser. libxml2's HTML parser turns whatever was typed or pasted into a
 * tree; one walk without recursion writes back only what the tables below allow, every text
 * and attribute value through html_text. Nothing of the input reaches the output unescaped, no
 * element we write has raw text or foreign content, so however a browser re-parses the result,
 * it finds only our tags.
 *
 * The output is also what libxml2 parses back to the same tree, which makes sanitising
 * idempotent: elements only go where the parser leaves them (a paragraph never inside a
 * paragraph, a row only in a table), and blank text only between inline content, so that
 * dropping or unwrapping an element never leaves blanks at the edge of a block that a second
 * pass would see differently. */
#include "lib/sanitize.h"

#include <libxml/HTMLparser.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/html.h"
#include "lib/utf8.h"

enum { DEPTH_MAX = 64 };

/* IGNORE_ENC: a pasted <meta charset> must not make the parser read our UTF-8 as another
 * encoding. */
#define PARSE_OPTIONS                                                                              \
	(HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC)

/* clang-format off */
/* Where an element may stand (its role) and what it holds (its context). A list goes directly
 * into a list of its own kind only: libxml2 closes a ul when an ol starts in it, and back. */
enum role { R_INLINE, R_BLOCK, R_UL, R_OL, R_LI, R_TSECT, R_TR, R_CELL, R_CAPTION, R_FIGCAP };
enum ctx { C_VOID, C_WRAP, C_FLOW, C_FIGURE, C_PHRASE, C_UL, C_OL, C_TABLE, C_TSECT, C_TR, C_COUNT };
/* A_BLOCK: a div-like element; the tag goes and its inline runs become paragraphs. */
enum act { A_UNWRAP, A_KEEP, A_DROP, A_BLOCK };

#define BIT(r) (1u << (r))
#define BLOCKS (BIT(R_BLOCK) | BIT(R_UL) | BIT(R_OL))
static const unsigned accepts[C_COUNT] = {
    [C_WRAP] = BLOCKS,
    [C_FLOW] = BIT(R_INLINE) | BLOCKS,
    [C_FIGURE] = BIT(R_INLINE) | BLOCKS | BIT(R_FIGCAP),
    [C_PHRASE] = BIT(R_INLINE),
    [C_UL] = BIT(R_LI) | BIT(R_UL),
    [C_OL] = BIT(R_LI) | BIT(R_OL),
    [C_TABLE] = BIT(R_CAPTION) | BIT(R_TSECT) | BIT(R_TR),
    [C_TSECT] = BIT(R_TR),
    [C_TR] = BIT(R_CELL),
};
/* What a context opens for content that belongs inside it but not directly: text at the top
 * goes into a paragraph, a paragraph in a list into an item, a stray cell into a row. */
static const struct {
	const char *name;
	unsigned char ctx;
} wrappers[C_COUNT] = {
    [C_WRAP] = {"p", C_PHRASE},
    [C_UL] = {"li", C_FLOW},
    [C_OL] = {"li", C_FLOW},
    [C_TABLE] = {"tr", C_TR},
    [C_TSECT] = {"tr", C_TR},
};
/* Levels a container needs below it before text fits, so the depth limit never leaves a table
 * whose cells cannot be opened. */
static const unsigned char headroom[C_COUNT] = {
    [C_UL] = 1, [C_OL] = 1, [C_TABLE] = 3, [C_TSECT] = 2, [C_TR] = 1};

static const struct elem {
	const char *name, *out;
	unsigned char act, role, ctx;
} elems[] = {
#define KEEP(n, role, ctx) {n, n, A_KEEP, role, ctx}
#define AS(n, out, role, ctx) {n, out, A_KEEP, role, ctx}
#define DROP(n) {n, NULL, A_DROP, 0, 0}
#define BLOCK(n) {n, NULL, A_BLOCK, R_BLOCK, C_WRAP}
    KEEP("a", R_INLINE, C_PHRASE),
    KEEP("b", R_INLINE, C_PHRASE),
    KEEP("blockquote", R_BLOCK, C_FLOW),
    KEEP("br", R_INLINE, C_VOID),
    KEEP("caption", R_CAPTION, C_PHRASE),
    KEEP("code", R_INLINE, C_PHRASE),
    KEEP("em", R_INLINE, C_PHRASE),
    KEEP("figcaption", R_FIGCAP, C_FLOW),
    KEEP("figure", R_BLOCK, C_FIGURE),
    AS("h1", "h2", R_BLOCK, C_PHRASE),
    KEEP("h2", R_BLOCK, C_PHRASE),
    KEEP("h3", R_BLOCK, C_PHRASE),
    KEEP("h4", R_BLOCK, C_PHRASE),
    KEEP("hr", R_BLOCK, C_VOID),
    KEEP("i", R_INLINE, C_PHRASE),
    KEEP("img", R_INLINE, C_VOID),
    KEEP("li", R_LI, C_FLOW),
    KEEP("ol", R_OL, C_OL),
    KEEP("p", R_BLOCK, C_PHRASE),
    KEEP("pre", R_BLOCK, C_PHRASE),
    KEEP("s", R_INLINE, C_PHRASE),
    KEEP("strong", R_INLINE, C_PHRASE),
    KEEP("sub", R_INLINE, C_PHRASE),
    KEEP("sup", R_INLINE, C_PHRASE),
    KEEP("table", R_BLOCK, C_TABLE),
    KEEP("tbody", R_TSECT, C_TSECT),
    KEEP("td", R_CELL, C_FLOW),
    KEEP("tfoot", R_TSECT, C_TSECT),
    KEEP("th", R_CELL, C_FLOW),
    KEEP("thead", R_TSECT, C_TSECT),
    KEEP("tr", R_TR, C_TR),
    KEEP("u", R_INLINE, C_PHRASE),
    KEEP("ul", R_UL, C_UL),
    AS("dir", "ul", R_UL, C_UL),
    AS("menu", "ul", R_UL, C_UL),
    DROP("applet"), DROP("area"), DROP("audio"), DROP("base"), DROP("basefont"),
    DROP("bgsound"), DROP("button"), DROP("canvas"), DROP("col"), DROP("colgroup"),
    DROP("datalist"), DROP("embed"), DROP("form"), DROP("frame"), DROP("frameset"),
    DROP("head"), DROP("iframe"), DROP("input"), DROP("isindex"), DROP("keygen"),
    DROP("link"), DROP("listing"), DROP("math"), DROP("meta"), DROP("noembed"),
    DROP("noframes"), DROP("noscript"), DROP("object"), DROP("optgroup"), DROP("option"),
    DROP("param"), DROP("plaintext"), DROP("script"), DROP("select"), DROP("source"),
    DROP("style"), DROP("svg"), DROP("template"), DROP("textarea"), DROP("title"),
    DROP("track"), DROP("video"), DROP("xmp"),
    BLOCK("address"), BLOCK("article"), BLOCK("aside"), BLOCK("center"), BLOCK("dd"),
    BLOCK("details"), BLOCK("div"), BLOCK("dl"), BLOCK("dt"), BLOCK("fieldset"),
    BLOCK("footer"), BLOCK("h5"), BLOCK("h6"), BLOCK("header"), BLOCK("hgroup"),
    BLOCK("legend"), BLOCK("main"), BLOCK("nav"), BLOCK("section"), BLOCK("summary"),
#undef KEEP
#undef AS
#undef DROP
#undef BLOCK
};

/* clang-format on */

/* NULL for anything unknown (span, font, html, body, made-up tags): unwrapped. */
static const struct elem *elem_find(const xmlChar *name)
{
	for (size_t i = 0; i < sizeof elems / sizeof elems[0]; i++)
		if (strcmp(elems[i].name, (const char *)name) == 0)
			return &elems[i];
	return NULL;
}

/* clang-format off */
enum vkind { V_URL, V_MEDIA, V_TEXT, V_NUM };
/* Per element (by the name written), in the order written. */
static const struct {
	const char *elem, *name;
	unsigned char kind;
	long lo, hi;
} attr_rules[] = {
    {"a", "href", V_URL, 0, 0},          {"img", "src", V_MEDIA, 0, 0},
    {"img", "alt", V_TEXT, 0, 0},        {"img", "width", V_NUM, 1, 4000},
    {"img", "height", V_NUM, 1, 4000},   {"th", "colspan", V_NUM, 1, 100},
    {"th", "rowspan", V_NUM, 1, 100},    {"td", "colspan", V_NUM, 1, 100},
    {"td", "rowspan", V_NUM, 1, 100},    {"ol", "start", V_NUM, 0, 999999999},
};
/* clang-format on */

static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

/* Text escaped, without the controls a browser would not show anyway. */
static void put_text(struct buf *b, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_control((unsigned char)s[i])) {
			html_textn(b, s + from, i - from);
			from = i + 1;
		}
	}
	html_textn(b, s + from, n - from);
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\n\r", s[i]) && !is_control((unsigned char)s[i]))
			return false;
	return true;
}

/* The URL a browser would follow: blanks and controls at the ends cut, controls (tabs and
 * newlines too, which browsers skip) inside removed, spaces percent-encoded. The scheme is
 * judged on exactly what is written, so "jav&#x09;ascript:" is refused like "javascript:".
 * 0 refused, 1 a path of this site, 2 an absolute link. */
static int url_clean(const char *v, struct buf *u)
{
	size_t a = 0, z = strlen(v);
	while (a < z && (unsigned char)v[a] <= ' ')
		a++;
	while (z > a && (unsigned char)v[z - 1] <= ' ')
		z--;
	for (size_t i = a; i < z; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ')
			buf_adds(u, "%20");
		else if (c > ' ' && c != 0x7f)
			buf_addc(u, (char)c);
	}
	const char *p = u->data;
	if (p[0] == '/') /* "//host" and "/\host" leave the site */
		return p[1] != '/' && p[1] != '\\';
	static const char *const schemes[] = {"http:", "https:", "mailto:"};
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(p, schemes[i], strlen(schemes[i])) == 0)
			return 2;
	return 0;
}

/* Only our stored images: /media/<sha256>[.jpg|.png|.webp] (media_path). */
static bool media_ok(const char *p)
{
	if (strncmp(p, "/media/", 7) != 0)
		return false;
	p += 7;
	for (int i = 0; i < 64; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return !*p || !strcmp(p, ".jpg") || !strcmp(p, ".png") || !strcmp(p, ".webp");
}

static bool num_ok(const char *v, long lo, long hi, long *out)
{
	size_t a = 0, z = strlen(v);
	while (a < z && strchr(" \t\n\r", v[a]))
		a++;
	while (z > a && strchr(" \t\n\r", v[z - 1]))
		z--;
	if (z == a || z - a > 9)
		return false;
	long n = 0;
	for (size_t i = a; i < z; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (v[i] - '0');
	}
	*out = n;
	return n >= lo && n <= hi;
}

/* The first attribute of that name, decoded; the caller xmlFree()s it. */
static xmlChar *attr_get(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (xmlStrcasecmp(a->name, (const xmlChar *)name) == 0)
			return xmlNodeGetContent((const xmlNode *)a);
	return NULL;
}

/* Writes el's start tag with its allowed attributes into tag; false when an img has no src
 * of ours (the img goes). */
static bool start_tag(struct buf *tag, const struct elem *el, const xmlNode *n)
{
	struct buf u = BUF_INIT;
	bool ok = strcmp(el->out, "img") != 0;
	buf_reset(tag);
	buf_addc(tag, '<');
	buf_adds(tag, el->out);
	for (size_t i = 0; i < sizeof attr_rules / sizeof attr_rules[0]; i++) {
		if (strcmp(attr_rules[i].elem, el->out) != 0)
			continue;
		xmlChar *xv = attr_get(n, attr_rules[i].name);
		if (!xv)
			continue;
		const char *v = (const char *)xv, *name = attr_rules[i].name;
		long num;
		int kind;
		buf_reset(&u);
		switch (attr_rules[i].kind) {
		case V_URL:
			if ((kind = url_clean(v, &u)) != 0) {
				buf_printf(tag, " %s=\"", name);
				html_text(tag, u.data);
				buf_addc(tag, '"');
				if (kind == 2)
					buf_adds(tag, " rel=\"noopener noreferrer nofollow\"");
			}
			break;
		case V_MEDIA:
			if (url_clean(v, &u) == 1 && media_ok(u.data)) {
				/* hex and a dot only: nothing to escape */
				buf_printf(tag, " %s=\"%s\"", name, u.data);
				ok = true;
			}
			break;
		case V_TEXT:
			buf_printf(tag, " %s=\"", name);
			put_text(tag, v, strlen(v));
			buf_addc(tag, '"');
			break;
		case V_NUM:
			if (num_ok(v, attr_rules[i].lo, attr_rules[i].hi, &num))
				buf_printf(tag, " %s=\"%ld\"", name, num);
			break;
		}
		xmlFree(xv);
	}
	buf_addc(tag, '>');
	buf_free(&u);
	return ok;
}

/* ---- The writer: a stack of what is open in the output. ---- */

enum last { L_NONE, L_TEXT, L_INLINE, L_BLOCK };

struct entry {
	const char *name;     /* the tag written; NULL for a div-like element we unwrapped */
	const xmlNode *owner; /* closed when the walk leaves it */
	unsigned char ctx;
	unsigned char last; /* what its last child written was */
	/* a wrapper we opened: closed as soon as its parent takes what follows itself */
	bool implicit;
};

struct san {
	struct buf *out;
	struct buf tag; /* a start tag being built */
	struct buf ws;  /* blanks waiting for what follows: kept before inline content only */
	struct entry st[DEPTH_MAX + 2]; /* + an implicit wrapper above the deepest entry */
	int n;
	int links; /* open <a>: a link inside a link is unwrapped */
};

#define TOP(s) (&(s)->st[(s)->n - 1])

/* In the nearest element written: a div-like block we unwrapped has no children of its own. */
static void note_child(struct san *s, enum last what)
{
	for (int i = s->n - 1; i >= 0; i--) {
		if (s->st[i].name) {
			s->st[i].last = (unsigned char)what;
			return;
		}
	}
}

static void push(struct san *s, const char *name, unsigned char ctx, bool implicit,
                 const xmlNode *owner, enum last as)
{
	if (name)
		note_child(s, as);
	buf_reset(&s->ws);
	s->st[s->n++] = (struct entry){name, owner, ctx, L_NONE, implicit};
	s->links += name && strcmp(name, "a") == 0;
}

static void pop(struct san *s)
{
	struct entry *e = &s->st[--s->n];
	buf_reset(&s->ws);
	if (!e->name)
		return;
	buf_printf(s->out, "</%s>", e->name);
	s->links -= strcmp(e->name, "a") == 0;
}

/* Makes the top a place for an item of role r: closes a wrapper whose parent takes r itself,
 * opens one when only the wrapper takes r. False when r has no place here. */
static bool place(struct san *s, int r)
{
	if (TOP(s)->implicit && (accepts[s->st[s->n - 2].ctx] & BIT(r)))
		pop(s);
	struct entry *t = TOP(s);
	if (accepts[t->ctx] & BIT(r))
		return true;
	if (!wrappers[t->ctx].name || !(accepts[wrappers[t->ctx].ctx] & BIT(r)))
		return false;
	buf_printf(s->out, "<%s>", wrappers[t->ctx].name);
	push(s, wrappers[t->ctx].name, wrappers[t->ctx].ctx, true, t->owner, L_BLOCK);
	return true;
}

/* Blanks are written between inline content only: at the edge of a block they show nothing,
 * and where an element was dropped they would otherwise land at an edge. */
static void flush_ws(struct san *s)
{
	if (s->ws.len && TOP(s)->last == L_INLINE)
		buf_add(s->out, s->ws.data, s->ws.len);
	buf_reset(&s->ws);
}

static void on_text(struct san *s, const char *t)
{
	size_t n = strlen(t);
	if (is_blank(t, n)) {
		if (!(accepts[TOP(s)->ctx] & BIT(R_INLINE)))
			return; /* between blocks, as the parser would */
		if (TOP(s)->last == L_TEXT)
			put_text(s->out, t, n);
		else
			put_text(&s->ws, t, n);
		return;
	}
	if (!place(s, R_INLINE))
		return; /* in a table outside any cell: browsers would move it above the table */
	flush_ws(s);
	put_text(s->out, t, n);
	TOP(s)->last = L_TEXT;
}

/* True when the walk should go into the element's children. */
static bool on_element(struct san *s, const xmlNode *n)
{
	const struct elem *el = elem_find(n->name);
	if (!el || el->act == A_UNWRAP)
		return true;
	if (el->act == A_DROP)
		return false;
	if (el->act == A_BLOCK) {
		if (s->n < DEPTH_MAX && place(s, R_BLOCK))
			push(s, NULL, C_WRAP, false, n, L_BLOCK);
		return true;
	}
	if (el->ctx != C_VOID &&
	    ((s->links && strcmp(el->out, "a") == 0) || s->n + headroom[el->ctx] >= DEPTH_MAX))
		return true;
	if (!start_tag(&s->tag, el, n))
		return false;
	if (!place(s, el->role))
		return el->ctx != C_VOID;
	enum last as = el->role == R_INLINE ? L_INLINE : L_BLOCK;
	if (as == L_INLINE)
		flush_ws(s);
	buf_add(s->out, s->tag.data, s->tag.len);
	if (el->ctx == C_VOID) {
		note_child(s, as);
		return false;
	}
	push(s, el->out, el->ctx, false, n, as);
	return true;
}

/* ---- Walking the tree in document order without recursion. ---- */

typedef bool (*enter_fn)(void *arg, const xmlNode *n); /* true: visit the children */
typedef void (*leave_fn)(void *arg, const xmlNode *n);

static void walk(const xmlNode *n, enter_fn enter, leave_fn leave, void *arg)
{
	while (n) {
		if (enter(arg, n) && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			leave(arg, n);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
				return;
		}
	}
}

static bool san_enter(void *arg, const xmlNode *n)
{
	struct san *s = arg;
	if (n->type == XML_TEXT_NODE) {
		on_text(s, (const char *)n->content);
		return false;
	}
	return n->type == XML_ELEMENT_NODE && on_element(s, n); /* comments, CDATA, PIs go */
}

static void san_leave(void *arg, const xmlNode *n)
{
	struct san *s = arg;
	while (s->n > 1 && TOP(s)->owner == n)
		pop(s);
}

static void sanitize_doc(const xmlDoc *doc, struct buf *out)
{
	struct san s = {.out = out, .tag = BUF_INIT, .ws = BUF_INIT};
	push(&s, NULL, C_WRAP, false, NULL, L_BLOCK);
	walk(doc->children, san_enter, san_leave, &s);
	while (s.n > 1)
		pop(&s);
	buf_free(&s.tag);
	buf_free(&s.ws);
}

/* ---- Plain text. ---- */

struct plain {
	struct buf *out;
	size_t start; /* out's length before us: nothing is trimmed from what was there */
	bool space;
};

/* Blocks, cells, rows and line breaks end a run of words. */
static bool separates(const xmlNode *n)
{
	const struct elem *el = n->type == XML_ELEMENT_NODE ? elem_find(n->name) : NULL;
	return el && (el->act == A_BLOCK ||
	              (el->act == A_KEEP && (el->role != R_INLINE || strcmp(el->out, "br") == 0)));
}

static void plain_add(struct plain *p, const unsigned char *t)
{
	while (*t) {
		size_t n = 1;
		bool blank = *t <= ' ' || *t == 0x7f;
		if (t[0] == 0xC2 && t[1] == 0xA0) /* no-break space */
			n = 2, blank = true;
		else if (t[0] == 0xE3 && t[1] == 0x80 && t[2] == 0x80) /* ideographic space */
			n = 3, blank = true;
		if (blank) {
			p->space = true;
		} else {
			if (p->space && p->out->len > p->start)
				buf_addc(p->out, ' ');
			p->space = false;
			buf_addc(p->out, (char)*t);
		}
		t += n;
	}
}

static bool plain_enter(void *arg, const xmlNode *n)
{
	struct plain *p = arg;
	if (n->type == XML_TEXT_NODE) {
		plain_add(p, n->content);
		return false;
	}
	if (n->type != XML_ELEMENT_NODE)
		return false;
	const struct elem *el = elem_find(n->name);
	if (el && el->act == A_DROP)
		return false;
	p->space |= separates(n);
	return true;
}

static void plain_leave(void *arg, const xmlNode *n)
{
	struct plain *p = arg;
	p->space |= separates(n);
}

static void plain_doc(const xmlDoc *doc, struct buf *out)
{
	struct plain p = {.out = out, .start = out->len};
	walk(doc->children, plain_enter, plain_leave, &p);
}

/* ---- Parsing. ---- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
	xmlInitParser(); /* once, before any thread parses (the server does it too) */
}

static int with_tree(const char *in, size_t len, struct buf *out, struct err *e,
                     void (*fn)(const xmlDoc *, struct buf *))
{
	if (len > SANITIZE_MAX_INPUT)
		return err_set(e, ERR_BAD_REQUEST, "the text is larger than 1 MiB");
	if (!utf8_valid(in, len))
		return err_set(e, ERR_BAD_REQUEST, "the text is not valid UTF-8");
	if (len == 0)
		return 0;
	pthread_once(&xml_once, xml_init);
	htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
	if (!ctxt)
		return err_set(e, ERR_INTERNAL, "out of memory");
	xmlDoc *doc = htmlCtxtReadMemory(ctxt, in, (int)len, NULL, "UTF-8", PARSE_OPTIONS);
	int rc = 0;
	if (ctxt->errNo == XML_ERR_NO_MEMORY)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	else if (doc) /* NULL: nothing but blanks */
		fn(doc, out);
	xmlFreeDoc(doc);
	htmlFreeParserCtxt(ctxt);
	return rc;
}

int html_sanitize(const char *in, size_t len, struct buf *out, struct err *e)
{
	return with_tree(in, len, out, e, sanitize_doc);
}

int html_plain_text(const char *in, size_t len, struct buf *out, struct err *e)
{
	return with_tree(in, len, out, e, plain_doc);
}
