// Package pgtest gives each test its own fresh PostgreSQL database on the
// development server that `make test` (or scripts/devdb.sh start) runs. It
// imports only pgx, so that the postgres package's own tests can use it;
// postgrestest opens a migrated store on such a database.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the URL of a database on
// the test server, from which NewDatabase creates fresh databases. The role
// needs CREATE DATABASE.
const EnvURL = "DALIL_TEST_DATABASE_URL"

// DefaultURL is the server that scripts/devdb.sh starts.
const DefaultURL = "postgres://dalil@127.0.0.1:54329/postgres?sslmode=disable"

// NewDatabase creates a fresh, uniquely named database on the test server
// (EnvURL, else DefaultURL), drops it when the test ends, and returns its
// URL. The database is empty: run the store's migrations on it. It fails
// the test, with directions, when the server cannot be reached; it never
// skips.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := serverURL()
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("pgtest: %s must be a postgres:// URL", EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("pgtest: cannot reach the test PostgreSQL server %s: %v\n"+
			"Run the tests with `make test`, or start the development database with `scripts/devdb.sh start` (or set %s)",
			u.Redacted(), err, EnvURL)
	}
	defer conn.Close(ctx)

	name := databaseName(tb.Name())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("pgtest: create database %s on %s: %v", name, u.Redacted(), err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	db := *u
	db.Path = "/" + name
	db.RawPath = ""
	return db.String()
}

// serverURL returns the URL of the test server: EnvURL, else DefaultURL.
func serverURL() string {
	if s := os.Getenv(EnvURL); s != "" {
		return s
	}
	return DefaultURL
}

// databaseName makes a valid, unique database name from a test name:
// "dalil_test_", up to 30 characters of the test name, and 12 random hex
// digits, within PostgreSQL's 63-byte limit.
func databaseName(test string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		if b.Len() == 30 {
			break
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	return "dalil_test_" + b.String() + "_" + hex.EncodeToString(rnd[:])
}
