package cli_test

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"

	"github.com/carrel-library/carrel/internal/storage"
)

// withSecretKeyFile adds --secret-key-file to the arguments of a carrel
// serve on PostgreSQL that gives none, since serve requires one there. The
// nodes of one database share the file, as a cluster's nodes must; it
// lives beside the test binary, which TestMain removes. On SQLite serve
// finds its key beside the database by itself.
func withSecretKeyFile(bin string, args []string) []string {
	target := ""
	for i, a := range args {
		if a == "--secret-key-file" || strings.HasPrefix(a, "--secret-key-file=") {
			return args
		}
		if a == "--db" && i+1 < len(args) {
			target = args[i+1]
		}
	}
	if !storage.IsPostgres(target) {
		return args
	}
	sum := sha256.Sum256([]byte(target))
	return append(args, "--secret-key-file", filepath.Join(filepath.Dir(bin), hex.EncodeToString(sum[:8])+".key"))
}
