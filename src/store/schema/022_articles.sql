-- 创建宣传 Creation news and publicity (issue 8, docs/news.md): articles of three kinds
-- (创城动态 news, 经验做法 practice, 公益广告 psa) written by the office and the propaganda
-- department's editors, reviewed by the office, published on the portal. Every status change
-- goes through core/article_fsm.c, guarded by `version`, and is kept in article_event.
CREATE TABLE article (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,                  -- news, practice, psa
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',    -- the list's and the feeds' text; '' = from the body
	body TEXT NOT NULL DEFAULT '',       -- rich text as lib/sanitize.h left it
	body_text TEXT NOT NULL DEFAULT '',  -- its visible text (search, feeds, summaries)
	source TEXT NOT NULL DEFAULT '',     -- 来源, e.g. 市文明办
	cover TEXT REFERENCES media(sha256), -- the list's picture (公益广告: the advertisement)
	cover_alt TEXT NOT NULL DEFAULT '',  -- what the picture shows, for screen readers
	status TEXT NOT NULL,                -- draft, review, published, withdrawn
	author_id INTEGER REFERENCES users(id),
	reviewer_id INTEGER REFERENCES users(id), -- who published it
	note TEXT NOT NULL DEFAULT '',       -- the last return or withdrawal reason
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	published_at INTEGER,
	views INTEGER NOT NULL DEFAULT 0,    -- page views, added in batches (store/article_views.c)
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX article_status ON article (status, published_at);
CREATE INDEX article_hot ON article (views) WHERE status = 'published';

CREATE TABLE article_tag (
	article_id INTEGER NOT NULL REFERENCES article(id),
	tag TEXT NOT NULL,
	PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tag_tag ON article_tag (tag, article_id);

CREATE TABLE article_event (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES article(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,                 -- user:7
	action TEXT NOT NULL,                -- create, edit, submit, publish, return, withdraw, revise
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX article_event_article ON article_event (article_id, id);
