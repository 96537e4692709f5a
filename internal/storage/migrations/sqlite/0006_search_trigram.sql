-- The staff desk finds patrons by a part of their name or email, and items
-- by a part of their title, author or call number, in any case (search.go).
-- LIKE '%text%' cannot use an ordinary index, so it read every row: half a
-- second for a library of 500,000 items. These full-text tables index every
-- three characters of those columns (the trigram tokenizer, which folds
-- case), so that a search of three characters or more reads only the rows
-- that hold all of its three-character pieces. search.go still checks each
-- row found with the same LIKE as before, so the answers do not change.
--
-- They hold no text of their own (content=''), only the index;
-- contentless_delete lets a row be taken out by its id alone. detail = none
-- keeps which rows hold a piece and not where: the LIKE checks the order.
-- On the large demo library that is 38 MB of index instead of 115 MB, and
-- 2 ms to find the items of a word against 1 ms.
--
-- The triggers below keep them in step, with one economy. SQLite writes a
-- full-text table's pending rows to disk at the start of every statement
-- that may need undoing, which is any statement that fires a trigger: an
-- import, which writes a patron a statement, went from 2 s to 6 s for
-- 100,000 patrons when each new patron went into the index at once. So a
-- new row, whose id is above every id the index holds (SQLite gives a new
-- row the highest id plus one), waits: search.go reads the rows above the
-- index's highest id (the largest id in its %_docsize table) as well as the
-- rows the index finds, and every thousandth new row brings the index up to
-- date in one write. Every row at or below the index's highest id is in
-- the index: a row given a lower id by hand goes in at once (unless the
-- catching up, which SQLite may run first, took it in), a change goes in
-- at once, and a row taken out takes the highest id down with it.
--
-- They are indexes, not library records: `carrel db copy` and bulk loads do
-- not copy them (tables.go), and drop the triggers (found by their names,
-- which begin with the index's) while they write, then fill the index from
-- every row at once (search.go).
CREATE VIRTUAL TABLE patrons_search USING fts5(
    name, email, content = '', contentless_delete = 1, detail = none, tokenize = 'trigram');

CREATE VIRTUAL TABLE items_search USING fts5(
    title, author, call_number, content = '', contentless_delete = 1, detail = none, tokenize = 'trigram');

INSERT INTO patrons_search (rowid, name, email) SELECT id, name, email FROM patrons ORDER BY id;
INSERT INTO items_search (rowid, title, author, call_number) SELECT id, title, author, call_number FROM items ORDER BY id;

CREATE TRIGGER patrons_search_catch_up AFTER INSERT ON patrons WHEN new.id % 1000 = 0 BEGIN
    INSERT INTO patrons_search (rowid, name, email) SELECT id, name, email FROM patrons
    WHERE id > (SELECT coalesce(max(id), 0) FROM patrons_search_docsize) ORDER BY id;
END;

CREATE TRIGGER patrons_search_insert AFTER INSERT ON patrons
WHEN new.id < (SELECT coalesce(max(id), 0) FROM patrons_search_docsize)
    AND NOT EXISTS (SELECT 1 FROM patrons_search_docsize WHERE id = new.id) BEGIN
    INSERT INTO patrons_search (rowid, name, email) VALUES (new.id, new.name, new.email);
END;

-- Only a change of the text searched touches the index: a PIN change or a
-- sign-in rewrites the patron's row, and should not rewrite its index too.
CREATE TRIGGER patrons_search_update AFTER UPDATE ON patrons
WHEN (old.id IS NOT new.id OR old.name IS NOT new.name OR old.email IS NOT new.email)
    AND old.id <= (SELECT coalesce(max(id), 0) FROM patrons_search_docsize) BEGIN
    DELETE FROM patrons_search WHERE rowid = old.id;
    INSERT INTO patrons_search (rowid, name, email) SELECT new.id, new.name, new.email
    WHERE new.id < (SELECT coalesce(max(id), 0) FROM patrons_search_docsize);
END;

CREATE TRIGGER patrons_search_delete AFTER DELETE ON patrons
WHEN old.id <= (SELECT coalesce(max(id), 0) FROM patrons_search_docsize) BEGIN
    DELETE FROM patrons_search WHERE rowid = old.id;
END;

CREATE TRIGGER items_search_catch_up AFTER INSERT ON items WHEN new.id % 1000 = 0 BEGIN
    INSERT INTO items_search (rowid, title, author, call_number) SELECT id, title, author, call_number FROM items
    WHERE id > (SELECT coalesce(max(id), 0) FROM items_search_docsize) ORDER BY id;
END;

CREATE TRIGGER items_search_insert AFTER INSERT ON items
WHEN new.id < (SELECT coalesce(max(id), 0) FROM items_search_docsize)
    AND NOT EXISTS (SELECT 1 FROM items_search_docsize WHERE id = new.id) BEGIN
    INSERT INTO items_search (rowid, title, author, call_number) VALUES (new.id, new.title, new.author, new.call_number);
END;

CREATE TRIGGER items_search_update AFTER UPDATE ON items
WHEN (old.id IS NOT new.id OR old.title IS NOT new.title OR old.author IS NOT new.author
        OR old.call_number IS NOT new.call_number)
    AND old.id <= (SELECT coalesce(max(id), 0) FROM items_search_docsize) BEGIN
    DELETE FROM items_search WHERE rowid = old.id;
    INSERT INTO items_search (rowid, title, author, call_number) SELECT new.id, new.title, new.author, new.call_number
    WHERE new.id < (SELECT coalesce(max(id), 0) FROM items_search_docsize);
END;

CREATE TRIGGER items_search_delete AFTER DELETE ON items
WHEN old.id <= (SELECT coalesce(max(id), 0) FROM items_search_docsize) BEGIN
    DELETE FROM items_search WHERE rowid = old.id;
END;
