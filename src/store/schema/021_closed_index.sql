-- The portal's home page counts the problems solved this week and lists the latest solved:
-- both read closed cases by their closing time (docs/portal.md). Without this they scan every
-- case (0.25 s each at 1,000,000 cases).
CREATE INDEX cases_closed ON cases (closed_at) WHERE status = 'closed';
