// Package embeddings implements rag.Embedder twice: OpenAI, for any
// OpenAI-compatible embeddings API (OpenAI, Ollama, vLLM, LocalAI) through
// github.com/sashabaranov/go-openai with batching, timeouts and retries; and
// Offline, a deterministic feature-hashing embedder for French, English and
// Arabic that needs no network and no model files, dalil's default.
package embeddings
