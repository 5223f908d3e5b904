/* Build tool: turns files into a C array of {name, bytes, len} so the binary carries its schema
 * and API document. Usage: embed SYMBOL FILE... > out.c (names are the files' base names). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: embed SYMBOL FILE...\n", stderr);
		return 2;
	}
	printf("#include <stddef.h>\n#include \"lib/embedded.h\"\n");
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		printf("static const char f%d[] = {", i);
		int c, n = 0;
		while ((c = getc(f)) != EOF)
			printf("%s%d,", n++ % 24 ? "" : "\n", c);
		printf("0};\n");
		fclose(f);
	}
	printf("const struct embedded_file %s[] = {\n", argv[1]);
	for (int i = 2; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');
		base = base ? base + 1 : argv[i];
		printf("\t{\"%s\", f%d, sizeof f%d - 1},\n", base, i, i);
	}
	printf("\t{NULL, NULL, 0}\n};\n");
	return 0;
}
