-- 问卷调查 (issue 6, part 5): citizens answer a round's questionnaire — the survey items of the
-- round's standard version — without an account, once per device or phone. The respondent is
-- kept only as a salted hash (round, device or phone): enough to refuse a second answer,
-- nothing to find a person by.
CREATE TABLE survey_answer (
	id INTEGER PRIMARY KEY,
	round_id INTEGER NOT NULL REFERENCES inspection_round(id),
	respondent TEXT NOT NULL,
	area_id INTEGER REFERENCES area(id),   -- where the respondent lives, when given
	answered_at INTEGER NOT NULL,
	UNIQUE (round_id, respondent)
);

CREATE TABLE survey_answer_item (
	answer_id INTEGER NOT NULL REFERENCES survey_answer(id),
	node_id INTEGER NOT NULL REFERENCES standard_node(id),
	rating TEXT NOT NULL,                  -- satisfied, fairly, neutral, unsatisfied, unknown
	PRIMARY KEY (answer_id, node_id)
);
