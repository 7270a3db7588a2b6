package ingest

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/dalil-news/dalil/rag"
)

// trackingParams are query parameters that identify a campaign or a click,
// not a page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "igshid": true, "yclid": true, "mc_cid": true, "mc_eid": true,
	"_ga": true, "_gl": true,
}

// CanonicalURL normalizes an http or https URL so that the same page gets
// the same key: lower-case scheme and host, no user info, no default port,
// no fragment, no tracking parameters (utm_*, fbclid, gclid...), remaining
// parameters sorted, dot segments resolved, "/" for an empty path and no
// trailing slash on other paths.
func CanonicalURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonical URL %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonical URL %q: scheme must be http or https", raw)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("canonical URL %q: no host", raw)
	}
	port := u.Port()
	if u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443" {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host, u.User, u.Fragment, u.RawFragment = host, nil, "", ""

	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if strings.Contains(p, "/./") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") {
		p = path.Clean(p)
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
		if p == "" {
			p = "/"
		}
	}
	decoded, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("canonical URL %q: %w", raw, err)
	}
	u.Path, u.RawPath = decoded, p

	if q, err := url.ParseQuery(u.RawQuery); err == nil {
		for k := range q {
			if tracking(k) {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	} else {
		// Pairs Go does not parse (with a ';' or a bad % escape) are
		// kept as written: dropping them gave two pages one key.
		var keep []string
		for pair := range strings.SplitSeq(u.RawQuery, "&") {
			if k, _, _ := strings.Cut(pair, "="); pair != "" && !tracking(k) {
				keep = append(keep, pair)
			}
		}
		slices.Sort(keep)
		u.RawQuery = strings.Join(keep, "&")
	}
	u.ForceQuery = false
	return u.String(), nil
}

// tracking reports whether a query parameter only tracks the reader.
func tracking(key string) bool {
	key = strings.ToLower(key)
	return trackingParams[key] || strings.HasPrefix(key, "utm_")
}

// ContentHash is the hex SHA-256 of text with white space and case
// normalized; it is rag.ContentHash, the key the store deduplicates on.
func ContentHash(text string) string {
	return rag.ContentHash(text)
}
