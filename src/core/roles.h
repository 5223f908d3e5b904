/* Who acts: the roles of DESIGN §2 as bits, shared by the router (who may call a route) and
 * the case state machine (who may make a move). Users and sessions come with issue 4. */
#ifndef WM_ROLES_H
#define WM_ROLES_H

enum role {
	ROLE_PUBLIC = 1 << 0, /* anyone: citizens, Open311 clients */
	ROLE_ADMIN = 1 << 1,
	ROLE_OFFICE = 1 << 2, /* 文明办 */
	ROLE_DISPATCHER = 1 << 3,
	ROLE_HANDLER = 1 << 4,   /* a responsible unit's case worker */
	ROLE_INSPECTOR = 1 << 5, /* 监督员 / 督查员 */
	ROLE_LEADER = 1 << 6,    /* read-only dashboards */
	ROLE_SYSTEM = 1 << 7,    /* background jobs (escalation, recurrence) */
	ROLE_EDITOR = 1 << 8,    /* the propaganda department's editors: creation news */
};

/* The roles of the case work and the office (the case state machine's "staff"). */
#define ROLE_STAFF                                                                                 \
	(ROLE_ADMIN | ROLE_OFFICE | ROLE_DISPATCHER | ROLE_HANDLER | ROLE_INSPECTOR | ROLE_LEADER)
/* Every role an account may hold: the staff and the propaganda department's editors, who
 * reach their articles, their session and media uploads, and nothing of the case work. */
#define ROLE_USERS (ROLE_STAFF | ROLE_EDITOR)

/* Names as the API, CLI and database documentation spell them: "admin", "office", … */
const char *role_name(enum role r);
/* "office,dispatcher" -> bits; account role names only (ROLE_USERS). -1 on an unknown or empty name. */
int roles_parse(const char *list, unsigned *out);
/* The staff roles in bits as "a,b" into out (cap bytes). */
void roles_format(unsigned bits, char *out, unsigned long cap);

#endif
