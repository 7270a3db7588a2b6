// Package layers holds no code, only a test: that dalil's packages import
// each other in one direction, as the README's architecture table says —
// adapters point inward to rag, never at each other, and the text-level
// packages depend on nothing of dalil's.
package layers
