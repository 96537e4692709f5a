package cli

import (
	"context"
	"fmt"

	"github.com/carrel-library/carrel/internal/library"
	"github.com/carrel-library/carrel/internal/storage"
)

// config reads the configuration file named by --config, or the defaults.
func (e *env) config() (library.Config, error) {
	if e.configPath == "" {
		return library.DefaultConfig(), nil
	}
	return library.LoadConfig(e.configPath)
}

// open opens the database and builds the library service over it. With
// migrate set, an empty database is given the schema first; any other
// database must already be at this binary's schema version.
func (e *env) open(ctx context.Context, migrate bool) (*library.Service, *storage.DB, error) {
	cfg, err := e.config()
	if err != nil {
		return nil, nil, err
	}
	db, err := e.openDB(ctx, e.db)
	if err != nil {
		return nil, nil, err
	}
	if migrate {
		current, _, err := db.SchemaState(ctx)
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		if current == 0 {
			if _, err := db.Migrate(ctx); err != nil {
				db.Close()
				return nil, nil, err
			}
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return library.NewService(&cfg, db, library.NewHasher(0)), db, nil
}

// openDB opens the database at target and tells the operator, on standard
// error, if its file's permissions had to be tightened.
func (e *env) openDB(ctx context.Context, target string) (*storage.DB, error) {
	db, err := storage.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	if n := db.Notice(); n != "" {
		fmt.Fprintf(e.stderr, "carrel: %s\n", n)
	}
	return db, nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := e.flagSet("migrate", "")
	keyFile := secretKeyFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, "no arguments"); err != nil {
		return err
	}
	db, err := e.openDB(ctx, e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	before, _, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	current, _, err := db.SchemaState(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: applied %d migration(s); schema version %d\n", storage.Describe(e.db), n, current)
	if v := db.MigrationVersion("sealed_totp"); before > 0 && before < v && current >= v {
		// The migration dropped the column of secrets being set up, in
		// clear: their bytes go from the file too.
		if err := db.ForgetFreed(ctx); err != nil {
			return err
		}
	}
	// The two-factor secrets of an earlier Carrel are sealed now, with the
	// key serve will use. On PostgreSQL, without the key file, serve seals
	// them when it starts.
	if *keyFile == "" && storage.IsPostgres(e.db) {
		return nil
	}
	cfg, err := e.config()
	if err != nil {
		return err
	}
	return e.useSecretKey(ctx, library.NewService(&cfg, db, nil), db, *keyFile)
}
