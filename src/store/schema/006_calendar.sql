-- The working-time calendar for case deadlines (src/core/workcal.h). Only the exceptions to
-- Mon–Fri are stored: each day of an official holiday span (weekend days inside it too) and
-- each 调休 makeup workday, from the State Council's yearly notice, imported by an
-- administrator (`wenming import calendar FILE`; data/calendar/YYYY.csv at init). A year with
-- no row here has no data: deadlines in it fall back to Mon–Fri with a warning.
CREATE TABLE calendar_day (
	day TEXT PRIMARY KEY CHECK (length(day) = 10), -- 'YYYY-MM-DD', local (Asia/Shanghai)
	kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name TEXT NOT NULL DEFAULT ''                  -- 国庆节, 国庆节调休上班, ...
);

-- The working periods of every workday, minutes after local midnight, [start_min, end_min),
-- in seq order (data/calendar/hours.csv: 08:30–12:00 and 13:30–17:30).
CREATE TABLE calendar_hours (
	seq INTEGER PRIMARY KEY,
	start_min INTEGER NOT NULL CHECK (start_min >= 0 AND start_min < 1440),
	end_min INTEGER NOT NULL CHECK (end_min > start_min AND end_min <= 1440)
);

-- Server processes cache the calendar with the other reference data: any change bumps
-- refdata_version (see 002_refdata.sql) so every instance reloads it.
-- @dialect sqlite
CREATE TRIGGER calendar_day_refdata_i AFTER INSERT ON calendar_day
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER calendar_day_refdata_u AFTER UPDATE ON calendar_day
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER calendar_day_refdata_d AFTER DELETE ON calendar_day
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER calendar_hours_refdata_i AFTER INSERT ON calendar_hours
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER calendar_hours_refdata_u AFTER UPDATE ON calendar_hours
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
CREATE TRIGGER calendar_hours_refdata_d AFTER DELETE ON calendar_hours
	BEGIN UPDATE refdata_version SET generation = generation + 1; END;
-- @dialect postgresql
CREATE TRIGGER calendar_day_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_day
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
CREATE TRIGGER calendar_hours_refdata AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_hours
	FOR EACH STATEMENT EXECUTE FUNCTION refdata_bump();
-- @dialect all
