#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

const char *cli_default_db(void)
{
	const char *env = getenv("WENMING_DB");
	return env && *env ? env : "var/wenming.db";
}

char *cli_media_dir_for(const char *db)
{
	/* A PostgreSQL URL names no directory: photos go where the default database would. */
	if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0)
		return strdup("var/media");
	const char *slash = strrchr(db, '/');
	size_t dir = slash ? (size_t)(slash - db) : 1;
	char *out = malloc(dir + sizeof "/media");
	if (!out)
		return NULL;
	memcpy(out, slash ? db : ".", dir);
	memcpy(out + dir, "/media", sizeof "/media");
	return out;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}
