-- Reference data (units, areas, categories and their attributes, api keys) is cached in
-- each server process (src/store/refcache.c). This counter tells every instance, on every
-- host, when to reload: triggers bump it on any change, whichever path made it (CLI, import,
-- admin API, SQL typed by hand). Each instance reads it at most once a second.
CREATE TABLE refdata_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	generation INTEGER NOT NULL
);
INSERT INTO refdata_version (id, generation) VALUES (1, 1);

-- @dialect sqlite
-- SQLite has row triggers only; reference data changes rarely, so a bump per row is fine.
CREATE TRIGGER unit_refdata_i AFTER INSERT ON unit
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER unit_refdata_u AFTER UPDATE ON unit
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER unit_refdata_d AFTER DELETE ON unit
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER area_refdata_i AFTER INSERT ON area
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER area_refdata_u AFTER UPDATE ON area
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER area_refdata_d AFTER DELETE ON area
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_refdata_i AFTER INSERT ON category
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_refdata_u AFTER UPDATE ON category
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_refdata_d AFTER DELETE ON category
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_refdata_i AFTER INSERT ON category_attribute
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_refdata_u AFTER UPDATE ON category_attribute
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_refdata_d AFTER DELETE ON category_attribute
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_value_refdata_i AFTER INSERT ON category_attribute_value
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_value_refdata_u AFTER UPDATE ON category_attribute_value
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER category_attribute_value_refdata_d AFTER DELETE ON category_attribute_value
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER apikey_refdata_i AFTER INSERT ON apikey
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER apikey_refdata_u AFTER UPDATE ON apikey
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER apikey_refdata_d AFTER DELETE ON apikey
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
-- @dialect postgresql
-- One bump per statement, so a bulk import costs one update, not one per row.
CREATE FUNCTION refdata_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE refdata_version SET generation = generation + 1;
	RETURN NULL;
END
$$;
CREATE TRIGGER unit_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER area_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON area
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER category_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER category_attribute_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category_attribute
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER category_attribute_value_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON category_attribute_value
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER apikey_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON apikey
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
-- @dialect all
