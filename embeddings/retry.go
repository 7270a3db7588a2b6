package embeddings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryDoer is the openai.HTTPDoer given to go-openai: it bounds each
// attempt with a timeout and retries 429, 5xx and network errors with
// exponential backoff and jitter, honouring Retry-After (go-openai's errors
// do not expose response headers). Other statuses are returned at once.
type retryDoer struct {
	client                 *http.Client
	timeout                time.Duration
	maxRetries             int
	minBackoff, maxBackoff time.Duration
	maxBody                int64 // cap on the response body
}

// Do sends req, retrying as described on retryDoer. After the last attempt
// it returns the last response, so that go-openai reports its status and
// message.
func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(parent, d.timeout)
		r := req.Clone(ctx)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return nil, fmt.Errorf("rewind request body: %w", err)
			}
			r.Body = body
		}
		resp, err := d.client.Do(r)
		last := attempt >= d.maxRetries
		var wait time.Duration
		switch {
		case err != nil:
			cancel()
			if last || parent.Err() != nil {
				return nil, err
			}
			wait = d.backoff(attempt)
		case retryable(resp.StatusCode) && !last:
			wait = d.backoff(attempt)
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if ra > d.maxBackoff {
					resp.Body = &limitedBody{body: resp.Body, left: d.maxBody, cancel: cancel}
					return resp, nil // the server asks for longer than we wait
				}
				wait = ra
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
			cancel()
		default:
			resp.Body = &limitedBody{body: resp.Body, left: d.maxBody, cancel: cancel}
			return resp, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-parent.Done():
			t.Stop()
			return nil, parent.Err()
		case <-t.C:
		}
	}
}

// backoff is the wait before retry attempt+1: exponential from minBackoff,
// capped at maxBackoff, with the upper half jittered.
func (d *retryDoer) backoff(attempt int) time.Duration {
	b := d.minBackoff << min(attempt, 30)
	if b <= 0 || b > d.maxBackoff {
		b = d.maxBackoff
	}
	return b/2 + rand.N(b/2+1)
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 1<<20)) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// limitedBody caps a response body and releases the attempt's context on
// Close.
type limitedBody struct {
	body   io.ReadCloser
	left   int64
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("response body too large")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error {
	defer b.cancel()
	return b.body.Close()
}
