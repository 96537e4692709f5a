package storage

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/carrel-library/carrel/internal/library"
)

// wrap adds the operation to err, once, and gives the errors the domain acts
// on their code: a missing row is ENOTFOUND, a broken uniqueness rule is
// ECONFLICT. The original error stays in the chain for the logs.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	op := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("%s", op)
	}
	if code := constraintCode(err); code != "" {
		return fmt.Errorf("storage: %s: %w: %w", op, library.Errorf(code, "%s", constraintMessage(code)), err)
	}
	return fmt.Errorf("storage: %s: %w", op, err)
}

// constraintMessage explains each code a broken constraint can give.
func constraintMessage(code string) string {
	switch code {
	case library.ECONFLICT:
		return "already exists"
	case library.ENOTFOUND:
		return "refers to something that does not exist"
	default:
		return "value not allowed"
	}
}

// notFound returns the ENOTFOUND error for a lookup or change that found no row.
func notFound(format string, args ...any) error {
	return library.Errorf(library.ENOTFOUND, "storage: %s: not found", fmt.Sprintf(format, args...))
}

// affectedOne turns a change that touched no row into ENOTFOUND.
func affectedOne(res sql.Result, err error, format string, args ...any) error {
	if err != nil {
		return wrap(err, format, args...)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(err, format, args...)
	}
	if n == 0 {
		return notFound(format, args...)
	}
	return nil
}
