-- Foundation schema: organisation stubs, categories, api keys, media and the case record.
-- Portable SQL (SQLite and PostgreSQL): integer unix seconds, TEXT, no dialect functions.
-- `id INTEGER PRIMARY KEY` is rewritten by the PostgreSQL driver to an identity column.

CREATE TABLE unit (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,          -- committee, office, department, district, county_city, county, zone, street, community, village, enterprise, school, utility
	parent_id INTEGER REFERENCES unit(id),
	phone TEXT,
	active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE area (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,   -- administrative code or CJ/T 213 grid code
	name TEXT NOT NULL,
	kind TEXT NOT NULL,          -- district, street, grid
	parent_id INTEGER REFERENCES area(id),
	unit_id INTEGER REFERENCES unit(id),
	geojson TEXT NOT NULL,       -- Polygon or MultiPolygon geometry
	min_lat REAL NOT NULL, min_lon REAL NOT NULL, max_lat REAL NOT NULL, max_lon REAL NOT NULL
);

CREATE TABLE category (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL,                 -- 大类 2 digits + 小类 2 digits, e.g. 0101; unique per kind
	service_code TEXT NOT NULL UNIQUE,  -- Open311 service_code
	kind TEXT NOT NULL,                 -- event (事件) or part (部件)
	group_code TEXT NOT NULL,
	group_name TEXT NOT NULL,           -- 大类 name, Open311 group
	name TEXT NOT NULL,                 -- 小类 name, Open311 service_name
	description TEXT NOT NULL,
	keywords TEXT NOT NULL DEFAULT '',
	default_unit_id INTEGER REFERENCES unit(id),
	register_minutes INTEGER NOT NULL,  -- 立案 limit
	handle_minutes INTEGER NOT NULL,    -- 处置 limit
	verify_minutes INTEGER NOT NULL,    -- 核查 limit
	urgent INTEGER NOT NULL DEFAULT 0,  -- 急要件: limits in natural time, not working time
	active INTEGER NOT NULL DEFAULT 1,
	sort INTEGER NOT NULL DEFAULT 0,
	UNIQUE (kind, code)
);

CREATE TABLE category_attribute (
	id INTEGER PRIMARY KEY,
	category_id INTEGER NOT NULL REFERENCES category(id),
	code TEXT NOT NULL,
	variable INTEGER NOT NULL DEFAULT 1,
	datatype TEXT NOT NULL,             -- string, number, datetime, text, singlevaluelist, multivaluelist
	required INTEGER NOT NULL DEFAULT 0,
	datatype_description TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0,
	UNIQUE (category_id, code)
);

CREATE TABLE category_attribute_value (
	attribute_id INTEGER NOT NULL REFERENCES category_attribute(id),
	key TEXT NOT NULL,
	name TEXT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (attribute_id, key)
);

CREATE TABLE apikey (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	key_hash TEXT NOT NULL UNIQUE,      -- hex SHA-256 of the key; the key itself is shown once
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE media (
	sha256 TEXT PRIMARY KEY,            -- content address; file at var/media/ab/<sha256>.<ext>
	mime TEXT NOT NULL,
	bytes INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,          -- tracking code, also the Open311 service_request_id
	token TEXT NOT NULL UNIQUE,         -- Open311 token
	source TEXT NOT NULL,               -- open311, portal, inspector, inspection, hotline
	category_id INTEGER NOT NULL REFERENCES category(id),
	status TEXT NOT NULL,               -- reported, registered, dispatched, handling, handled, deferred (缓办), closed, rejected
	description TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	address_id TEXT NOT NULL DEFAULT '',
	zipcode TEXT NOT NULL DEFAULT '',
	lat REAL,
	lon REAL,
	area_id INTEGER REFERENCES area(id),
	unit_id INTEGER REFERENCES unit(id),  -- responsible unit now
	media_sha256 TEXT REFERENCES media(sha256),
	media_url TEXT NOT NULL DEFAULT '',   -- external photo URL given by the client
	status_notes TEXT NOT NULL DEFAULT '',
	service_notice TEXT NOT NULL DEFAULT '',
	requested_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	expected_at INTEGER,
	closed_at INTEGER,
	version INTEGER NOT NULL DEFAULT 1,   -- optimistic concurrency
	rework_count INTEGER NOT NULL DEFAULT 0,
	duplicate_of INTEGER REFERENCES cases(id),
	recurrence_of INTEGER REFERENCES cases(id),
	-- reporter contact: never shown in public output
	reporter_email TEXT NOT NULL DEFAULT '',
	reporter_phone TEXT NOT NULL DEFAULT '',
	reporter_first_name TEXT NOT NULL DEFAULT '',
	reporter_last_name TEXT NOT NULL DEFAULT '',
	reporter_device_id TEXT NOT NULL DEFAULT '',
	reporter_account_id TEXT NOT NULL DEFAULT '',
	apikey_id INTEGER REFERENCES apikey(id)
);
CREATE INDEX cases_recent ON cases (requested_at, id);
CREATE INDEX cases_open_recent ON cases (requested_at, id) WHERE status NOT IN ('closed', 'rejected');
CREATE INDEX cases_category ON cases (category_id, requested_at);
CREATE INDEX cases_updated ON cases (updated_at);
CREATE INDEX cases_latlon ON cases (lat, lon);

CREATE TABLE case_attribute (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	code TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (case_id, code, value)
);

CREATE TABLE case_media (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	sha256 TEXT NOT NULL REFERENCES media(sha256),
	role TEXT NOT NULL,                  -- report, before, after, handled
	event_id INTEGER,
	PRIMARY KEY (case_id, sha256, role)
);

CREATE TABLE case_event (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,                 -- 'citizen', 'apikey:<id>', 'user:<id>', 'system'
	action TEXT NOT NULL,                -- a transition action of core/case_fsm
	from_status TEXT,
	to_status TEXT NOT NULL,
	unit_id INTEGER REFERENCES unit(id),
	note TEXT NOT NULL DEFAULT '',
	public INTEGER NOT NULL DEFAULT 0    -- shown in Open311 status_notes and the public timeline
);
CREATE INDEX case_event_case ON case_event (case_id, id);
