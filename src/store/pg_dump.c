/* See pg_dump.h. The tools run as child processes with the URL as an argument (never through
 * a shell), their stderr passed through so the operator sees why they failed. */
#include "store/pg_dump.h"

#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

static int run(const char *const argv[], struct err *e)
{
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, (char *const *)argv, environ);
	if (rc != 0)
		return err_set(e, ERR_INTERNAL,
		               "cannot run %s: %s (is postgresql-client installed?)", argv[0],
		               strerror(rc));
	int status;
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return err_set(e, ERR_INTERNAL, "%s failed (%s %d); its messages are above", argv[0],
	               WIFEXITED(status) ? "exit status" : "signal",
	               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int pg_dump_backup(const char *url, const char *file, struct err *e)
{
	const char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--file",
	                      file,      "--dbname",        url,          NULL};
	return run(argv, e);
}

int pg_dump_restore(const char *url, const char *file, struct err *e)
{
	const char *argv[] = {
	    "pg_restore",      "--clean",  "--if-exists", "--no-owner", "--single-transaction",
	    "--exit-on-error", "--dbname", url,           file,         NULL};
	return run(argv, e);
}
