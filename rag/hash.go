package rag

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/dalil-news/dalil/nlp"
)

// ContentHash identifies an article's content for deduplication: the hex
// SHA-256 of its text with case and white space normalized, so that the same
// article scraped twice with different spacing hashes the same.
func ContentHash(text string) string {
	norm := nlp.Collapse(strings.ToLower(text))
	sum := sha256.Sum256([]byte(norm))
	return hex.EncodeToString(sum[:])
}
