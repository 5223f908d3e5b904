#include "core/roles.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum role bit;
	const char *name;
} NAMES[] = {
    {ROLE_PUBLIC, "public"},         {ROLE_ADMIN, "admin"},     {ROLE_OFFICE, "office"},
    {ROLE_DISPATCHER, "dispatcher"}, {ROLE_HANDLER, "handler"}, {ROLE_INSPECTOR, "inspector"},
    {ROLE_LEADER, "leader"},         {ROLE_SYSTEM, "system"},   {ROLE_EDITOR, "editor"},
};

const char *role_name(enum role r)
{
	for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
		if (NAMES[i].bit == r)
			return NAMES[i].name;
	return "?";
}

int roles_parse(const char *list, unsigned *out)
{
	*out = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
			if (strlen(NAMES[i].name) == n && strncmp(NAMES[i].name, p, n) == 0 &&
			    (NAMES[i].bit & ROLE_USERS))
				bit = NAMES[i].bit;
		if (!bit)
			return -1;
		*out |= bit;
		p += n;
		if (*p == ',')
			p++;
	}
	return *out ? 0 : -1;
}

void roles_format(unsigned bits, char *out, unsigned long cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
		if (!(bits & NAMES[i].bit) || !(NAMES[i].bit & ROLE_USERS))
			continue;
		int k = snprintf(out + len, cap - len, "%s%s", len ? "," : "", NAMES[i].name);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
}
