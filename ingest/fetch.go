package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Fetcher downloads web pages with timeouts, a size cap, a redirect cap, a
// content-type check and protection against server-side request forgery:
// every connection is checked on the resolved IP address at dial time, so
// neither DNS rebinding nor redirects can reach a non-public address.
type Fetcher struct {
	cfg    Config
	client *http.Client
}

// NewFetcher returns a Fetcher with cfg, zero fields replaced by defaults.
func NewFetcher(cfg Config) *Fetcher {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	cfg.HeaderTimeout = min(cfg.HeaderTimeout, cfg.Timeout)
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	f := &Fetcher{cfg: cfg}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = checkDial
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf and bypass the address check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.HeaderTimeout,
		ResponseHeaderTimeout: cfg.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
	f.client = &http.Client{
		Transport:     transport,
		Timeout:       cfg.Timeout,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// Client returns the HTTP client Fetch uses, for callers that need their
// own requests (conditional GETs of feeds) with the same protections: the
// address check at dial time (unless AllowPrivate), no proxy, the timeouts
// and the redirect cap. It does not cap body sizes: read with a limit.
func (f *Fetcher) Client() *http.Client { return f.client }

// Fetch downloads rawURL (http or https only) and returns its body with the
// final URL and content type. It fails on a non-2xx status, a body larger
// than Config.MaxBytes, more than Config.MaxRedirects redirects or a loop,
// a content type other than HTML, XHTML, plain text or Markdown, and (unless
// Config.AllowPrivate) any non-public address. Errors name the URL.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Document, error) {
	doc, err := f.fetch(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return doc, nil
}

func (f *Fetcher) fetch(ctx context.Context, rawURL string) (*Document, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1")
	start := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			// The overall limit cannot have expired before it elapsed: an
			// earlier timeout is the wait for headers (or the TLS handshake,
			// which has the same bound).
			if ue.Timeout() && ctx.Err() == nil && time.Since(start) < f.cfg.Timeout {
				return nil, fmt.Errorf("no response headers within %s (header timeout): %w", f.cfg.HeaderTimeout, ue.Err)
			}
			if ue.Timeout() {
				return nil, fmt.Errorf("timed out (limit %s): %w", f.cfg.Timeout, ue.Err)
			}
			err = ue.Err // the URL is already named by Fetch
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	ctype := resp.Header.Get("Content-Type")
	if ctype != "" {
		if err := checkContentType(ctype); err != nil {
			return nil, err
		}
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrTooLarge, f.cfg.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		if isTimeout(err) {
			return nil, fmt.Errorf("read body: timed out (limit %s): %w", f.cfg.Timeout, err)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > f.cfg.MaxBytes {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrTooLarge, f.cfg.MaxBytes)
	}
	if ctype == "" {
		ctype = http.DetectContentType(body)
		if err := checkContentType(ctype); err != nil {
			return nil, err
		}
	}
	return &Document{Source: rawURL, URL: resp.Request.URL.String(), ContentType: ctype, Body: body}, nil
}

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if err := checkScheme(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL, err)
	}
	for _, prev := range via {
		if prev.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop at %s", req.URL)
		}
	}
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("more than %d redirects", f.cfg.MaxRedirects)
	}
	return nil
}

func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("unsupported scheme %q (only http and https)", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("URL has no host")
	}
	return nil
}

// checkContentType accepts HTML, XHTML, plain text and Markdown.
func checkContentType(ctype string) error {
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("%w: invalid content type %q", ErrUnsupportedType, ctype)
	}
	if kindOf(mt) == kindUnknown {
		return fmt.Errorf("%w: content type %s (want HTML, plain text or Markdown)", ErrUnsupportedType, mt)
	}
	return nil
}

// checkDial is a net.Dialer Control function: it runs after DNS resolution,
// on the address actually dialed.
func checkDial(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dialed address %q", ErrBlockedAddress, address)
	}
	if reason := blockedReason(ap.Addr()); reason != "" {
		return fmt.Errorf("%w: refusing to connect to %s (%s; set FETCH_ALLOW_PRIVATE=true to allow it)", ErrBlockedAddress, ap.Addr(), reason)
	}
	return nil
}

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")
	reserved  = netip.MustParsePrefix("240.0.0.0/4")
	benchmark = netip.MustParsePrefix("198.18.0.0/15")
	ietf      = netip.MustParsePrefix("192.0.0.0/24")
	siteLocal = netip.MustParsePrefix("fec0::/10")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	nat64Site = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour = netip.MustParsePrefix("2002::/16")
	v4Compat  = netip.MustParsePrefix("::/96")
)

// blockedReason says why addr is not a public unicast address, or "".
// IPv6 forms that carry an IPv4 address a router or translator may reach
// (NAT64, 6to4, IPv4-compatible) are judged on that IPv4 address.
func blockedReason(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is6() && !addr.IsLoopback() && !addr.IsUnspecified() {
		if reason := embeddedReason(addr); reason != "" {
			return reason
		}
	}
	switch {
	case !addr.IsValid():
		return "invalid address"
	case addr.IsUnspecified():
		return "unspecified address"
	case addr.IsLoopback():
		return "loopback address"
	case addr.IsPrivate():
		return "private address"
	case addr.IsLinkLocalUnicast():
		return "link-local address"
	case addr.IsMulticast() || addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast():
		return "multicast address"
	case siteLocal.Contains(addr):
		return "site-local address"
	case cgnat.Contains(addr):
		return "shared (CGNAT) address"
	case thisNet.Contains(addr), reserved.Contains(addr), benchmark.Contains(addr), ietf.Contains(addr):
		return "reserved address"
	}
	return ""
}

// embeddedReason judges the IPv4 address inside a NAT64 (well-known or
// local-use), 6to4 or IPv4-compatible IPv6 address, or returns "".
func embeddedReason(addr netip.Addr) string {
	b := addr.As16()
	switch {
	case nat64.Contains(addr):
		return judgeIPv4([4]byte(b[12:]), "a NAT64 address")
	case sixToFour.Contains(addr):
		return judgeIPv4([4]byte(b[2:6]), "a 6to4 address")
	case v4Compat.Contains(addr):
		return judgeIPv4([4]byte(b[12:]), "an IPv4-compatible address")
	case nat64Site.Contains(addr):
		return nat64LocalReason(b)
	}
	return ""
}

// judgeIPv4 says why the IPv4 address v4, carried in an IPv6 address of
// the given form, is not public, or returns "".
func judgeIPv4(v4 [4]byte, form string) string {
	if reason := blockedReason(netip.AddrFrom4(v4)); reason != "" {
		return reason + " in " + form
	}
	return ""
}

// nat64LocalReason judges an address of the local-use NAT64 prefix
// 64:ff9b:1::/48 (RFC 8215). The translator's prefix length is not known
// (RFC 6052 allows /48, /56, /64 or /96 inside it), so every reading the
// address's form permits is judged, and the first non-public one wins.
func nat64LocalReason(b [16]byte) string {
	var readings [][4]byte
	if b[12]|b[13]|b[14]|b[15] != 0 {
		readings = append(readings, [4]byte(b[12:16])) // /96
	}
	// The shorter prefixes leave bits 64-71 and the suffix zero.
	zero := func(from int) bool {
		return b[8] == 0 && !slices.ContainsFunc(b[from:], func(c byte) bool { return c != 0 })
	}
	if zero(13) {
		readings = append(readings, [4]byte(b[9:13])) // /64
	}
	if zero(12) {
		readings = append(readings, [4]byte{b[7], b[9], b[10], b[11]}) // /56
	}
	if zero(11) {
		readings = append(readings, [4]byte{b[6], b[7], b[9], b[10]}) // /48
	}
	if len(readings) == 0 {
		return "local-use NAT64 address without an IPv4 address"
	}
	for _, r := range readings {
		if reason := judgeIPv4(r, "a NAT64 address"); reason != "" {
			return reason
		}
	}
	return ""
}
