/* wenming: the civilization office's case system. `wenming --help` lists the commands. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "version.h"

static void usage(FILE *f)
{
	fputs("usage: wenming COMMAND [options]\n\n"
	      "commands:\n"
	      "  init      create or upgrade the database (--demo loads the Dalian demo city)\n"
	      "  serve     run the HTTP server (Open311 GeoReport v2 at /open311/v2/)\n"
	      "  apikey    create, list and revoke Open311 api keys\n"
	      "  audit     verify the audit trail's hash chain, or list its records\n"
	      "  user      add, list, disable staff accounts; reset a password\n"
	      "  jobs      list the background jobs' recent passes\n"
	      "  migrate   apply pending schema migrations (--check: only report them)\n"
	      "  backup    write a consistent copy of the database to a file (servers may run)\n"
	      "  restore   put a backup back (stop the servers first)\n"
	      "  export    write every row as JSON lines with per-table counts and checksums\n"
	      "  import    load an export into a new database (e.g. SQLite -> PostgreSQL)\n"
	      "  demo      demo generate: a year of generated cases on a demo database\n"
	      "  standards list|activate: the evaluation standard's versions\n"
	      "  version   print the version\n\n"
	      "`wenming COMMAND --help` describes a command's options.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("wenming %s\n", WENMING_VERSION);
		return 0;
	}
	if (strcmp(cmd, "init") == 0)
		return cmd_init(argc - 2, argv + 2);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	if (strcmp(cmd, "apikey") == 0)
		return cmd_apikey(argc - 2, argv + 2);
	if (strcmp(cmd, "user") == 0)
		return cmd_user(argc - 2, argv + 2);
	if (strcmp(cmd, "jobs") == 0)
		return cmd_jobs(argc - 2, argv + 2);
	if (strcmp(cmd, "audit") == 0)
		return cmd_audit(argc - 2, argv + 2);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(argc - 2, argv + 2);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(argc - 2, argv + 2);
	if (strcmp(cmd, "restore") == 0)
		return cmd_restore(argc - 2, argv + 2);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(argc - 2, argv + 2);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc - 2, argv + 2);
	if (strcmp(cmd, "demo") == 0)
		return cmd_demo(argc - 2, argv + 2);
	if (strcmp(cmd, "standards") == 0)
		return cmd_standards(argc - 2, argv + 2);
	fprintf(stderr, "wenming: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
