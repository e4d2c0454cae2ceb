-- Schema for the demo database (npm start loads it into the throwaway cluster).
CREATE SCHEMA IF NOT EXISTS app;
CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer_id int NOT NULL, created_at timestamptz DEFAULT now());
INSERT INTO users (name) SELECT 'user ' || g FROM generate_series(1, 100) g;
