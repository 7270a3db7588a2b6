package pgtest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("fresh", func(t *testing.T) {
		dbURL := NewDatabase(t)
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatalf("parse %q: %v", dbURL, err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatalf("connect to the new database: %v", err)
		}
		defer conn.Close(ctx)
		var got string
		var tables int
		if err := conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')").Scan(&got, &tables); err != nil {
			t.Fatal(err)
		}
		if got != name || tables != 0 {
			t.Errorf("connected to %q with %d tables, want %q with none", got, tables, name)
		}
	})
	t.Run("dropped after the test", func(t *testing.T) {
		conn, err := pgx.Connect(ctx, serverURL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists {
			t.Errorf("database %q still exists after its test ended", name)
		}
	})
}

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		test, wantPrefix string
	}{
		{"TestSearch", "dalil_test_testsearch_"},
		{"TestSearch/date filter: 2023-é", "dalil_test_testsearch_date_filter__2023___"},
		{strings.Repeat("x", 100), "dalil_test_" + strings.Repeat("x", 30) + "_"},
	}
	for _, tt := range tests {
		t.Run(tt.test, func(t *testing.T) {
			got := databaseName(tt.test)
			if !strings.HasPrefix(got, tt.wantPrefix) || len(got) > 63 || len(got) != len(tt.wantPrefix)+12 {
				t.Errorf("databaseName(%q) = %q, want %q followed by 12 hex digits, at most 63 bytes", tt.test, got, tt.wantPrefix)
			}
		})
	}
}
