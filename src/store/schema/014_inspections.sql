-- Inspection rounds (督查 / 模拟测评) and the inspections made in them (issue 6, part 3).
-- A round fixes the standard version its checklists come from, its period and scope, and the
-- sites drawn for it (all, or a stratified sample reproducible from its seed: core/sampling.c).
CREATE TABLE inspection_round (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT 'supervision',  -- supervision (督查), simulation (模拟测评)
	version_id INTEGER NOT NULL REFERENCES standard_version(id),
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	scope_areas TEXT NOT NULL DEFAULT '',      -- area codes, comma separated; '' citywide
	scope_types TEXT NOT NULL DEFAULT '',      -- site type codes; '' every type
	sample_mode TEXT NOT NULL,                 -- all, per_stratum, share
	sample_n INTEGER NOT NULL DEFAULT 0,
	sample_share REAL NOT NULL DEFAULT 0,
	seed INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'open',       -- open, closed
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);

CREATE TABLE round_inspector (
	round_id INTEGER NOT NULL REFERENCES inspection_round(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	PRIMARY KEY (round_id, user_id)
);

CREATE TABLE round_site (
	round_id INTEGER NOT NULL REFERENCES inspection_round(id),
	site_id INTEGER NOT NULL REFERENCES site(id),
	PRIMARY KEY (round_id, site_id)
);

-- One finished inspection of a site: submitted whole (offline-tolerant) with an id the client
-- made, so a resubmission is recognised instead of counted twice.
CREATE TABLE inspection (
	id INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL UNIQUE,
	round_id INTEGER NOT NULL REFERENCES inspection_round(id),
	site_id INTEGER NOT NULL REFERENCES site(id),
	inspector_id INTEGER REFERENCES users(id),
	inspected_at INTEGER NOT NULL,
	submitted_at INTEGER NOT NULL,
	lat REAL,
	lon REAL,
	note TEXT NOT NULL DEFAULT '',
	passed INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	na INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inspection_round_site ON inspection (round_id, site_id, id);
CREATE INDEX inspection_site ON inspection (site_id, id);

CREATE TABLE inspection_result (
	inspection_id INTEGER NOT NULL REFERENCES inspection(id),
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	result TEXT NOT NULL,                      -- pass, fail, na
	note TEXT NOT NULL DEFAULT '',
	case_id INTEGER REFERENCES cases(id),      -- the case a failure opened
	PRIMARY KEY (inspection_id, node_id)
);
CREATE INDEX inspection_result_case ON inspection_result (case_id);
