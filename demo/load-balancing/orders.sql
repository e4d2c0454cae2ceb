-- Behind a read/write-splitting balancer (Pgpool-II; `npm start -- --replica`), reads may go to a
-- replica that replays the primary's changes a little later. This folder's .poolsafe.json turns the
-- load-balancing rules on.

CREATE SEQUENCE IF NOT EXISTS order_ids;

-- write-in-read: STABLE, so Pgpool-II sends its callers to a replica, where nextval fails (25006).
CREATE OR REPLACE FUNCTION next_order_id() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT nextval('order_ids') $$;

SELECT next_order_id();

-- read-after-write: the SELECT may run on a replica that has not replayed the INSERT (quick fix: one transaction).
INSERT INTO orders (customer_id) VALUES (7);
SELECT count(*) FROM orders WHERE customer_id = 7;

-- Safe: in one transaction, Pgpool-II sends the read after the write to the primary.
BEGIN;
INSERT INTO orders (customer_id) VALUES (8);
SELECT count(*) FROM orders WHERE customer_id = 8;
COMMIT;
