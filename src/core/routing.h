/* Routing precedence (DESIGN §2, issue 5): which rule of category × area → unit decides a
 * case. Pure: the rules and the case's area chain come in, the winner goes out. */
#ifndef WM_ROUTING_H
#define WM_ROUTING_H

#include <stddef.h>
#include <stdint.h>

/* One rule as stored (routing_rule). At most one of category_code and group_code is set. */
struct routing_rule {
	int64_t id;
	const char *category_code; /* a service code ("E0102"); NULL: not one category */
	const char *group_code;    /* a kind-qualified group ("E01"); NULL: not a group */
	int64_t area_id;           /* 0: any area */
	int64_t unit_id;
	int64_t priority; /* higher wins between rules equally specific */
	int active;       /* inactive rules never match */
};

/* What is known of the case. */
struct routing_case {
	const char *service_code;
	const char *group_code; /* kind-qualified, as routing_group_code makes it */
	const int64_t *areas;   /* the location's areas, most specific first (grid, street,
	                         * district); NULL/0 when it lies in none */
	size_t nareas;
	int64_t default_unit_id; /* the category's; 0 when it has none */
};

enum routing_cat_match { ROUTING_CAT_ANY, ROUTING_CAT_GROUP, ROUTING_CAT_SERVICE };

struct routing_result {
	int64_t unit_id;                 /* 0: no rule and no default unit */
	const struct routing_rule *rule; /* NULL: the default unit (or nothing) */
	enum routing_cat_match cat;      /* how the rule's category matched */
	int area_depth;                  /* index in the chain of the rule's area; -1: any area */
};

/* The most specific active match: exact category beats group beats any; then the more
 * specific area (earlier in the chain; any area last); then higher priority; then the lower
 * id. Without a match, the default unit. Never fails. */
void routing_pick(const struct routing_rule *rules, size_t n, const struct routing_case *c,
                  struct routing_result *out);

/* The kind-qualified group of a category: kind "event" or "part" and its group digits ->
 * "E01" / "P01" in out (at least 8 bytes); "" for another kind. */
void routing_group_code(const char *kind, const char *group_digits, char *out, size_t size);

#endif
