/* Stage deadlines (时限): what a move of the state machine does to a case's clock. Each open
 * case runs one stage at a time — register (立案), dispatch (派遣), handle (处置), verify (核查)
 * — whose deadline is the category's limit counted in working time (natural time for urgent
 * categories) from the move that started it. Extensions move the deadline; deferral (缓办)
 * stops the clock and keeps the working time left; closing or rejecting stops it. Pure. */
#ifndef WM_SLA_H
#define WM_SLA_H

#include <stdint.h>

struct workcal;

struct sla_limits {
	int register_minutes, handle_minutes, verify_minutes;
	int urgent; /* limits in natural time */
};

struct sla_clock {
	char stage[12];            /* "" when no clock runs */
	int64_t started_at;        /* 0 when none */
	int64_t due_at;            /* 0 when none */
	int64_t paused_minutes;    /* deferred: what the stage had left; -1 when not paused */
	int64_t extension_minutes; /* asked for, waiting for approval */
};

/* The clock of a new report (stage register from now). */
void sla_start(const struct workcal *cal, const struct sla_limits *lim, int64_t now,
               struct sla_clock *c, int *warned);
/* The clock after `action` took the case to status `to` at now. extension: the minutes an
 * extend_request asks for (ignored otherwise). *warned: a calendar year without data. */
void sla_after(const struct workcal *cal, const struct sla_limits *lim, const char *action,
               const char *to, int64_t now, int64_t extension, struct sla_clock *c, int *warned);
/* 0 in time, 1 yellow (at least 75% of the stage's time used), 2 red (past due). */
int sla_alert(const struct workcal *cal, const struct sla_limits *lim, const struct sla_clock *c,
              int64_t now);

#endif
