-- Each inspection keeps its own score sums (core/scoring.h), written with its results, so a
-- round's scores per site, district, unit or type and the city's trend over rounds read one
-- row per inspection instead of one per result (5,000 sites × 40 items × 20 rounds = 4 million).
ALTER TABLE inspection ADD COLUMN kept REAL NOT NULL DEFAULT 0;
ALTER TABLE inspection ADD COLUMN applicable REAL NOT NULL DEFAULT 0;
ALTER TABLE inspection ADD COLUMN deduct_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inspection ADD COLUMN veto_failed INTEGER NOT NULL DEFAULT 0;

UPDATE inspection SET
	kept = COALESCE((SELECT SUM(n.points) FROM inspection_result r
		JOIN standard_node n ON n.id = r.node_id
		WHERE r.inspection_id = inspection.id AND n.veto = 'none' AND r.result = 'pass'), 0),
	applicable = COALESCE((SELECT SUM(n.points) FROM inspection_result r
		JOIN standard_node n ON n.id = r.node_id
		WHERE r.inspection_id = inspection.id AND n.veto = 'none'
		AND r.result IN ('pass', 'fail')), 0),
	deduct_failed = (SELECT COUNT(*) FROM inspection_result r
		JOIN standard_node n ON n.id = r.node_id
		WHERE r.inspection_id = inspection.id AND n.veto = 'deduct' AND r.result = 'fail'),
	veto_failed = (SELECT COUNT(*) FROM inspection_result r
		JOIN standard_node n ON n.id = r.node_id
		WHERE r.inspection_id = inspection.id AND n.veto = 'veto' AND r.result = 'fail');
