package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const page = `<!DOCTYPE html><html lang="fr"><head><title>La loi sur l'eau</title></head><body><article><p>` + prose + `</p></article></body></html>`

// newServer starts a test server with the routes of the fetch tests.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/page", http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusFound)
	})
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/file", http.StatusFound)
	})
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "start ")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n"))
	})
	mux.HandleFunc("/untyped-binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // no sniffing by the server
		w.Write([]byte("%PDF-1.7\n\x00\x01\x02"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strings.Repeat("a", 1000)))
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for range 10 {
			w.Write([]byte(strings.Repeat("a", 100)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=ISO-8859-1")
		w.Write([]byte("Le caf\xe9 co\xfbte plus cher cette ann\xe9e \xe0 Paris selon une \xe9tude publi\xe9e mardi par les associations de consommateurs."))
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusNotFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchOK(t *testing.T) {
	srv := newServer(t)
	f := NewFetcher(Config{AllowPrivate: true})
	doc, err := f.Fetch(t.Context(), srv.URL+"/moved")
	if err != nil {
		t.Fatal(err)
	}
	want := &Document{Source: srv.URL + "/moved", URL: srv.URL + "/page", ContentType: "text/html; charset=utf-8", Body: []byte(page)}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("Fetch (-want +got):\n%s", diff)
	}
	a, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([4]string{"La loi sur l'eau", srv.URL + "/page", "127.0.0.1", "fr"}, [4]string{a.Title, a.URL, a.Publisher, a.Lang}); diff != "" {
		t.Errorf("title, url, publisher, lang (-want +got):\n%s", diff)
	}
}

func TestFetchLatin1(t *testing.T) {
	srv := newServer(t)
	doc, err := NewFetcher(Config{AllowPrivate: true}).Fetch(t.Context(), srv.URL+"/latin1")
	if err != nil {
		t.Fatal(err)
	}
	a, err := Extract(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "Le café coûte plus cher cette année à Paris selon une étude publiée mardi par les associations de consommateurs."
	if a.Text != want {
		t.Errorf("Text = %q, want %q", a.Text, want)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := newServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/page"
	closed.Close()
	open := Config{AllowPrivate: true}
	tests := []struct {
		name    string
		cfg     Config
		url     string
		wantIs  error
		wantMsg string
	}{
		{name: "loopback refused by default", cfg: Config{}, url: srv.URL + "/page", wantIs: ErrBlockedAddress, wantMsg: "loopback address; set FETCH_ALLOW_PRIVATE=true to allow it"},
		{name: "host name resolved to loopback", cfg: Config{}, url: strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/page", wantIs: ErrBlockedAddress, wantMsg: "refusing to connect"},
		{name: "unreachable", cfg: open, url: closedURL, wantMsg: "connection refused"},
		{name: "slow headers", cfg: Config{AllowPrivate: true, Timeout: 200 * time.Millisecond}, url: srv.URL + "/slow-headers", wantMsg: "timed out"},
		{name: "header timeout shorter than the limit", cfg: Config{AllowPrivate: true, Timeout: 5 * time.Second, HeaderTimeout: 100 * time.Millisecond}, url: srv.URL + "/slow-headers", wantMsg: "no response headers within 100ms"},
		{name: "slow body", cfg: Config{AllowPrivate: true, Timeout: 200 * time.Millisecond}, url: srv.URL + "/slow-body", wantMsg: "timed out"},
		{name: "redirect loop", cfg: open, url: srv.URL + "/loop/a", wantMsg: "redirect loop"},
		{name: "too many redirects", cfg: open, url: srv.URL + "/chain/0", wantMsg: "more than 5 redirects"},
		{name: "redirect cap from config", cfg: Config{AllowPrivate: true, MaxRedirects: 2}, url: srv.URL + "/chain/0", wantMsg: "more than 2 redirects"},
		{name: "redirect to another scheme", cfg: open, url: srv.URL + "/to-ftp", wantMsg: `unsupported scheme "ftp"`},
		{name: "image content type", cfg: open, url: srv.URL + "/image", wantIs: ErrUnsupportedType, wantMsg: "image/png"},
		{name: "binary without content type", cfg: open, url: srv.URL + "/untyped-binary", wantIs: ErrUnsupportedType},
		{name: "too large", cfg: Config{AllowPrivate: true, MaxBytes: 100}, url: srv.URL + "/big", wantIs: ErrTooLarge, wantMsg: "larger than 100 bytes"},
		{name: "too large without length", cfg: Config{AllowPrivate: true, MaxBytes: 100}, url: srv.URL + "/big-chunked", wantIs: ErrTooLarge, wantMsg: "larger than 100 bytes"},
		{name: "status 404", cfg: open, url: srv.URL + "/gone", wantMsg: "HTTP status 404 Not Found"},
		{name: "file scheme", cfg: open, url: "file:///etc/passwd", wantMsg: `unsupported scheme "file"`},
		{name: "no host", cfg: open, url: "http:///path", wantMsg: "no host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFetcher(tt.cfg).Fetch(t.Context(), tt.url)
			if err == nil {
				t.Fatal("Fetch succeeded, want an error")
			}
			if prefix := "fetch " + tt.url + ": "; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %q", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tt.wantMsg)
			}
			if tt.cfg.HeaderTimeout > 0 && strings.Contains(err.Error(), "limit "+tt.cfg.Timeout.String()) {
				t.Errorf("error %q blames the overall limit, not the header timeout", err)
			}
		})
	}
}

func TestFetchCanceled(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := NewFetcher(Config{AllowPrivate: true}).Fetch(ctx, srv.URL+"/page")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestBlockedReason(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"8.8.8.8", ""},
		{"2606:4700:4700::1111", ""},
		{"127.0.0.1", "loopback address"},
		{"::1", "loopback address"},
		{"::ffff:127.0.0.1", "loopback address"},
		{"64:ff9b::7f00:1", "loopback address in a NAT64 address"},
		{"64:ff9b::808:808", ""},
		// 6to4: the IPv4 address is bits 16-47.
		{"2002:7f00:1::1", "loopback address in a 6to4 address"},
		{"2002:a00:1::", "private address in a 6to4 address"},
		{"2002:c0a8:101::1", "private address in a 6to4 address"},
		{"2002:a9fe:a9fe::1", "link-local address in a 6to4 address"},
		{"2002:808:808::1", ""},
		// NAT64 local use (RFC 8215), any RFC 6052 prefix length.
		{"64:ff9b:1::7f00:1", "loopback address in a NAT64 address"},                      // /96
		{"64:ff9b:1::a00:1", "private address in a NAT64 address"},                        // /96
		{"64:ff9b:1:a9fe:a9:fe00::", "link-local address in a NAT64 address"},             // /48
		{"64:ff9b:1:c0:a8:101::", "private address in a NAT64 address"},                   // /56
		{"64:ff9b:1:0:a:0:100::", "private address in a NAT64 address"},                   // /64
		{"64:ff9b:1::808:808", ""},                                                        // /96
		{"64:ff9b:1:808:8:800::", ""},                                                     // /48
		{"64:ff9b:1:ffff:ffff:ffff::", "local-use NAT64 address without an IPv4 address"}, // u octet set: not RFC 6052
		// Site-local (deprecated) and IPv4-compatible (deprecated) forms.
		{"fec0::1", "site-local address"},
		{"feff:ffff::1", "site-local address"},
		{"::7f00:1", "loopback address in an IPv4-compatible address"},
		{"::10.0.0.1", "private address in an IPv4-compatible address"},
		{"::169.254.169.254", "link-local address in an IPv4-compatible address"},
		{"10.1.2.3", "private address"},
		{"172.16.0.1", "private address"},
		{"192.168.1.1", "private address"},
		{"fc00::1", "private address"},
		{"fd12:3456::1", "private address"},
		{"169.254.169.254", "link-local address"},
		{"fe80::1", "link-local address"},
		{"0.0.0.0", "unspecified address"},
		{"::", "unspecified address"},
		{"224.0.0.1", "multicast address"},
		{"ff02::1", "multicast address"},
		{"100.64.0.1", "shared (CGNAT) address"},
		{"100.127.255.254", "shared (CGNAT) address"},
		{"100.128.0.1", ""},
		{"255.255.255.255", "reserved address"},
		{"0.1.2.3", "reserved address"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := blockedReason(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("blockedReason(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}
