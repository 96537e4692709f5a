package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus/collectors"
)

// WatchDB exports the pool statistics of db (open, in-use and idle
// connections, waits) under the label db_name=name. A storage with a write
// and a read pool calls it twice, with names such as "write" and "read";
// each name must be used once (a second use panics, as any duplicate
// registration does, at start-up).
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	if m == nil || db == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}
