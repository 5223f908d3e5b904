-- Background jobs (src/store/jobs.c). Time is cut into passes of each job's period; a pass is
-- claimed by inserting its row, so with any number of server instances on one database each
-- pass runs once (the unique key decides), and on PostgreSQL an advisory lock also keeps two
-- instances from running the same job at the same time. The rows are the jobs' history.
CREATE TABLE job_run (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	pass INTEGER NOT NULL,          -- unix seconds / period
	instance TEXT NOT NULL,         -- host:pid of the server that ran it
	started_at INTEGER NOT NULL,
	finished_at INTEGER,            -- NULL while running, or when the process died
	ok INTEGER,                     -- 1 done, 0 failed
	note TEXT NOT NULL DEFAULT '',  -- what it did, or why it failed
	UNIQUE (name, pass)
);
CREATE INDEX job_run_started ON job_run (started_at);
