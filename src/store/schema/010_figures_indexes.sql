-- The figures (store/stats.c, docs/figures.md) read moves by time and handling deadlines by
-- period; without these a month's figures scan every event of every case.
CREATE INDEX case_event_at ON case_event (at, action);
CREATE INDEX case_event_handle_due ON case_event (due_at) WHERE action = 'handle';
CREATE INDEX case_rating_at ON case_rating (at);
