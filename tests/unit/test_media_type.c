#include <criterion/criterion.h>
#include <string.h>

#include "core/media_type.h"

/* SOI, APP0 (JFIF), APP1 (Exif with a fake GPS tag), COM, DQT, SOS + data, EOI. */
static const unsigned char jpeg[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x07, 'J',  'F',  'I',  'F',  0x00, 0xFF, 0xE1,
    0x00, 0x0A, 'E',  'x',  'i',  'f',  0x00, 0x00, 'G',  'P',  0xFF, 0xFE, 0x00,
    0x05, 'h',  'i',  '!',  0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02, 0xFF, 0xDA, 0x00,
    0x04, 0x03, 0x04, 0x11, 0x22, 0xFF, 0x00, 0x33, 0xFF, 0xD9,
};

Test(media, sniffs_by_magic_bytes)
{
	cr_assert_eq(media_sniff(jpeg, sizeof jpeg), MEDIA_JPEG);
	cr_assert_eq(media_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n....", 12), MEDIA_PNG);
	cr_assert_eq(media_sniff((const unsigned char *)"RIFF\4\0\0\0WEBP", 12), MEDIA_WEBP);
	cr_assert_eq(media_sniff((const unsigned char *)"GIF89a......", 12), MEDIA_UNKNOWN);
	cr_assert_eq(media_sniff((const unsigned char *)"\xFF\xD8", 2), MEDIA_UNKNOWN);
	cr_assert_eq(media_sniff((const unsigned char *)"<svg></svg>", 11), MEDIA_UNKNOWN);
	cr_assert_str_eq(media_mime(MEDIA_WEBP), "image/webp");
	cr_assert_eq(media_from_ext("png"), MEDIA_PNG);
	cr_assert_eq(media_from_ext("exe"), MEDIA_UNKNOWN);
}

Test(media, jpeg_loses_exif_and_comments_keeps_image)
{
	unsigned char p[sizeof jpeg];
	memcpy(p, jpeg, sizeof jpeg);
	size_t n = media_strip(MEDIA_JPEG, p, sizeof p);
	cr_assert_eq(n, sizeof jpeg - 12 - 7);
	cr_assert_null(memmem(p, n, "Exif", 4));
	cr_assert_null(memmem(p, n, "hi!", 3));
	cr_assert_not_null(memmem(p, n, "JFIF", 4));
	cr_assert_eq(memcmp(p + n - 7, "\x11\x22\xFF\x00\x33\xFF\xD9", 7), 0);
}

Test(media, truncated_jpeg_is_refused)
{
	unsigned char p[20];
	memcpy(p, jpeg, sizeof p);
	cr_assert_eq(media_strip(MEDIA_JPEG, p, sizeof p), 0);
}

static size_t png_chunk(unsigned char *p, const char *type, const char *data)
{
	size_t len = strlen(data);
	p[0] = 0, p[1] = 0, p[2] = 0, p[3] = (unsigned char)len;
	memcpy(p + 4, type, 4);
	memcpy(p + 8, data, len);
	memset(p + 8 + len, 0xAB, 4); /* CRC is not checked by the stripper */
	return 12 + len;
}

Test(media, png_loses_text_chunks)
{
	unsigned char p[256];
	size_t n = 0;
	memcpy(p, "\x89PNG\r\n\x1a\n", 8);
	n = 8;
	n += png_chunk(p + n, "IHDR", "0123456789abc");
	n += png_chunk(p + n, "tEXt", "GPS\0x");
	n += png_chunk(p + n, "eXIf", "MM");
	n += png_chunk(p + n, "IDAT", "pixels");
	n += png_chunk(p + n, "IEND", "");
	size_t out = media_strip(MEDIA_PNG, p, n);
	cr_assert_gt(out, 0);
	cr_assert_null(memmem(p, out, "tEXt", 4));
	cr_assert_null(memmem(p, out, "eXIf", 4));
	cr_assert_not_null(memmem(p, out, "pixels", 6));
	cr_assert_not_null(memmem(p, out, "IEND", 4));
}

Test(media, png_without_iend_is_refused)
{
	unsigned char p[64];
	memcpy(p, "\x89PNG\r\n\x1a\n", 8);
	size_t n = 8 + png_chunk(p + 8, "IHDR", "0123456789abc");
	cr_assert_eq(media_strip(MEDIA_PNG, p, n), 0);
}

Test(media, webp_loses_exif_and_flags)
{
	unsigned char p[128];
	size_t n = 12;
	memcpy(p, "RIFF\0\0\0\0WEBP", 12);
	memcpy(p + n, "VP8X\x0a\0\0\0", 8);
	memset(p + n + 8, 0, 10);
	p[n + 8] = 0x0C; /* EXIF + XMP flags */
	n += 18;
	memcpy(p + n, "VP8L\x04\0\0\0abcd", 12);
	n += 12;
	memcpy(p + n, "EXIF\x03\0\0\0GPS\0", 12); /* odd length: one pad byte */
	n += 12;
	p[4] = (unsigned char)(n - 8);
	size_t out = media_strip(MEDIA_WEBP, p, n);
	cr_assert_eq(out, n - 12);
	cr_assert_null(memmem(p, out, "EXIF", 4));
	cr_assert_eq(p[20] & 0x0C, 0);
	cr_assert_eq(p[4], out - 8);
}

Test(media, wrong_kind_is_refused)
{
	unsigned char p[sizeof jpeg];
	memcpy(p, jpeg, sizeof jpeg);
	cr_assert_eq(media_strip(MEDIA_PNG, p, sizeof p), 0);
}

Test(media, pdf_documents_are_kept_whole_when_they_end)
{
	static const char whole[] = "%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
	unsigned char p[sizeof whole];
	memcpy(p, whole, sizeof whole);
	size_t n = sizeof whole - 1;
	cr_assert_eq(media_sniff(p, n), MEDIA_PDF);
	cr_assert_not(media_is_image(MEDIA_PDF));
	cr_assert(media_is_image(MEDIA_WEBP));
	cr_assert_eq(media_strip(MEDIA_PDF, p, n), n, "a whole PDF is kept as sent");
	cr_assert_eq(memcmp(p, whole, n), 0);
	cr_assert_eq(media_strip(MEDIA_PDF, p, n - 7), 0, "cut before %%%%EOF: refused");
	/* the marker must be in the last kilobyte */
	static unsigned char big[4096];
	memcpy(big, "%PDF-1.4\n%%EOF", 14);
	memset(big + 14, ' ', sizeof big - 14);
	cr_assert_eq(media_strip(MEDIA_PDF, big, sizeof big), 0);
	cr_assert_eq(media_from_mime("application/pdf"), MEDIA_PDF);
	cr_assert_eq(media_from_mime("image/png"), MEDIA_PNG);
	cr_assert_eq(media_from_mime("text/html"), MEDIA_UNKNOWN);
	cr_assert_str_eq(media_ext(MEDIA_PDF), "pdf");
}
