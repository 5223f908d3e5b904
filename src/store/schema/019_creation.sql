-- 基层创建 Grassroots creation (issue 6, part 7): villages and towns, communities, enterprises
-- and departments, schools and county-level cities carry their own creation of a title
-- (文明村镇, 文明社区, 文明单位, 文明校园, 全国文明城市(县级)): declared (申报), under review
-- (复查), named (命名) or revoked (撤销), each move on the record, with self-assessments
-- against the items of the active evaluation standard that apply to the title.
-- docs/creation.md; the titles are data (data/standards/creation_titles.csv).
CREATE TABLE creation_title (
	code TEXT PRIMARY KEY,               -- civilized_village, civilized_community …
	name TEXT NOT NULL,                  -- 文明村镇 …
	sort INTEGER NOT NULL DEFAULT 0
);

-- The unit kinds a title is for (village and town for 文明村镇 …): the units eligible.
CREATE TABLE creation_title_kind (
	title TEXT NOT NULL REFERENCES creation_title(code),
	unit_kind TEXT NOT NULL,
	PRIMARY KEY (title, unit_kind)
);
CREATE INDEX creation_title_kind_kind ON creation_title_kind (unit_kind);

-- A self-assessment uses the active standard's field (实地考察) items checked at these site
-- types, and every item of these methods (material, online, survey, or field: all of them).
CREATE TABLE creation_title_site_type (
	title TEXT NOT NULL REFERENCES creation_title(code),
	site_type TEXT NOT NULL REFERENCES site_type(code),
	PRIMARY KEY (title, site_type)
);

CREATE TABLE creation_title_method (
	title TEXT NOT NULL REFERENCES creation_title(code),
	method TEXT NOT NULL,
	PRIMARY KEY (title, method)
);

-- One unit's creation of one title. Every status change goes through core/creation_fsm.c and
-- is guarded by `version` (the loser of a race gets 409, never a lost update).
CREATE TABLE creation (
	id INTEGER PRIMARY KEY,
	unit_id INTEGER NOT NULL REFERENCES unit(id),
	title TEXT NOT NULL REFERENCES creation_title(code),
	status TEXT NOT NULL,                -- declared (申报), reviewing (复查), named (命名), revoked (撤销)
	level TEXT NOT NULL DEFAULT 'city',  -- city (市级), province (省级), national (全国)
	year INTEGER NOT NULL,               -- the creation year (创建年度)
	batch TEXT NOT NULL DEFAULT '',      -- the naming batch, e.g. 2026年度第一批
	declared_at INTEGER NOT NULL,
	reviewing_at INTEGER,                -- the last time each step was taken
	named_at INTEGER,
	revoked_at INTEGER,
	revoke_reason TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL,
	UNIQUE (unit_id, title)
);
CREATE INDEX creation_title_status ON creation (title, status);

CREATE TABLE creation_event (
	id INTEGER PRIMARY KEY,
	creation_id INTEGER NOT NULL REFERENCES creation(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,                 -- user:7, cli
	action TEXT NOT NULL,                -- declare, review, name, revoke, import
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX creation_event_creation ON creation_event (creation_id, id);

-- A self-assessment (自评), submitted whole with an id the client made (a resubmission is
-- recognised, not counted twice), against the items of the standard version active then;
-- its sums are kept as core/scoring.c adds them.
CREATE TABLE creation_assessment (
	id INTEGER PRIMARY KEY,
	client_id TEXT NOT NULL UNIQUE,
	creation_id INTEGER NOT NULL REFERENCES creation(id),
	version_id INTEGER NOT NULL REFERENCES standard_version(id),
	submitted_by INTEGER REFERENCES users(id),
	submitted_at INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	passed INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	na INTEGER NOT NULL DEFAULT 0,
	kept REAL NOT NULL DEFAULT 0,
	applicable REAL NOT NULL DEFAULT 0,
	deduct_failed INTEGER NOT NULL DEFAULT 0,
	veto_failed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX creation_assessment_creation ON creation_assessment (creation_id, id);

CREATE TABLE creation_assessment_item (
	assessment_id INTEGER NOT NULL REFERENCES creation_assessment(id),
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	result TEXT NOT NULL,                -- pass, fail, na
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (assessment_id, node_id)
);
