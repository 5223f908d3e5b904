-- Full-text search over case descriptions and addresses (docs/search.md): the distinct pairs
-- of adjacent Chinese characters (bigrams, src/core/search_grams.c) of each case, written
-- with the case in the same transaction. SQLite keeps them in an FTS5 index (contentless:
-- the case row holds the text), PostgreSQL in a GIN-indexed text array; the one query piece
-- that differs is in src/store/case_search.c.
-- @dialect sqlite
CREATE VIRTUAL TABLE case_search USING fts5(grams, content='', columnsize=0, detail=none);
-- @dialect postgresql
CREATE TABLE case_search (
	case_id BIGINT PRIMARY KEY,
	grams TEXT[] NOT NULL
);
CREATE INDEX case_search_grams ON case_search USING GIN (grams);
-- @dialect all
-- Cases already there (a database made before this migration, or rows copied in by import)
-- are indexed by case_search_catch_up, which records how far it got.
CREATE TABLE case_search_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	backfill_through INTEGER NOT NULL,  -- cases up to this id are to be indexed …
	backfilled INTEGER NOT NULL         -- … and those up to this one are
);
INSERT INTO case_search_state (id, backfill_through, backfilled)
	SELECT 1, COALESCE(max(id), 0), 0 FROM cases;
