-- The action plan (行动方案) and its tasks (issue 6, part 6; docs/plans.md). A plan holds key
-- tasks (重点任务) and their sub-tasks, each pinned to a lead unit (牵头单位) and co-units
-- (配合单位) with a deadline and milestones; units report progress with attachments; the office
-- accepts a finished task (销号); overdue tasks escalate like cases. Tasks serve standard items
-- (软件 and 硬件 work alike).
CREATE TABLE plan (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	issuer_unit_id INTEGER REFERENCES unit(id),
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'active',     -- draft, active, finished
	description TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE task (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plan(id),
	parent_id INTEGER REFERENCES task(id),      -- NULL: a key task
	code TEXT NOT NULL,                         -- "3", "3.2": unique in its plan
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT 'hard',          -- hard (硬件), soft (软件)
	lead_unit_id INTEGER NOT NULL REFERENCES unit(id),
	starts_at INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending',     -- pending, active, submitted, done, cancelled
	progress INTEGER NOT NULL DEFAULT 0,        -- percent, as the lead unit last reported
	alert INTEGER NOT NULL DEFAULT 0,           -- 0 in time, 1 yellow (due soon), 2 red (overdue)
	supervise_level INTEGER NOT NULL DEFAULT 0, -- 督办: raised when it turns red
	done_at INTEGER,
	sort INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,         -- optimistic concurrency of status moves
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (plan_id, code)
);
CREATE INDEX task_parent ON task (parent_id);
CREATE INDEX task_lead ON task (lead_unit_id, status);
CREATE INDEX task_open_due ON task (due_at) WHERE status IN ('pending', 'active');

CREATE TABLE task_unit (                        -- co-units
	task_id INTEGER NOT NULL REFERENCES task(id),
	unit_id INTEGER NOT NULL REFERENCES unit(id),
	PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_unit_unit ON task_unit (unit_id);

CREATE TABLE task_item (                        -- the standard items a task serves
	task_id INTEGER NOT NULL REFERENCES task(id),
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	PRIMARY KEY (task_id, node_id)
);

CREATE TABLE milestone (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES task(id),
	title TEXT NOT NULL,
	due_at INTEGER NOT NULL,
	done_at INTEGER
);
CREATE INDEX milestone_task ON milestone (task_id, due_at);

-- The task's timeline: progress reports, status moves, escalations, edits.
CREATE TABLE task_event (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES task(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	unit_id INTEGER REFERENCES unit(id),        -- the reporting unit (reports)
	action TEXT NOT NULL,                       -- report, start, submit, accept, return, cancel, reopen, escalate, edit
	from_status TEXT,
	to_status TEXT NOT NULL,
	progress INTEGER,                           -- reports: the percent given, if any
	milestone_id INTEGER REFERENCES milestone(id),
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX task_event_task ON task_event (task_id, id);

CREATE TABLE task_event_media (                 -- a report's attachments (photos, PDF)
	event_id INTEGER NOT NULL REFERENCES task_event(id),
	sha256 TEXT NOT NULL REFERENCES media(sha256),
	sort INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (event_id, sha256)
);

-- A task's escalation notifies like a case's.
ALTER TABLE notification ADD COLUMN task_id INTEGER REFERENCES task(id);
