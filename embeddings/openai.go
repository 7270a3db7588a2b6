package embeddings

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"

	"github.com/dalil-news/dalil/rag"
)

// Defaults of OpenAIConfig.
const (
	DefaultOpenAIBaseURL = "https://api.openai.com/v1"
	DefaultOpenAIModel   = "text-embedding-3-small"
	DefaultBatchSize     = 64
	MaxBatchSize         = 2048 // OpenAI's limit on inputs per request
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 4
	DefaultMinBackoff    = 500 * time.Millisecond
	DefaultMaxBackoff    = 30 * time.Second
)

// OpenAIConfig configures an OpenAI embedder. Zero values mean the defaults.
type OpenAIConfig struct {
	// BaseURL is the API root of any OpenAI-compatible server (OpenAI,
	// Ollama's http://localhost:11434/v1, vLLM, LocalAI).
	BaseURL string
	// APIKey is sent as a bearer token; it never appears in errors.
	APIKey string
	// Model is the embedding model, e.g. "text-embedding-3-small".
	Model string
	// Dimensions is the vector length. It may be 0 only for OpenAI's own
	// models, whose native length is known. When set, it is sent as the
	// "dimensions" parameter to text-embedding-3 models (and to others if
	// SendDimensions is true); every response is checked against it.
	Dimensions int
	// SendDimensions sends "dimensions" to a model not known to accept it,
	// e.g. a Matryoshka model served by vLLM.
	SendDimensions bool
	// BatchSize is the most inputs per request (default 64, at most 2048).
	BatchSize int
	// Timeout bounds each HTTP attempt (default 30 s).
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a 429, a 5xx
	// or a network error (default 4; negative: never).
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// retries (defaults 0.5 s and 30 s). A Retry-After longer than
	// MaxBackoff ends the retries.
	MinBackoff, MaxBackoff time.Duration
	// HTTPClient sends the requests (default: a new http.Client). Its
	// Timeout, if any, applies on top of Timeout.
	HTTPClient *http.Client
}

// OpenAI embeds texts through an OpenAI-compatible /embeddings endpoint with
// github.com/sashabaranov/go-openai. It is safe for concurrent use.
type OpenAI struct {
	client    *openai.Client
	model     string
	where     string // base URL without credentials, for errors
	dim       int
	sendDim   bool
	batchSize int
	apiKey    string
}

var _ rag.Embedder = (*OpenAI)(nil)

// knownDimensions are the native lengths of OpenAI's embedding models.
func knownDimensions(model string) int {
	switch model {
	case "text-embedding-3-small", "text-embedding-ada-002":
		return 1536
	case "text-embedding-3-large":
		return 3072
	}
	return 0
}

// NewOpenAI validates cfg and returns an OpenAI embedder. It does not
// contact the server.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultOpenAIBaseURL
	}
	if cfg.Model == "" {
		cfg.Model = DefaultOpenAIModel
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openai embedder: base URL %q: want http(s)://host[/path]", redactURL(cfg.BaseURL))
	}
	where := u.Redacted()
	sendDim := cfg.Dimensions > 0 && (cfg.SendDimensions || strings.HasPrefix(cfg.Model, "text-embedding-3"))
	switch {
	case cfg.Dimensions < 0 || cfg.Dimensions > 65536:
		return nil, fmt.Errorf("openai embedder %s: dimensions %d out of range", cfg.Model, cfg.Dimensions)
	case cfg.Dimensions == 0:
		cfg.Dimensions = knownDimensions(cfg.Model)
		if cfg.Dimensions == 0 {
			return nil, fmt.Errorf("openai embedder %s: dimensions required (the model's vector length)", cfg.Model)
		}
	}
	switch {
	case cfg.BatchSize == 0:
		cfg.BatchSize = DefaultBatchSize
	case cfg.BatchSize < 0 || cfg.BatchSize > MaxBatchSize:
		return nil, fmt.Errorf("openai embedder %s: batch size %d out of range [1, %d]", cfg.Model, cfg.BatchSize, MaxBatchSize)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = &retryDoer{
		client:     cfg.HTTPClient,
		timeout:    cfg.Timeout,
		maxRetries: cfg.MaxRetries,
		minBackoff: cfg.MinBackoff,
		maxBackoff: cfg.MaxBackoff,
		maxBody:    int64(cfg.BatchSize)*int64(cfg.Dimensions)*32 + 1<<20,
	}
	return &OpenAI{
		client:    openai.NewClientWithConfig(oc),
		model:     cfg.Model,
		where:     where,
		dim:       cfg.Dimensions,
		sendDim:   sendDim,
		batchSize: cfg.BatchSize,
		apiKey:    cfg.APIKey,
	}, nil
}

// redactURL hides the credentials of a URL that may not parse.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "…" + s[i:]
	}
	return s
}

// Name is "openai:" + model + ":" + dimensions.
func (e *OpenAI) Name() string { return fmt.Sprintf("openai:%s:%d", e.model, e.dim) }

// Dimensions is the length of every vector Embed returns.
func (e *OpenAI) Dimensions() int { return e.dim }

// Embed returns one unit vector per text, in order, sending batches of at
// most BatchSize inputs. Errors name the model, the base URL and the batch;
// an empty text is rag.ErrEmptyInput naming its index; a server that stays
// unavailable (429, 5xx, network) after retries is rag.ErrUnavailable.
func (e *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("embed with %s at %s: input %d: %w", e.model, e.where, i, rag.ErrEmptyInput)
		}
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batchSize {
		end := min(start+e.batchSize, len(texts))
		vecs, err := e.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, fmt.Errorf("embed with %s at %s: inputs %d-%d: %w", e.model, e.where, start, end-1, err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *OpenAI) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	req := openai.EmbeddingRequest{
		Input:          batch,
		Model:          openai.EmbeddingModel(e.model),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	}
	if e.sendDim {
		req.Dimensions = e.dim
	}
	resp, err := e.client.CreateEmbeddings(ctx, req)
	if err != nil {
		return nil, e.apiError(err)
	}
	if len(resp.Data) != len(batch) {
		return nil, fmt.Errorf("got %d embeddings for %d inputs", len(resp.Data), len(batch))
	}
	out := make([][]float32, len(batch))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(batch) || out[d.Index] != nil {
			return nil, fmt.Errorf("embedding index %d invalid or repeated", d.Index)
		}
		if len(d.Embedding) != e.dim {
			return nil, fmt.Errorf("embedding %d has %d dimensions, want %d (check the configured dimensions for this model)", d.Index, len(d.Embedding), e.dim)
		}
		if err := normalize(d.Embedding); err != nil {
			return nil, fmt.Errorf("embedding %d: %w", d.Index, err)
		}
		out[d.Index] = d.Embedding
	}
	return out, nil
}

// normalize scales v to unit length in place.
func normalize(v []float32) error {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsInf(sum, 0) || math.IsNaN(sum) {
		return fmt.Errorf("vector has norm %v", math.Sqrt(sum))
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
	return nil
}

// embedError is a failed request: a short message (status and server
// message, the API key redacted) and its cause.
type embedError struct {
	msg         string
	cause       error
	unavailable bool
}

func (e *embedError) Error() string { return e.msg }

func (e *embedError) Unwrap() []error {
	if e.unavailable {
		return []error{e.cause, rag.ErrUnavailable}
	}
	return []error{e.cause}
}

// apiError turns a go-openai error into an embedError.
func (e *OpenAI) apiError(err error) error {
	var (
		apiErr *openai.APIError
		reqErr *openai.RequestError
		status int
		msg    string
	)
	switch {
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status, msg = reqErr.HTTPStatusCode, strings.TrimSpace(string(reqErr.Body))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = reqErr.HTTPStatus
		}
	default:
		msg = err.Error()
	}
	if e.apiKey != "" {
		msg = strings.ReplaceAll(msg, e.apiKey, "[redacted]")
	}
	if status != 0 {
		msg = fmt.Sprintf("%d %s", status, msg)
	}
	var netErr interface{ Timeout() bool }
	unavailable := status == http.StatusTooManyRequests || status >= 500 ||
		(status == 0 && !errors.Is(err, context.Canceled) &&
			(errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)))
	return &embedError{msg: msg, cause: err, unavailable: unavailable}
}
