-- Citizen follow-up (issue 5 §7): the reporter's rating of a closed case, once per case.
-- The primary key is a table constraint on purpose: `case_id INTEGER PRIMARY KEY` would be
-- rewritten to an identity column on PostgreSQL, and this key is the case's id, not a new one.
CREATE TABLE case_rating (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	rating TEXT NOT NULL,                -- satisfied (满意), basically (基本满意), unsatisfied (不满意)
	comment TEXT NOT NULL DEFAULT '',    -- at most 500 characters
	at INTEGER NOT NULL,
	PRIMARY KEY (case_id)
);
