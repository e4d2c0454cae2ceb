-- PoolSafe demo: the transaction-safe equivalents. No finding expected in this file.
BEGIN;
SET LOCAL search_path TO app, public;
SELECT set_config('app.tenant_id', '7', true);
SELECT pg_advisory_xact_lock(4242);
CREATE TEMP TABLE import_rows (id int, payload text) ON COMMIT DROP;
INSERT INTO orders (customer_id) VALUES (1);
SELECT currval('orders_id_seq');
DECLARE report_cursor CURSOR FOR SELECT * FROM orders;
COMMIT;

-- RETURNING instead of currval
INSERT INTO orders (customer_id) VALUES (2) RETURNING id;

-- NOTIFY is safe; only LISTEN needs a session
NOTIFY order_events, 'created';

-- function-level settings are scoped to the function call
CREATE FUNCTION tenant_orders(tenant int) RETURNS SETOF orders
  LANGUAGE sql STABLE SET search_path = app, public
  AS $$ SELECT * FROM orders WHERE customer_id = tenant $$;

-- role-level defaults are applied at connection start, on every server connection
ALTER ROLE app_user SET statement_timeout = '5s';
