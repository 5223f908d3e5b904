#include "core/sla.h"

#include <stdio.h>
#include <string.h>

#include "core/workcal.h"

static enum workcal_mode mode_of(const struct sla_limits *lim)
{
	return lim->urgent ? WORKCAL_NATURAL : WORKCAL_WORKING;
}

static void run(const struct workcal *cal, const struct sla_limits *lim, const char *stage,
                int64_t now, int64_t minutes, struct sla_clock *c, int *warned)
{
	int w = 0;
	snprintf(c->stage, sizeof c->stage, "%s", stage);
	c->started_at = now;
	c->due_at = now;
	if (workcal_add(cal, now, minutes < 0 ? 0 : minutes, mode_of(lim), &c->due_at, &w) < 0)
		c->due_at = now; /* limits are validated data; a bad one makes the case due now */
	c->paused_minutes = -1;
	if (w && warned)
		*warned = 1;
}

static void stop(struct sla_clock *c)
{
	c->stage[0] = '\0';
	c->started_at = 0;
	c->due_at = 0;
	c->paused_minutes = -1;
	c->extension_minutes = 0;
}

void sla_start(const struct workcal *cal, const struct sla_limits *lim, int64_t now,
               struct sla_clock *c, int *warned)
{
	c->extension_minutes = 0;
	run(cal, lim, "register", now, lim->register_minutes, c, warned);
}

void sla_after(const struct workcal *cal, const struct sla_limits *lim, const char *action,
               const char *to, int64_t now, int64_t extension, struct sla_clock *c, int *warned)
{
	if (!strcmp(to, "closed") || !strcmp(to, "rejected")) {
		stop(c);
	} else if (!strcmp(action, "register") || !strcmp(action, "return")) {
		run(cal, lim, "dispatch", now, lim->register_minutes, c, warned);
	} else if (!strcmp(action, "dispatch") || !strcmp(action, "redispatch") ||
	           !strcmp(action, "verify_fail") || !strcmp(action, "reopen")) {
		c->extension_minutes = 0;
		run(cal, lim, "handle", now, lim->handle_minutes, c, warned);
	} else if (!strcmp(action, "handle") || !strcmp(action, "onsite")) {
		run(cal, lim, "verify", now, lim->verify_minutes, c, warned);
	} else if (!strcmp(action, "extend_request")) {
		c->extension_minutes = extension > 0 ? extension : 0;
	} else if (!strcmp(action, "extend_approve")) {
		int w = 0;
		int64_t due = c->due_at;
		if (c->due_at && c->extension_minutes > 0 &&
		    workcal_add(cal, c->due_at, c->extension_minutes, mode_of(lim), &due, &w) == 0)
			c->due_at = due;
		c->extension_minutes = 0;
		if (w && warned)
			*warned = 1;
	} else if (!strcmp(action, "extend_deny")) {
		c->extension_minutes = 0;
	} else if (!strcmp(action, "defer")) {
		int64_t left = 0;
		if (c->due_at > now)
			left = lim->urgent ? (c->due_at - now) / 60
			                   : workcal_working_minutes(cal, now, c->due_at, warned);
		stop(c);
		c->paused_minutes = left;
	} else if (!strcmp(action, "resume")) {
		int64_t left = c->paused_minutes > 0 ? c->paused_minutes : 0;
		run(cal, lim, "handle", now, left, c, warned);
	}
	/* accept, supervise, escalate, comment, merge into an open case: the clock runs on. */
}

int sla_alert(const struct workcal *cal, const struct sla_limits *lim, const struct sla_clock *c,
              int64_t now)
{
	if (!c->due_at)
		return 0;
	if (now > c->due_at)
		return 2;
	int64_t total, used;
	if (lim->urgent) {
		total = c->due_at - c->started_at;
		used = now - c->started_at;
	} else {
		total = workcal_working_seconds(cal, c->started_at, c->due_at, NULL);
		used = workcal_working_seconds(cal, c->started_at, now, NULL);
	}
	return total > 0 && used * 4 >= total * 3 ? 1 : 0;
}
