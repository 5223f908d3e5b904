#include "core/media_type.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum media_kind media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return MEDIA_JPEG;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return MEDIA_PNG;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return MEDIA_WEBP;
	if (n >= 8 && memcmp(p, "%PDF-", 5) == 0)
		return MEDIA_PDF;
	return MEDIA_UNKNOWN;
}

int media_is_image(enum media_kind k)
{
	return k == MEDIA_JPEG || k == MEDIA_PNG || k == MEDIA_WEBP;
}

const char *media_mime(enum media_kind k)
{
	switch (k) {
	case MEDIA_JPEG:
		return "image/jpeg";
	case MEDIA_PNG:
		return "image/png";
	case MEDIA_WEBP:
		return "image/webp";
	case MEDIA_PDF:
		return "application/pdf";
	default:
		return "application/octet-stream";
	}
}

const char *media_ext(enum media_kind k)
{
	switch (k) {
	case MEDIA_JPEG:
		return "jpg";
	case MEDIA_PNG:
		return "png";
	case MEDIA_WEBP:
		return "webp";
	case MEDIA_PDF:
		return "pdf";
	default:
		return "bin";
	}
}

enum media_kind media_from_ext(const char *ext)
{
	if (strcmp(ext, "jpg") == 0)
		return MEDIA_JPEG;
	if (strcmp(ext, "png") == 0)
		return MEDIA_PNG;
	if (strcmp(ext, "webp") == 0)
		return MEDIA_WEBP;
	if (strcmp(ext, "pdf") == 0)
		return MEDIA_PDF;
	return MEDIA_UNKNOWN;
}

enum media_kind media_from_mime(const char *mime)
{
	for (enum media_kind k = MEDIA_JPEG; k <= MEDIA_PDF; k++)
		if (strcmp(mime, media_mime(k)) == 0)
			return k;
	return MEDIA_UNKNOWN;
}

void media_path(const char *sha256, const char *mime, char out[MEDIA_PATH_MAX])
{
	snprintf(out, MEDIA_PATH_MAX, "/media/%.64s.%s", sha256, media_ext(media_from_mime(mime)));
}

/* JPEG: walk the marker segments up to the start of scan; the entropy-coded data after SOS is
 * copied unchanged. */
static size_t strip_jpeg(unsigned char *p, size_t n)
{
	size_t in = 2, out = 2;
	while (in + 4 <= n) {
		if (p[in] != 0xFF)
			return 0;
		unsigned char marker = p[in + 1];
		if (marker == 0xFF) { /* fill byte */
			in++;
			continue;
		}
		if (marker == 0xD9) /* EOI before SOS: no image */
			return 0;
		size_t len = ((size_t)p[in + 2] << 8) | p[in + 3];
		if (len < 2 || in + 2 + len > n)
			return 0;
		int drop = (marker >= 0xE1 && marker <= 0xEF) || marker == 0xFE;
		if (!drop) {
			memmove(p + out, p + in, 2 + len);
			out += 2 + len;
		}
		in += 2 + len;
		if (marker == 0xDA) { /* SOS: the rest is image data */
			memmove(p + out, p + in, n - in);
			return out + (n - in);
		}
	}
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t strip_png(unsigned char *p, size_t n)
{
	static const char *const drop[] = {"tEXt", "zTXt", "iTXt", "eXIf", "tIME"};
	size_t in = 8, out = 8;
	while (in + 12 <= n) {
		uint32_t len = be32(p + in);
		if (len > n - in - 12)
			return 0;
		size_t whole = 12 + (size_t)len;
		int dropping = 0;
		for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
			dropping |= memcmp(p + in + 4, drop[i], 4) == 0;
		int end = memcmp(p + in + 4, "IEND", 4) == 0;
		if (!dropping) {
			memmove(p + out, p + in, whole);
			out += whole;
		}
		in += whole;
		if (end)
			return out;
	}
	return 0;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static size_t strip_webp(unsigned char *p, size_t n)
{
	uint32_t riff = le32(p + 4);
	if (riff < 4 || (size_t)riff > n - 8)
		return 0;
	n = (size_t)riff + 8; /* ignore trailing bytes after the RIFF container */
	size_t in = 12, out = 12, vp8x = 0;
	while (in + 8 <= n) {
		uint32_t len = le32(p + in + 4);
		size_t whole = 8 + (size_t)len + (len & 1);
		if ((size_t)len > n - in - 8 || whole > n - in)
			return 0;
		int dropping = memcmp(p + in, "EXIF", 4) == 0 || memcmp(p + in, "XMP ", 4) == 0;
		if (!dropping) {
			if (memcmp(p + in, "VP8X", 4) == 0 && len >= 1)
				vp8x = out;
			memmove(p + out, p + in, whole);
			out += whole;
		}
		in += whole;
	}
	if (in != n)
		return 0;
	if (vp8x)
		p[vp8x + 8] &=
		    (unsigned char)~0x0C; /* clear the EXIF (0x08) and XMP (0x04) flags */
	put_le32(p + 4, (uint32_t)(out - 8));
	return out;
}

/* A PDF ends with "%%EOF" (and perhaps a line end or padding) in its last kilobyte. */
static size_t check_pdf(const unsigned char *p, size_t n)
{
	for (size_t i = n > 1024 ? n - 1024 : 0; i + 5 <= n; i++)
		if (memcmp(p + i, "%%EOF", 5) == 0)
			return n;
	return 0;
}

size_t media_strip(enum media_kind k, unsigned char *p, size_t n)
{
	if (media_sniff(p, n) != k)
		return 0;
	switch (k) {
	case MEDIA_JPEG:
		return strip_jpeg(p, n);
	case MEDIA_PNG:
		return strip_png(p, n);
	case MEDIA_WEBP:
		return strip_webp(p, n);
	case MEDIA_PDF:
		return check_pdf(p, n);
	default:
		return 0;
	}
}
