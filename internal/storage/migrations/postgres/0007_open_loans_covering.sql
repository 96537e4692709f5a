-- A page of a borrowing record (loanwindow.go) counts a patron's open
-- loans, chooses the page's loans and reads the due times of those that may
-- be overdue, all from the partial index of open loans by patron. SQLite
-- answers from the index alone only when every column the query names is
-- in it, and returned_at, which the index's WHERE already settles, was
-- not: each of a patron's loans cost a lookup in the loans table (2,000,000
-- rows in the large library). The index now holds it too, always NULL.
DROP INDEX loans_open_by_patron;
CREATE INDEX loans_open_by_patron ON loans (patron_id, due_at, id, returned_at) WHERE returned_at IS NULL;
