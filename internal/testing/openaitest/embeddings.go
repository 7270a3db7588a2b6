package openaitest

import "net/http"

// Embedding is one item of an embeddings response: the vector of the
// Index-th input.
type Embedding struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

// Embeddings numbers vectors in order, as items of a response.
func Embeddings(vecs [][]float32) []Embedding {
	data := make([]Embedding, len(vecs))
	for i, v := range vecs {
		data[i] = Embedding{Object: "embedding", Index: i, Embedding: v}
	}
	return data
}

// WriteEmbeddings writes an embeddings response listing data in the order
// given.
func WriteEmbeddings(w http.ResponseWriter, model string, data []Embedding) {
	writeJSON(w, http.StatusOK, map[string]any{
		"object": "list", "data": data, "model": model,
		"usage": map[string]int{"prompt_tokens": 8, "total_tokens": 8},
	})
}
