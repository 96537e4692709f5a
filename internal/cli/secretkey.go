package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// The secret key seals the staff's two-factor secrets in the database
// (library.SecretKey). It lives in a file of its own, apart from the
// database, so that a copy of the database alone (a backup taken off
// site, a stolen disk) gives no one a staff member's codes.

// secretKeyFlag adds --secret-key-file to a command's flags.
func secretKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("secret-key-file", "", "the file of the secret key that seals the staff's two-factor secrets "+
		"(32 random bytes, the owner's alone; made when absent for a new library). "+
		"Default for SQLite: beside the database, named after it (carrel.db: carrel.key); required with PostgreSQL")
}

// secretKeyPath returns the key file to use with the database target:
// the one given, or for SQLite the file beside the database named after
// it with .key. PostgreSQL has no default: every node of a cluster must
// read the same key, and a file made silently in each node's working
// directory would be a different key on each.
func secretKeyPath(given, target string) (string, error) {
	if given != "" {
		return given, nil
	}
	if storage.IsPostgres(target) {
		return "", &usageError{"--secret-key-file is required with PostgreSQL: the file of the key that seals the staff's " +
			"two-factor secrets, the same file on every node (made when absent for a new library), e.g. --secret-key-file /etc/carrel/carrel.key"}
	}
	path := strings.TrimSuffix(target, filepath.Ext(target)) + ".key"
	if path == target {
		path = target + ".key"
	}
	return path, nil
}

// loadSecretKey reads the key file at path. When the file is absent and
// create is set (the library has sealed nothing yet), it makes a new key
// there, the owner's alone, and reports that it did. A file that others
// may read, or that is not a key, is refused.
func loadSecretKey(path string, create bool) (key *library.SecretKey, created bool, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if created, err = makeSecretKeyFile(path); err != nil {
			return nil, false, err
		}
		if fi, err = os.Stat(path); err != nil {
			return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
		}
	case err != nil:
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, false, fmt.Errorf("secret key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("secret key file %s can be read or written by other users (%s): "+
			"make it the owner's alone (chmod 600 %s) and start again", path, perm, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	if len(raw) != library.SecretKeySize {
		return nil, false, fmt.Errorf("secret key file %s holds %d bytes, not a key of %d: give the key file the library was set up with",
			path, len(raw), library.SecretKeySize)
	}
	key, err = library.NewSecretKey(raw)
	if err != nil {
		return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
	}
	return key, created, nil
}

// makeSecretKeyFile writes a new random key at path, which must not
// exist, owner-only, and reports whether it did: false when another
// process made one there first, whose key is then the one to read. The
// key is written whole into a file of its own first and then linked into
// place, so that no one, not even another node starting at the same
// moment, ever reads half a key.
func makeSecretKeyFile(path string) (bool, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".carrel-key-*")
	if err != nil {
		return false, fmt.Errorf("make secret key file %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	raw := make([]byte, library.SecretKeySize)
	rand.Read(raw) // crypto/rand.Read never fails on the systems Go supports
	_, err = f.Write(raw)
	if err == nil {
		err = f.Chmod(0o600) // CreateTemp makes it 0600 already; said here, since it matters
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("make secret key file %s: %w", path, err)
	}
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("make secret key file %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return true, nil
}

// useSecretKey gives svc the library's secret key from the key file at
// path (the flag's value, or its default for the database), checks it is
// the key the library's secrets are sealed with, and seals any two-factor
// secret still in clear. It tells the operator on standard error what it
// made or sealed.
func (e *env) useSecretKey(ctx context.Context, svc *library.Service, db *storage.DB, given string) error {
	path, err := secretKeyPath(given, e.db)
	if err != nil {
		return err
	}
	bound, err := svc.BoundSecretKey(ctx)
	if err != nil {
		return err
	}
	key, created, err := loadSecretKey(path, bound == "")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no secret key file at %s, and this library's two-factor secrets are sealed with key ID %s: "+
			"give --secret-key-file the key file it was set up with (a copy or backup of a library reads with the key file of the original). "+
			"If that key is lost, `carrel staff reset-totp --all` removes every staff member's two-factor codes (each sets them up again) "+
			"and lets Carrel start with a new key", path, bound)
	}
	if err != nil {
		return err
	}
	svc.UseSecretKey(key)
	sealed, err := svc.BindSecretKey(ctx)
	var mismatch *library.SecretKeyMismatchError
	if errors.As(err, &mismatch) {
		return fmt.Errorf("the secret key file %s (key ID %s) is not the key this library's two-factor secrets are sealed with (key ID %s): "+
			"start with the key file the library was set up with; nothing was changed. "+
			"If that key is lost, `carrel staff reset-totp --all` removes every staff member's two-factor codes (each sets them up again) "+
			"and lets Carrel start with a new key", path, mismatch.Given, mismatch.Bound)
	}
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stderr, "carrel: made a new secret key, %s (key ID %s), which seals the staff's two-factor secrets: "+
			"keep it with the library, but apart from its backups; without it, staff with two-factor codes must set them up again\n",
			path, key.ID())
	}
	if sealed > 0 {
		fmt.Fprintf(e.stderr, "carrel: sealed %d two-factor secrets that were stored in clear\n", sealed)
		if err := db.ForgetFreed(ctx); err != nil {
			return fmt.Errorf("sealed %d two-factor secrets, but could not clear the old ones from the database file: %w", sealed, err)
		}
	}
	return nil
}
