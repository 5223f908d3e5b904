-- Photos of an inspection (issue 6, part 3): uploaded first (POST /api/v1/media, so an offline
-- phone sends each photo once and the inspection stays small), then named by the submission,
-- per item (node_id) or of the whole visit (node_id NULL). A failed item's photos also become
-- the report photos of the case it opens.
CREATE TABLE inspection_photo (
	id INTEGER PRIMARY KEY,
	inspection_id INTEGER NOT NULL REFERENCES inspection(id),
	node_id INTEGER REFERENCES standard_node(id),
	sha256 TEXT NOT NULL REFERENCES media(sha256),
	sort INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inspection_photo_inspection ON inspection_photo (inspection_id, node_id);
