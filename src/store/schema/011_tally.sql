-- The figures (docs/figures.md) read counts kept as the work happens instead of walking a
-- period's events: a month over 2,000,000 cases a year is ~1,000,000 moves, too many to count
-- per request. Triggers (below, one per dialect) add a delta row for every counted move,
-- report, merge, recurrence and rating, whichever path wrote it (server, CLI, import, demo
-- generator, SQL by hand); the tally_fold job (store/tally.c) sums the deltas into
-- case_tally once a minute. Readers add both, so a figure is exact at once.
--
-- A row's key: the local day (UTC+8 midnight, unix seconds), the unit the count is for, the
-- case's category and source. Counts of the place (reported, valid_reported, registered,
-- rejected, place_closed: what 立案率 and 结案率 judge) are for the unit of the case's area;
-- counts of the work (dispatch, handling, verification, closing, deferral, lateness, handling
-- time) for the unit the case was last dispatched to at the move (before any dispatch: the
-- area's unit); ratings for the case's unit when rated; a recurrence for the unit of the
-- earlier case. 0: none.
CREATE TABLE case_tally (
	day INTEGER NOT NULL,
	unit_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	source TEXT NOT NULL,
	reported INTEGER NOT NULL DEFAULT 0,
	valid_reported INTEGER NOT NULL DEFAULT 0,
	registered INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	dispatched INTEGER NOT NULL DEFAULT 0,
	dispatched_ontime INTEGER NOT NULL DEFAULT 0,
	handled INTEGER NOT NULL DEFAULT 0,
	due_handle INTEGER NOT NULL DEFAULT 0,
	due_handled INTEGER NOT NULL DEFAULT 0,
	due_handled_ontime INTEGER NOT NULL DEFAULT 0,
	reworked INTEGER NOT NULL DEFAULT 0,
	verified INTEGER NOT NULL DEFAULT 0,
	verified_ontime INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	place_closed INTEGER NOT NULL DEFAULT 0,
	deferred INTEGER NOT NULL DEFAULT 0,
	ratings INTEGER NOT NULL DEFAULT 0,
	satisfied INTEGER NOT NULL DEFAULT 0,
	recurred INTEGER NOT NULL DEFAULT 0,
	late INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, unit_id, category_id, source)
) WITHOUT ROWID;

-- Appended by the triggers, never updated: concurrent writers (several instances on one
-- PostgreSQL) never wait on each other's counters. Folded and deleted by tally_fold.
CREATE TABLE case_tally_delta (
	id INTEGER PRIMARY KEY,
	day INTEGER NOT NULL,
	unit_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	source TEXT NOT NULL,
	reported INTEGER NOT NULL DEFAULT 0,
	valid_reported INTEGER NOT NULL DEFAULT 0,
	registered INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	dispatched INTEGER NOT NULL DEFAULT 0,
	dispatched_ontime INTEGER NOT NULL DEFAULT 0,
	handled INTEGER NOT NULL DEFAULT 0,
	due_handle INTEGER NOT NULL DEFAULT 0,
	due_handled INTEGER NOT NULL DEFAULT 0,
	due_handled_ontime INTEGER NOT NULL DEFAULT 0,
	reworked INTEGER NOT NULL DEFAULT 0,
	verified INTEGER NOT NULL DEFAULT 0,
	verified_ontime INTEGER NOT NULL DEFAULT 0,
	closed INTEGER NOT NULL DEFAULT 0,
	place_closed INTEGER NOT NULL DEFAULT 0,
	deferred INTEGER NOT NULL DEFAULT 0,
	ratings INTEGER NOT NULL DEFAULT 0,
	satisfied INTEGER NOT NULL DEFAULT 0,
	recurred INTEGER NOT NULL DEFAULT 0,
	late INTEGER NOT NULL DEFAULT 0
);

-- Each handling move's time from the case's last (re)dispatch before it: the mean and the
-- 90th percentile need the values, not a count.
CREATE TABLE case_handle_time (
	day INTEGER NOT NULL,
	unit_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	source TEXT NOT NULL,
	event_id INTEGER NOT NULL,
	seconds INTEGER NOT NULL,
	PRIMARY KEY (day, unit_id, event_id)
) WITHOUT ROWID;

-- @dialect sqlite
-- A move counts on its own day; a late handling falls due (应处置) on its deadline's day,
-- an on-time one on the day it is done (docs/figures.md). SQLite triggers have no variables,
-- so the unit expression repeats.
CREATE TRIGGER case_event_tally AFTER INSERT ON case_event
WHEN NEW.action IN ('register', 'reject', 'dispatch', 'handle', 'onsite', 'verify_pass',
                    'verify_fail', 'defer') OR NEW.at > NEW.due_at
BEGIN
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, registered, rejected,
		dispatched, dispatched_ontime, handled, due_handle, due_handled, due_handled_ontime,
		reworked, verified, verified_ontime, closed, deferred, late)
	SELECT (NEW.at + 28800) / 86400 * 86400 - 28800,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id <= NEW.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0),
		c.category_id, c.source,
		NEW.action = 'register', NEW.action = 'reject', NEW.action = 'dispatch',
		NEW.action = 'dispatch' AND NOT COALESCE(NEW.at > NEW.due_at, 0),
		NEW.action IN ('handle', 'onsite'),
		NEW.action IN ('handle', 'onsite') AND NOT COALESCE(NEW.at > NEW.due_at, 0),
		NEW.action IN ('handle', 'onsite') AND NOT COALESCE(NEW.at > NEW.due_at, 0),
		NEW.action IN ('handle', 'onsite') AND NOT COALESCE(NEW.at > NEW.due_at, 0),
		NEW.action = 'verify_fail', NEW.action IN ('verify_pass', 'verify_fail'),
		NEW.action IN ('verify_pass', 'verify_fail') AND NOT COALESCE(NEW.at > NEW.due_at, 0),
		NEW.action = 'verify_pass', NEW.action = 'defer', COALESCE(NEW.at > NEW.due_at, 0)
	FROM cases c LEFT JOIN area a ON a.id = c.area_id WHERE c.id = NEW.case_id;
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, due_handle, due_handled)
	SELECT (NEW.due_at + 28800) / 86400 * 86400 - 28800,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id <= NEW.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0),
		c.category_id, c.source, 1, 1
	FROM cases c LEFT JOIN area a ON a.id = c.area_id
	WHERE c.id = NEW.case_id AND NEW.action IN ('handle', 'onsite') AND NEW.at > NEW.due_at;
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, place_closed)
	SELECT (NEW.at + 28800) / 86400 * 86400 - 28800, COALESCE(a.unit_id, 0), c.category_id,
		c.source, 1
	FROM cases c LEFT JOIN area a ON a.id = c.area_id
	WHERE c.id = NEW.case_id AND NEW.action = 'verify_pass';
	INSERT INTO case_handle_time (day, unit_id, category_id, source, event_id, seconds)
	SELECT (NEW.at + 28800) / 86400 * 86400 - 28800,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id <= NEW.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0),
		c.category_id, c.source, NEW.id, NEW.at - s.since
	FROM cases c LEFT JOIN area a ON a.id = c.area_id,
		(SELECT MAX(d.at) AS since FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id < NEW.id AND d.action IN ('dispatch', 'redispatch')) s
	WHERE c.id = NEW.case_id AND NEW.action = 'handle' AND s.since IS NOT NULL;
END;

-- Reports count where the problem is (the area's unit): the case has no unit yet, and a
-- merge later must find the same row.
CREATE TRIGGER cases_tally AFTER INSERT ON cases
BEGIN
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, reported, valid_reported)
	VALUES ((NEW.requested_at + 28800) / 86400 * 86400 - 28800,
		COALESCE((SELECT unit_id FROM area WHERE id = NEW.area_id), 0),
		NEW.category_id, NEW.source, 1, NEW.duplicate_of IS NULL);
	-- 反复发生 counts against the unit that closed the earlier case
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, recurred)
	SELECT (NEW.requested_at + 28800) / 86400 * 86400 - 28800,
		COALESCE(p.unit_id, pa.unit_id, 0), NEW.category_id, NEW.source, 1
	FROM cases p LEFT JOIN area pa ON pa.id = p.area_id WHERE p.id = NEW.recurrence_of;
END;

CREATE TRIGGER cases_tally_merge AFTER UPDATE OF duplicate_of ON cases
WHEN (OLD.duplicate_of IS NULL) <> (NEW.duplicate_of IS NULL)
BEGIN
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, valid_reported)
	VALUES ((NEW.requested_at + 28800) / 86400 * 86400 - 28800,
		COALESCE((SELECT unit_id FROM area WHERE id = NEW.area_id), 0),
		NEW.category_id, NEW.source, CASE WHEN NEW.duplicate_of IS NULL THEN 1 ELSE -1 END);
END;

CREATE TRIGGER case_rating_tally AFTER INSERT ON case_rating
BEGIN
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, ratings, satisfied)
	SELECT (NEW.at + 28800) / 86400 * 86400 - 28800, COALESCE(c.unit_id, a.unit_id, 0),
		c.category_id, c.source, 1, NEW.rating IN ('satisfied', 'basically')
	FROM cases c LEFT JOIN area a ON a.id = c.area_id WHERE c.id = NEW.case_id;
END;
-- @dialect postgresql
CREATE FUNCTION tally_day(t BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE
	AS 'SELECT (t + 28800) / 86400 * 86400 - 28800';

CREATE FUNCTION case_event_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	k_unit BIGINT;
	k_cat BIGINT;
	k_source TEXT;
	since BIGINT;
	late INTEGER := CASE WHEN NEW.at > NEW.due_at THEN 1 ELSE 0 END;
	handle INTEGER := CASE WHEN NEW.action IN ('handle', 'onsite') THEN 1 ELSE 0 END;
	verify INTEGER := CASE WHEN NEW.action IN ('verify_pass', 'verify_fail') THEN 1 ELSE 0 END;
BEGIN
	SELECT COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id <= NEW.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0),
		c.category_id, c.source
	INTO k_unit, k_cat, k_source
	FROM cases c LEFT JOIN area a ON a.id = c.area_id WHERE c.id = NEW.case_id;
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, registered, rejected,
		dispatched, dispatched_ontime, handled, due_handle, due_handled, due_handled_ontime,
		reworked, verified, verified_ontime, closed, deferred, late)
	VALUES (tally_day(NEW.at), k_unit, k_cat, k_source,
		(NEW.action = 'register')::int, (NEW.action = 'reject')::int,
		(NEW.action = 'dispatch')::int, (NEW.action = 'dispatch')::int * (1 - late),
		handle, handle * (1 - late), handle * (1 - late), handle * (1 - late),
		(NEW.action = 'verify_fail')::int, verify, verify * (1 - late),
		(NEW.action = 'verify_pass')::int, (NEW.action = 'defer')::int, late);
	IF handle = 1 AND late = 1 THEN
		INSERT INTO case_tally_delta (day, unit_id, category_id, source, due_handle,
			due_handled)
		VALUES (tally_day(NEW.due_at), k_unit, k_cat, k_source, 1, 1);
	END IF;
	IF NEW.action = 'verify_pass' THEN
		INSERT INTO case_tally_delta (day, unit_id, category_id, source, place_closed)
		SELECT tally_day(NEW.at), COALESCE(a.unit_id, 0), c.category_id, c.source, 1
		FROM cases c LEFT JOIN area a ON a.id = c.area_id WHERE c.id = NEW.case_id;
	END IF;
	IF NEW.action = 'handle' THEN
		SELECT MAX(d.at) INTO since FROM case_event d WHERE d.case_id = NEW.case_id
			AND d.id < NEW.id AND d.action IN ('dispatch', 'redispatch');
		IF since IS NOT NULL THEN
			INSERT INTO case_handle_time (day, unit_id, category_id, source, event_id,
				seconds)
			VALUES (tally_day(NEW.at), k_unit, k_cat, k_source, NEW.id, NEW.at - since);
		END IF;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER case_event_tally AFTER INSERT ON case_event FOR EACH ROW
	WHEN (NEW.action IN ('register', 'reject', 'dispatch', 'handle', 'onsite', 'verify_pass',
	                     'verify_fail', 'defer') OR NEW.at > NEW.due_at)
	EXECUTE FUNCTION case_event_tally();

CREATE FUNCTION cases_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO case_tally_delta (day, unit_id, category_id, source, reported,
			valid_reported)
		VALUES (tally_day(NEW.requested_at),
			COALESCE((SELECT unit_id FROM area WHERE id = NEW.area_id), 0),
			NEW.category_id, NEW.source, 1, (NEW.duplicate_of IS NULL)::int);
		INSERT INTO case_tally_delta (day, unit_id, category_id, source, recurred)
		SELECT tally_day(NEW.requested_at), COALESCE(p.unit_id, pa.unit_id, 0),
			NEW.category_id, NEW.source, 1
		FROM cases p LEFT JOIN area pa ON pa.id = p.area_id WHERE p.id = NEW.recurrence_of;
	ELSIF (OLD.duplicate_of IS NULL) <> (NEW.duplicate_of IS NULL) THEN
		INSERT INTO case_tally_delta (day, unit_id, category_id, source, valid_reported)
		VALUES (tally_day(NEW.requested_at),
			COALESCE((SELECT unit_id FROM area WHERE id = NEW.area_id), 0),
			NEW.category_id, NEW.source,
			CASE WHEN NEW.duplicate_of IS NULL THEN 1 ELSE -1 END);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER cases_tally AFTER INSERT OR UPDATE OF duplicate_of ON cases FOR EACH ROW
	EXECUTE FUNCTION cases_tally();

CREATE FUNCTION case_rating_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO case_tally_delta (day, unit_id, category_id, source, ratings, satisfied)
	SELECT tally_day(NEW.at), COALESCE(c.unit_id, a.unit_id, 0), c.category_id, c.source,
		1, (NEW.rating IN ('satisfied', 'basically'))::int
	FROM cases c LEFT JOIN area a ON a.id = c.area_id WHERE c.id = NEW.case_id;
	RETURN NULL;
END
$$;
CREATE TRIGGER case_rating_tally AFTER INSERT ON case_rating FOR EACH ROW
	EXECUTE FUNCTION case_rating_tally();
-- @dialect all

-- The history before this migration, counted the same way (a move's unit: the case's last
-- dispatch before it). The deltas are folded by the first tally_fold pass.
INSERT INTO case_tally_delta (day, unit_id, category_id, source, reported, valid_reported)
SELECT (c.requested_at + 28800) / 86400 * 86400 - 28800, COALESCE(a.unit_id, 0),
	c.category_id, c.source, COUNT(*),
	SUM(CASE WHEN c.duplicate_of IS NULL THEN 1 ELSE 0 END)
FROM cases c LEFT JOIN area a ON a.id = c.area_id GROUP BY 1, 2, 3, 4;

INSERT INTO case_tally_delta (day, unit_id, category_id, source, recurred)
SELECT (n.requested_at + 28800) / 86400 * 86400 - 28800, COALESCE(p.unit_id, pa.unit_id, 0),
	n.category_id, n.source, COUNT(*)
FROM cases n JOIN cases p ON p.id = n.recurrence_of LEFT JOIN area pa ON pa.id = p.area_id
GROUP BY 1, 2, 3, 4;

INSERT INTO case_tally_delta (day, unit_id, category_id, source, ratings, satisfied)
SELECT (r.at + 28800) / 86400 * 86400 - 28800, COALESCE(c.unit_id, a.unit_id, 0),
	c.category_id, c.source, COUNT(*),
	SUM(CASE WHEN r.rating IN ('satisfied', 'basically') THEN 1 ELSE 0 END)
FROM case_rating r JOIN cases c ON c.id = r.case_id LEFT JOIN area a ON a.id = c.area_id
GROUP BY 1, 2, 3, 4;

INSERT INTO case_tally_delta (day, unit_id, category_id, source, registered, rejected,
	dispatched, dispatched_ontime, handled, due_handle, due_handled, due_handled_ontime,
	reworked, verified, verified_ontime, closed, deferred, late)
SELECT (m.at + 28800) / 86400 * 86400 - 28800, m.unit_id, m.category_id, m.source,
	SUM(CASE WHEN m.action = 'register' THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'reject' THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'dispatch' THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'dispatch' AND m.late = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('handle', 'onsite') THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('handle', 'onsite') AND m.late = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('handle', 'onsite') AND m.late = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('handle', 'onsite') AND m.late = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'verify_fail' THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('verify_pass', 'verify_fail') THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action IN ('verify_pass', 'verify_fail') AND m.late = 0 THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'verify_pass' THEN 1 ELSE 0 END),
	SUM(CASE WHEN m.action = 'defer' THEN 1 ELSE 0 END),
	SUM(m.late)
FROM (SELECT e.at, e.action, c.category_id, c.source,
		CASE WHEN e.at > e.due_at THEN 1 ELSE 0 END AS late,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = e.case_id
			AND d.id <= e.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0) AS unit_id
	FROM case_event e JOIN cases c ON c.id = e.case_id LEFT JOIN area a ON a.id = c.area_id
	WHERE e.action IN ('register', 'reject', 'dispatch', 'handle', 'onsite', 'verify_pass',
	                   'verify_fail', 'defer') OR e.at > e.due_at) m
GROUP BY 1, 2, 3, 4;

INSERT INTO case_tally_delta (day, unit_id, category_id, source, place_closed)
SELECT (e.at + 28800) / 86400 * 86400 - 28800, COALESCE(a.unit_id, 0), c.category_id,
	c.source, COUNT(*)
FROM case_event e JOIN cases c ON c.id = e.case_id LEFT JOIN area a ON a.id = c.area_id
WHERE e.action = 'verify_pass'
GROUP BY 1, 2, 3, 4;

INSERT INTO case_tally_delta (day, unit_id, category_id, source, due_handle, due_handled)
SELECT (m.due_at + 28800) / 86400 * 86400 - 28800, m.unit_id, m.category_id, m.source,
	COUNT(*), COUNT(*)
FROM (SELECT e.due_at, c.category_id, c.source,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = e.case_id
			AND d.id <= e.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0) AS unit_id
	FROM case_event e JOIN cases c ON c.id = e.case_id LEFT JOIN area a ON a.id = c.area_id
	WHERE e.action IN ('handle', 'onsite') AND e.at > e.due_at) m
GROUP BY 1, 2, 3, 4;

INSERT INTO case_handle_time (day, unit_id, category_id, source, event_id, seconds)
SELECT (m.at + 28800) / 86400 * 86400 - 28800, m.unit_id, m.category_id, m.source, m.id,
	m.at - m.since
FROM (SELECT e.id, e.at, c.category_id, c.source,
		(SELECT MAX(d.at) FROM case_event d WHERE d.case_id = e.case_id AND d.id < e.id
			AND d.action IN ('dispatch', 'redispatch')) AS since,
		COALESCE((SELECT d.unit_id FROM case_event d WHERE d.case_id = e.case_id
			AND d.id <= e.id AND d.action IN ('dispatch', 'redispatch')
			AND d.unit_id IS NOT NULL ORDER BY d.id DESC LIMIT 1), a.unit_id, 0) AS unit_id
	FROM case_event e JOIN cases c ON c.id = e.case_id LEFT JOIN area a ON a.id = c.area_id
	WHERE e.action = 'handle') m
WHERE m.since IS NOT NULL;
