-- The case workflow (issue 5): each open case has a stage with a deadline counted in working
-- time (core/sla.c); alerts, supervision, extensions, pauses and likely duplicates.
-- expected_at (001) is the running stage's deadline: Open311's expected_datetime.
ALTER TABLE cases ADD COLUMN stage TEXT NOT NULL DEFAULT '';  -- register, dispatch, handle, verify; '' when no clock runs
ALTER TABLE cases ADD COLUMN stage_started_at INTEGER;
ALTER TABLE cases ADD COLUMN alert INTEGER NOT NULL DEFAULT 0;  -- 0 in time, 1 yellow (75% used), 2 red (overdue)
ALTER TABLE cases ADD COLUMN supervise_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN paused_minutes INTEGER;  -- deferred (缓办): working minutes the stage had left
ALTER TABLE cases ADD COLUMN extension_minutes INTEGER NOT NULL DEFAULT 0;  -- asked for, not yet approved
ALTER TABLE cases ADD COLUMN likely_duplicate_of INTEGER REFERENCES cases(id);
-- The deadline of the stage a move ended, so 按期 figures need no replay of the history.
ALTER TABLE case_event ADD COLUMN due_at INTEGER;
CREATE INDEX cases_open_due ON cases (expected_at) WHERE status NOT IN ('closed', 'rejected');

-- What the escalation job tells people: a row per user of the responsible unit and of its
-- parent, read or not.
CREATE TABLE notification (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	case_id INTEGER REFERENCES cases(id),
	kind TEXT NOT NULL,                  -- yellow (75% of the stage's time used), red (overdue)
	message TEXT NOT NULL,
	at INTEGER NOT NULL,
	read_at INTEGER
);
CREATE INDEX notification_user ON notification (user_id, id);
