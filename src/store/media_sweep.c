/* The media sweep: photo files no case refers to. A photo is written before its case
 * commits (so an acknowledged photo survives a crash); when the commit then fails, or the
 * process dies between the two, the file stays behind with no media row. So do the
 * temporary files of a write cut short. Files younger than MEDIA_SWEEP_AGE_S are left
 * alone: their case may still be on its way to the database. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "store/jobs.h"
#include "store/media_store.h"

enum { MEDIA_SWEEP_AGE_S = 3600 };

static int is_hex_dir(const char *s)
{
	return strlen(s) == 2 && strspn(s, "0123456789abcdef") == 2;
}

/* "<64 hex>.<ext>": fills sha and returns 1; 0 for any other name. */
static int photo_name(const char *s, char sha[65])
{
	if (strspn(s, "0123456789abcdef") != 64 || s[64] != '.')
		return 0;
	memcpy(sha, s, 64);
	sha[64] = '\0';
	return 1;
}

static int referenced(struct db *db, const char *sha, int *yes, struct err *e)
{
	int64_t one;
	int rc =
	    db_get_int(db, "SELECT 1 FROM media WHERE sha256 = ?", DB_ARGS(db_text(sha)), &one, e);
	*yes = rc == 0;
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int sweep_dir(const struct job_ctx *ctx, const char *sub, int *kept, int *removed,
                     struct err *e)
{
	DIR *d = opendir(sub);
	if (!d)
		return 0; /* gone meanwhile */
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		char path[4096], sha[65];
		struct stat st;
		if (snprintf(path, sizeof path, "%s/%s", sub, de->d_name) >= (int)sizeof path ||
		    lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime > ctx->now - MEDIA_SWEEP_AGE_S) {
			(*kept)++;
			continue;
		}
		int orphan = strncmp(de->d_name, ".tmp-", 5) == 0, yes = 1;
		if (!orphan && photo_name(de->d_name, sha)) {
			rc = referenced(ctx->db, sha, &yes, e);
			orphan = rc == 0 && !yes;
		}
		if (orphan && unlink(path) == 0)
			(*removed)++;
		else
			(*kept)++;
	}
	closedir(d);
	return rc;
}

int media_sweep_job(const struct job_ctx *ctx, struct err *e)
{
	int kept = 0, removed = 0, rc = 0;
	DIR *d = ctx->media_dir && *ctx->media_dir ? opendir(ctx->media_dir) : NULL;
	if (d) {
		struct dirent *de;
		while (rc == 0 && (de = readdir(d))) {
			char sub[4096];
			if (is_hex_dir(de->d_name) &&
			    snprintf(sub, sizeof sub, "%s/%s", ctx->media_dir, de->d_name) <
			        (int)sizeof sub)
				rc = sweep_dir(ctx, sub, &kept, &removed, e);
		}
		closedir(d);
	}
	buf_printf(ctx->note, "%d orphan files removed, %d kept", removed, kept);
	return rc;
}
