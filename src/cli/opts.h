/* Command-line options: declared per command as a table, parsed in one place. */
#ifndef WM_OPTS_H
#define WM_OPTS_H

enum opt_kind { OPT_FLAG, OPT_STRING, OPT_INT };

struct opt {
	const char *name; /* "port" for --port */
	enum opt_kind kind;
	const char *env; /* environment variable giving the default, or NULL */
	const char *help;
	/* Results: */
	int set;
	const char *str;
	long num;
	long min, max; /* for OPT_INT */
};

/* Parses argv (after the command name) into opts; positional arguments go to pos[].
 * Environment defaults are read first, flags override. Prints a clear message and returns -1
 * on an unknown flag, a missing value or a bad number. */
int opts_parse(const char *cmd, struct opt *opts, int argc, char **argv, const char **pos,
               int max_pos, int *npos);
void opts_usage(const char *cmd, const char *synopsis, const char *about, const struct opt *opts);
struct opt *opts_get(struct opt *opts, const char *name);

#endif
