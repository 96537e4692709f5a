package storage

import (
	"fmt"
	"time"

	"github.com/carrel-library/carrel/internal/library"
)

// The domain types have no NULL: the zero value means "none". These scanners
// and argument helpers translate at the boundary so that sql.Null* never
// reaches the domain. Scanners accept both the text SQLite returns and the
// time.Time a PostgreSQL driver returns.

// timeCol scans a stored instant; NULL gives the zero time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case string:
		t, err := parseTime(v)
		if err != nil {
			return err
		}
		*c.t = t
	case []byte:
		return c.Scan(string(v))
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("cannot read %T as a time", src)
	}
	return nil
}

// dateCol scans a stored calendar day; NULL gives the zero Date.
type dateCol struct{ d *library.Date }

// Scan implements sql.Scanner.
func (c dateCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.d = library.Date{}
	case string:
		d, err := library.ParseDate(v)
		if err != nil {
			return fmt.Errorf("stored date: %w", err)
		}
		*c.d = d
	case []byte:
		return c.Scan(string(v))
	case time.Time:
		*c.d = library.NewDate(v.Year(), v.Month(), v.Day())
	default:
		return fmt.Errorf("cannot read %T as a date", src)
	}
	return nil
}

// textCol scans a nullable text column; NULL gives "".
type textCol struct{ s *string }

// Scan implements sql.Scanner.
func (c textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("cannot read %T as text", src)
	}
	return nil
}

// idCol scans a nullable reference to another row; NULL gives 0.
type idCol struct{ id *int64 }

// Scan implements sql.Scanner.
func (c idCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.id = 0
	case int64:
		*c.id = v
	default:
		return fmt.Errorf("cannot read %T as an id", src)
	}
	return nil
}

// textArg encodes a text that is NULL when empty.
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// idArg encodes a reference to another row; 0 (none) is NULL.
func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// boolCol scans a boolean that may be NULL (false): SQLite gives 0 or 1,
// PostgreSQL a bool.
type boolCol struct{ b *bool }

// Scan implements sql.Scanner.
func (c boolCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.b = false
	case bool:
		*c.b = v
	case int64:
		*c.b = v != 0
	default:
		return fmt.Errorf("cannot read %T as a boolean", src)
	}
	return nil
}
