-- PoolSafe demo: every statement below misbehaves behind a transaction-mode pooler.
-- Open the Problems panel (Ctrl+Shift+M) to see why, hover for the explanation, and use the quick fixes.

-- session-set: the search_path leaks to whichever client gets this server connection next
SET search_path TO app, public;

-- set-local-outside-transaction: SET LOCAL outside BEGIN…COMMIT does nothing
SET LOCAL statement_timeout = '5s';

-- prepared-statement: exists on one server connection only
PREPARE find_user (int) AS SELECT * FROM users WHERE id = $1;
EXECUTE find_user(42);

-- temp-table: vanishes, or another client sees it
CREATE TEMP TABLE import_rows (id int, payload text);

-- currval: "currval of sequence ... is not yet defined in this session", or another client's value
SELECT currval('orders_id_seq');

-- advisory-lock: held by a server connection nobody controls
SELECT pg_advisory_lock(4242);

-- listen: notifications go to a server connection the client no longer has
LISTEN order_events;

-- cursor-with-hold: lives on after the transaction, on a connection the client loses
DECLARE report_cursor CURSOR WITH HOLD FOR SELECT * FROM orders;

-- load: loaded into one backend only
LOAD 'auto_explain';

-- session-extension: the dblink connection lives on one backend only
SELECT dblink_connect('reporting', 'dbname=reporting');

-- functions run in the caller's session: this lock leaks too
CREATE FUNCTION lock_tenant(tenant int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_lock(tenant);
END
$$;
