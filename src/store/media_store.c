#include "store/media_store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *s = tmp + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int media_save(const char *dir, enum media_kind k, const unsigned char *p, size_t n,
               char sha_hex[65], struct err *e)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, p, n);
	sodium_bin2hex(sha_hex, 65, hash, sizeof hash);

	char sub[PATH_MAX], path[PATH_MAX], tmp[PATH_MAX];
	if (snprintf(sub, sizeof sub, "%s/%.2s", dir, sha_hex) >= (int)sizeof sub ||
	    snprintf(path, sizeof path, "%s/%s.%s", sub, sha_hex, media_ext(k)) >=
	        (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub) >= (int)sizeof tmp)
		return err_set(e, ERR_INTERNAL, "media path too long");
	struct stat sb;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == n)
		return 0;
	if (mkdir_p(sub) < 0)
		return err_set(e, ERR_INTERNAL, "cannot create %s: %s", sub, strerror(errno));
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, ERR_INTERNAL, "cannot create media file: %s", strerror(errno));
	if (write_all(fd, p, n) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		int saved = errno;
		close(fd);
		unlink(tmp);
		return err_set(e, ERR_INTERNAL, "cannot write media file: %s", strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return err_set(e, ERR_INTERNAL, "cannot store media file: %s", strerror(saved));
	}
	if (fsync_dir(sub) < 0)
		return err_set(e, ERR_INTERNAL, "cannot sync media directory: %s", strerror(errno));
	return 0;
}

int media_record(struct db *db, const char *sha_hex, enum media_kind k, size_t n, int64_t now,
                 struct err *e)
{
	return db_run(
	    db,
	    "INSERT INTO media (sha256, mime, bytes, created_at) VALUES (?, ?, ?, ?)"
	    " ON CONFLICT (sha256) DO NOTHING",
	    DB_ARGS(db_text(sha_hex), db_text(media_mime(k)), db_int((int64_t)n), db_int(now)), e);
}

int media_open(const char *dir, const char *name, int *fd, size_t *size, enum media_kind *k,
               struct err *e)
{
	const char *dot = strchr(name, '.');
	if (!dot || dot - name != 64)
		return err_set(e, ERR_NOT_FOUND, "media not found");
	for (const char *s = name; s < dot; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return err_set(e, ERR_NOT_FOUND, "media not found");
	*k = media_from_ext(dot + 1);
	if (*k == MEDIA_UNKNOWN)
		return err_set(e, ERR_NOT_FOUND, "media not found");
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%.2s/%s", dir, name, name) >= (int)sizeof path)
		return err_set(e, ERR_NOT_FOUND, "media not found");
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return err_set(e, ERR_NOT_FOUND, "media not found");
	struct stat sb;
	if (fstat(f, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(f);
		return err_set(e, ERR_NOT_FOUND, "media not found");
	}
	*fd = f;
	*size = (size_t)sb.st_size;
	return 0;
}
