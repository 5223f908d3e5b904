/* Routing precedence: a rule's rank is the tuple (category match, area specificity,
 * priority, -id), compared in that order; the highest-ranking active match wins. Every
 * step is a strict order, so the result never depends on the order of the rules. */
#include "core/routing.h"

#include <stdio.h>
#include <string.h>

/* The rule's category match, or -1 when the rule does not apply to the case's category. */
static int cat_match(const struct routing_rule *r, const struct routing_case *c)
{
	if (r->category_code)
		return c->service_code && strcmp(r->category_code, c->service_code) == 0
		           ? ROUTING_CAT_SERVICE
		           : -1;
	if (r->group_code)
		return c->group_code && strcmp(r->group_code, c->group_code) == 0
		           ? ROUTING_CAT_GROUP
		           : -1;
	return ROUTING_CAT_ANY;
}

/* The index of the rule's area in the chain, -1 for any area, -2 when it is not there. */
static int area_match(const struct routing_rule *r, const struct routing_case *c)
{
	if (r->area_id == 0)
		return -1;
	for (size_t i = 0; i < c->nareas; i++)
		if (c->areas[i] == r->area_id)
			return (int)i;
	return -2;
}

/* > 0 when (cat, depth, rule) outranks the best so far. A smaller chain index is a more
 * specific area; any area (-1) is the least specific of all. */
static int better(int cat, int depth, const struct routing_rule *r, const struct routing_result *b)
{
	if (!b->rule)
		return 1;
	if (cat != (int)b->cat)
		return cat > (int)b->cat;
	if (depth != b->area_depth) {
		if (depth < 0 || b->area_depth < 0)
			return depth >= 0;
		return depth < b->area_depth;
	}
	if (r->priority != b->rule->priority)
		return r->priority > b->rule->priority;
	return r->id < b->rule->id;
}

void routing_pick(const struct routing_rule *rules, size_t n, const struct routing_case *c,
                  struct routing_result *out)
{
	*out = (struct routing_result){.area_depth = -1};
	for (size_t i = 0; i < n; i++) {
		const struct routing_rule *r = &rules[i];
		if (!r->active)
			continue;
		int cat = cat_match(r, c);
		int depth = cat < 0 ? -2 : area_match(r, c);
		if (depth == -2 || !better(cat, depth, r, out))
			continue;
		out->rule = r;
		out->cat = (enum routing_cat_match)cat;
		out->area_depth = depth;
	}
	out->unit_id = out->rule ? out->rule->unit_id : c->default_unit_id;
	if (!out->rule)
		out->area_depth = -1;
}

void routing_group_code(const char *kind, const char *group_digits, char *out, size_t size)
{
	const char *letter = strcmp(kind, "event") == 0  ? "E"
	                     : strcmp(kind, "part") == 0 ? "P"
	                                                 : NULL;
	if (letter)
		snprintf(out, size, "%s%s", letter, group_digits);
	else if (size)
		out[0] = '\0';
}
