-- Routing rules (issue 5): which unit a case goes to, as data. A rule names a category (a
-- service code), a whole 大类 (a kind-qualified group code: E01 市容环境 events, P01 公用设施
-- parts; bare group digits are the same for both kinds) or neither (any category); an area
-- of any kind or none (anywhere); and the responsible unit. core/routing.c picks the most
-- specific active rule; without one a case goes to its category's default unit.
CREATE TABLE routing_rule (
	id INTEGER PRIMARY KEY,
	category_code TEXT REFERENCES category(service_code), -- NULL: not one category
	group_code TEXT,                     -- 'E01', 'P03'; NULL: not a group
	area_id INTEGER REFERENCES area(id), -- NULL: any area
	unit_id INTEGER NOT NULL REFERENCES unit(id),
	priority INTEGER NOT NULL DEFAULT 0, -- higher wins between rules equally specific
	active INTEGER NOT NULL DEFAULT 1,   -- rules are deactivated, not deleted: cases name them
	note TEXT NOT NULL DEFAULT '',
	CHECK (category_code IS NULL OR group_code IS NULL)
);
-- One active rule per (category or group, area): a second one could only ever lose or tie.
CREATE UNIQUE INDEX routing_rule_key ON routing_rule
	((COALESCE(category_code, '')), (COALESCE(group_code, '')), (COALESCE(area_id, 0)))
	WHERE active = 1;

-- Rules are reference data: a change by any path reloads every instance's cache (002).
-- @dialect sqlite
CREATE TRIGGER routing_rule_refdata_i AFTER INSERT ON routing_rule
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER routing_rule_refdata_u AFTER UPDATE ON routing_rule
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER routing_rule_refdata_d AFTER DELETE ON routing_rule
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
-- @dialect postgresql
CREATE TRIGGER routing_rule_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routing_rule
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
-- @dialect all
