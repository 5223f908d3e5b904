-- The audit trail (src/store/audit.c): who did what to which object, appended in the same
-- transaction as the change it describes, never updated or deleted. Each record carries the
-- SHA-256 of its own canonical form and of its predecessor, so `wenming audit verify` finds
-- any record changed, removed or slipped in behind the program's back.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,              -- 1, 2, 3, … without gaps (given by audit_head)
	at INTEGER NOT NULL,                 -- unix seconds
	actor TEXT NOT NULL,                 -- "user:7", "apikey:3", "system", "cli"
	ip TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,                -- "case.report", "user.create", "login.fail", …
	object TEXT NOT NULL DEFAULT '',     -- "case:DL…", "user:7"
	summary TEXT NOT NULL DEFAULT '',    -- JSON: before/after of what changed
	prev_hash TEXT NOT NULL,             -- the previous record's hash (64 zeros for the first)
	hash TEXT NOT NULL                   -- hex SHA-256 of this record's canonical form
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_object ON audit_log (object, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain's head. Every append first updates this one row, which serialises appenders on
-- both stores and across server instances (PostgreSQL holds the row lock until commit;
-- SQLite's write transaction is exclusive anyway), so ids stay contiguous and each record
-- links to the one committed before it. It also lets verify notice a deleted tail.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_id INTEGER NOT NULL,
	last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash)
	VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
