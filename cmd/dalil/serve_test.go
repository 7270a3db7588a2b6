package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestServeNeedsToken(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve"}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("serve without a token: %v, want an error naming DISCORD_TOKEN", err)
	}
}

// downDB is a database that does not answer.
