-- The evaluation standard (测评体系) and the sites (点位) it is checked at (issue 6).
--
-- A standard is imported as a version and never rewritten: inspections keep pointing at the
-- items of the version they were made against, and a new edition is a new version (one is
-- active: the checklists of new rounds come from it). Its nodes form the tree 测评项目 (project)
-- → 测评内容 (content) → 测评标准 (item); only items carry a method, points, a veto kind, the
-- site types they are checked at and the case categories a failure opens.
CREATE TABLE site_type (
	code TEXT PRIMARY KEY,               -- main_road, back_street, market … (data/standards/site_types.csv)
	name TEXT NOT NULL,
	sort INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE standard_version (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,           -- e.g. 2026
	name TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 0,
	imported_at INTEGER NOT NULL
);

CREATE TABLE standard_node (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES standard_version(id),
	code TEXT NOT NULL,                  -- A01, A01.02, A01.02.03
	parent_id INTEGER REFERENCES standard_node(id),
	kind TEXT NOT NULL,                  -- project, content, item
	text TEXT NOT NULL,
	method TEXT NOT NULL DEFAULT '',     -- items: field (实地考察), survey (问卷调查), material (材料审核), online (网上申报)
	points REAL,                         -- items
	veto TEXT NOT NULL DEFAULT 'none',   -- items: none, deduct (负面清单扣分), veto (一票否决)
	sort INTEGER NOT NULL DEFAULT 0,
	UNIQUE (version_id, code)
);
CREATE INDEX standard_node_parent ON standard_node (parent_id);

CREATE TABLE standard_item_site_type (
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	site_type TEXT NOT NULL REFERENCES site_type(code),
	PRIMARY KEY (node_id, site_type)
);
CREATE INDEX standard_item_site_type_type ON standard_item_site_type (site_type);

CREATE TABLE standard_item_category (
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	category_id INTEGER NOT NULL REFERENCES category(id),
	PRIMARY KEY (node_id, category_id)
);

CREATE TABLE site (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	type TEXT NOT NULL REFERENCES site_type(code),
	area_id INTEGER REFERENCES area(id),
	unit_id INTEGER REFERENCES unit(id),  -- the 包保 (responsible) unit: failures are routed to it
	lat REAL,
	lon REAL,
	address TEXT NOT NULL DEFAULT '',
	photo_sha256 TEXT,                    -- a stored photo (media), or NULL
	active INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL
);
CREATE INDEX site_type_area ON site (type, area_id);
CREATE INDEX site_unit ON site (unit_id);
