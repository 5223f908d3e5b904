/* Photos from the public: the type by magic bytes (never by name or declared type) and removal
 * of metadata that could locate or identify the reporter (EXIF GPS, camera serials, XMP).
 * Staff attachments (progress reports) may also be PDF documents. */
#ifndef WM_MEDIA_TYPE_H
#define WM_MEDIA_TYPE_H

#include <stddef.h>

enum media_kind { MEDIA_UNKNOWN = 0, MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP, MEDIA_PDF };

enum media_kind media_sniff(const unsigned char *p, size_t n);
const char *media_mime(enum media_kind k); /* "image/jpeg" … */
const char *media_ext(enum media_kind k);  /* "jpg", "png", "webp", "pdf" */
int media_is_image(enum media_kind k);
/* From a stored MIME type back to the kind; MEDIA_UNKNOWN for anything else. */
enum media_kind media_from_mime(const char *mime);

enum { MEDIA_PATH_MAX = 80 };
/* "/media/<sha256>.<ext>", where GET /media/{name} serves a stored file of that MIME type. */
void media_path(const char *sha256, const char *mime, char out[MEDIA_PATH_MAX]);
/* From an extension back to the kind; MEDIA_UNKNOWN for anything else. */
enum media_kind media_from_ext(const char *ext);

/* Removes metadata in place and returns the new length, or 0 when the file is malformed
 * (truncated segment, missing end): a file we cannot walk is refused, not stored.
 * JPEG: APPn segments other than APP0 (JFIF) and COM; PNG: tEXt, zTXt, iTXt, eXIf, tIME;
 * WebP: EXIF and XMP chunks (and their VP8X flags). PDF: kept as is when it has its header
 * and an end-of-file marker in its last kilobyte (staff documents, not citizens' photos). */
size_t media_strip(enum media_kind k, unsigned char *p, size_t n);

#endif
