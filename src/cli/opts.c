#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opt *opts_get(struct opt *opts, const char *name)
{
	for (struct opt *o = opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static int set_value(const char *cmd, struct opt *o, const char *v, const char *from)
{
	if (o->kind == OPT_INT) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < o->min || n > o->max) {
			fprintf(stderr,
			        "wenming %s: %s must be a whole number from %ld to %ld, not '%s'\n",
			        cmd, from, o->min, o->max, v);
			return -1;
		}
		o->num = n;
	}
	o->str = v;
	o->set = 1;
	return 0;
}

int opts_parse(const char *cmd, struct opt *opts, int argc, char **argv, const char **pos,
               int max_pos, int *npos)
{
	*npos = 0;
	for (struct opt *o = opts; o->name; o++) {
		const char *v = o->env ? getenv(o->env) : NULL;
		if (v && *v && o->kind != OPT_FLAG && set_value(cmd, o, v, o->env) < 0)
			return -1;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || strcmp(a, "--") == 0) {
			if (strcmp(a, "--") == 0)
				a = ++i < argc ? argv[i] : NULL;
			if (!a)
				break;
			if (*npos >= max_pos) {
				fprintf(stderr,
				        "wenming %s: unexpected argument '%s' (see --help)\n", cmd,
				        a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct opt *o = NULL;
		for (struct opt *p = opts; p->name; p++)
			if (strlen(p->name) == len && strncmp(p->name, name, len) == 0)
				o = p;
		if (!o) {
			fprintf(stderr, "wenming %s: unknown option '%s' (see wenming %s --help)\n",
			        cmd, a, cmd);
			return -1;
		}
		if (o->kind == OPT_FLAG) {
			if (eq) {
				fprintf(stderr, "wenming %s: --%s takes no value\n", cmd, o->name);
				return -1;
			}
			o->set = 1;
			continue;
		}
		const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v) {
			fprintf(stderr, "wenming %s: --%s needs a value\n", cmd, o->name);
			return -1;
		}
		char from[64];
		snprintf(from, sizeof from, "--%s", o->name);
		if (set_value(cmd, o, v, from) < 0)
			return -1;
	}
	return 0;
}

void opts_usage(const char *cmd, const char *synopsis, const char *about, const struct opt *opts)
{
	printf("usage: wenming %s %s\n\n%s\n\noptions:\n", cmd, synopsis, about);
	for (const struct opt *o = opts; o->name; o++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s", o->name,
		         o->kind == OPT_FLAG ? "" : (o->kind == OPT_INT ? " N" : " VALUE"));
		printf("  %-22s %s", left, o->help);
		if (o->env)
			printf(" [env %s]", o->env);
		putchar('\n');
	}
}
