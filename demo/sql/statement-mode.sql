-- With "poolMode": "statement" (see .poolsafe.json in a statement-mode project), multi-statement
-- transactions are refused by the pooler: statement-mode-transaction fires on this block.
BEGIN;
UPDATE accounts SET balance = balance - 10 WHERE id = 1;
UPDATE accounts SET balance = balance + 10 WHERE id = 2;
COMMIT;
