-- The staff desk finds patrons by a part of their name or email, and items
-- by a part of their title, author or call number, in any case, as
-- migrations/sqlite/0006_search_trigram.sql: search.go asks
-- lower(column) LIKE '%text%', which no B-tree index answers, so it read
-- every row (half a second for a library of 500,000 items). pg_trgm's GIN
-- indexes on exactly those expressions answer it for text of three
-- characters or more; PostgreSQL checks each row found against the LIKE
-- itself, so the answers do not change. Shorter text is still a scan.
--
-- An extension belongs to the whole database, its operator classes to the
-- schema it was created in: Carrel creates it in public when no one has
-- created it yet (a database user that may not create it needs the
-- database's owner to run CREATE EXTENSION pg_trgm first, in any schema),
-- and names the operator class by the schema it is in, so that a Carrel
-- whose search_path leaves that schema out still finds it.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

DO $$
DECLARE
    ops text := (SELECT quote_ident(n.nspname) || '.gin_trgm_ops'
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
BEGIN
    EXECUTE format('CREATE INDEX patrons_name_search ON patrons USING gin (lower(name) %s)', ops);
    EXECUTE format('CREATE INDEX patrons_email_search ON patrons USING gin (lower(email) %s)', ops);
    EXECUTE format('CREATE INDEX items_title_search ON items USING gin (lower(title) %s)', ops);
    EXECUTE format('CREATE INDEX items_author_search ON items USING gin (lower(author) %s)', ops);
    EXECUTE format('CREATE INDEX items_call_number_search ON items USING gin (lower(call_number) %s)', ops);
END
$$;
