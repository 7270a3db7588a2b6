package ingest

import (
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "https://Example.COM/News/Article", want: "https://example.com/News/Article"},
		{in: "HTTP://example.com", want: "http://example.com/"},
		{in: "https://example.com/a/b/", want: "https://example.com/a/b"},
		{in: "https://example.com/", want: "https://example.com/"},
		{in: "https://example.com//", want: "https://example.com/"},
		{in: "https://example.com:443/a", want: "https://example.com/a"},
		{in: "http://example.com:80/a", want: "http://example.com/a"},
		{in: "http://example.com:8080/a", want: "http://example.com:8080/a"},
		{in: "https://example.com:80/a", want: "https://example.com:80/a"},
		{in: "https://example.com/a#comments", want: "https://example.com/a"},
		{in: "https://example.com/a?utm_source=x&utm_MEDIUM=y&id=3&fbclid=z&gclid=w", want: "https://example.com/a?id=3"},
		{in: "https://example.com/a?b=2&a=1", want: "https://example.com/a?a=1&b=2"},
		{in: "https://example.com/a?", want: "https://example.com/a"},
		{in: "https://user:pass@example.com/a", want: "https://example.com/a"},
		{in: "https://example.com./a", want: "https://example.com/a"},
		{in: "https://example.com/a/./b/../c", want: "https://example.com/a/c"},
		{in: "https://example.com/caf%C3%A9/%2F", want: "https://example.com/caf%C3%A9/%2F"},
		{in: "https://[2001:DB8::1]:443/a", want: "https://[2001:db8::1]/a"},
		{in: "  https://example.com/a  ", want: "https://example.com/a"},
		{in: "https://e.com/show.php?id=5;lang=fr&utm_source=x", want: "https://e.com/show.php?id=5;lang=fr"},
		{in: "https://e.com/show.php?lang=fr;x&id=6", want: "https://e.com/show.php?id=6&lang=fr;x"},
		{in: "https://e.com/a?q=100%&id=7", want: "https://e.com/a?id=7&q=100%"},
		{in: "ftp://example.com/a", wantErr: true},
		{in: "example.com/a", wantErr: true},
		{in: "https:///a", wantErr: true},
		{in: "https://example.com/%zz", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CanonicalURL(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if err == nil {
				again, err := CanonicalURL(got)
				if err != nil || again != got {
					t.Errorf("CanonicalURL is not idempotent: %q → %q (%v)", got, again, err)
				}
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	a := ContentHash("Le Maroc  réaffirme\n\nsa détermination")
	b := ContentHash("le maroc réaffirme sa DÉTERMINATION ")
	if a != b || len(a) != 64 {
		t.Errorf("hashes of the same text differ or are not hex SHA-256: %q %q", a, b)
	}
	if c := ContentHash("Le Maroc réaffirme sa volonté"); c == a {
		t.Errorf("different texts share hash %q", c)
	}
}
