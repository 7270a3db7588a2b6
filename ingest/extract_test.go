package ingest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/rag"
)

const prose = "Le gouvernement a présenté mardi un projet de loi sur l'eau qui prévoit de nouvelles règles pour les agriculteurs et les industriels du pays."

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name        string
		ctype, url  string
		body        []byte
		wantIs      error
		wantMessage string
	}{
		{name: "empty", ctype: "text/plain", body: nil, wantIs: rag.ErrEmptyInput},
		{name: "whitespace only", ctype: "text/plain", body: []byte(" \n\t\r\n "), wantIs: rag.ErrEmptyInput},
		{name: "html without text", ctype: "text/html", body: []byte("<html><body><script>x()</script>   </body></html>"), wantIs: rag.ErrEmptyInput},
		{name: "binary with NUL bytes", ctype: "text/plain", body: []byte("PK\x03\x04\x00\x00\x08\x00 some zip"), wantIs: ErrUnsupportedType},
		{name: "binary sniffed without type", url: "file:///data/blob", body: []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d}, wantIs: ErrUnsupportedType},
		{name: "control characters", ctype: "text/plain", body: []byte(strings.Repeat("a\x01\x02\x03b", 20)), wantIs: ErrUnsupportedType},
		{name: "not UTF-8 and no charset", ctype: "text/plain", body: []byte("Le caf\xe9 est pr\xeat. " + prose), wantMessage: "not UTF-8 and no charset declared"},
		{name: "unknown charset", ctype: "text/plain; charset=klingon", body: []byte(prose), wantMessage: `unknown charset "klingon"`},
		{name: "image type", ctype: "image/png", body: []byte("not really a png"), wantIs: ErrUnsupportedType},
		{name: "pdf type", ctype: "application/pdf", body: []byte("%PDF-1.7"), wantIs: ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			if u == "" {
				u = "https://example.com/a"
			}
			_, err := Extract(&Document{Source: "src-name", URL: u, ContentType: tt.ctype, Body: tt.body})
			if err == nil {
				t.Fatal("Extract succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), "extract src-name: ") {
				t.Errorf("error %q does not name the input", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q is not %q", err, tt.wantIs)
			}
			if tt.wantMessage != "" && !strings.Contains(err.Error(), tt.wantMessage) {
				t.Errorf("error %q does not contain %q", err, tt.wantMessage)
			}
		})
	}
}

func TestExtractCharsets(t *testing.T) {
	latin1Text := "Le caf\xe9 co\xfbte cher \xe0 Paris, et les prix des boissons ont encore augment\xe9 cette ann\xe9e selon une \xe9tude publi\xe9e mardi par les associations."
	wantText := "Le café coûte cher à Paris, et les prix des boissons ont encore augmenté cette année selon une étude publiée mardi par les associations."
	tests := []struct {
		name  string
		ctype string
		body  string
	}{
		{"ISO-8859-1 declared in the header", "text/plain; charset=ISO-8859-1", "Prix du caf\xe9\n" + latin1Text},
		{"windows-1252 declared in a meta tag", "text/html", `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>` + "Prix du caf\xe9" + `</title></head><body><article><p>` + latin1Text + `</p><p>` + latin1Text + `</p><p>` + latin1Text + `</p><p>` + latin1Text + `</p></article></body></html>`},
		{"meta charset", "text/html", `<html><head><meta charset="iso-8859-1"><title>` + "Prix du caf\xe9" + `</title></head><body><article><p>` + latin1Text + `</p><p>` + latin1Text + `</p><p>` + latin1Text + `</p><p>` + latin1Text + `</p></article></body></html>`},
		{"UTF-8 without declaration", "text/plain", "Prix du café\n" + wantText},
		{"UTF-8 with a byte-order mark", "text/plain", "\xef\xbb\xbfPrix du café\n" + wantText},
		{"UTF-16 with a byte-order mark", "text/plain", utf16le("Prix du café\n" + wantText)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Extract(&Document{Source: "s", URL: "https://example.com/cafe", ContentType: tt.ctype, Body: []byte(tt.body)})
			if err != nil {
				t.Fatal(err)
			}
			got := [3]string{a.Title, strings.Split(a.Text, "\n\n")[0], a.Lang}
			want := [3]string{"Prix du café", wantText, "fr"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("title, first paragraph, lang (-want +got):\n%s", diff)
			}
		})
	}
}

// utf16le encodes s as UTF-16 little-endian with a byte-order mark.
func utf16le(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r > 0xFFFF {
			panic("test text outside the BMP")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func TestExtractMarkdown(t *testing.T) {
	md := "---\ntitle: \"Rates: the year ahead\"\ndate: 2024-01-05\npublisher: The Daily\nurl: https://Example.com/rates/?utm_medium=rss\nlang: en\n---\n" +
		"# Not the title\n\nThe **central bank** raised its _main_ rate, says [the statement](https://example.com/s \"t\").\nIt was ~~expected~~ `widely` expected.\n\n" +
		"## What next\n\n- First *point* here\n- Second point, with snake_case kept\n\n> A quoted line\n\n```go\nfmt.Println(\"code\")\n```\n\n![chart](chart.png)\n\n---\n\n[ref]: https://example.com\n\nSetext heading\n--------------\n\nLast words.\n"
	got, err := Extract(&Document{Source: "notes.md", URL: "file:///data/notes.md", Body: []byte(md)})
	if err != nil {
		t.Fatal(err)
	}
	want := rag.Article{
		Title:     "Rates: the year ahead",
		URL:       "https://example.com/rates",
		Publisher: "The Daily",
		Published: time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC),
		Lang:      "en",
		Text: "## Not the title\n\nThe central bank raised its main rate, says the statement. It was expected widely expected.\n\n" +
			"## What next\n\nFirst point here\n\nSecond point, with snake_case kept\n\nA quoted line\n\nfmt.Println(\"code\")\n\n## Setext heading\n\nLast words.",
	}
	want.ContentHash = ContentHash(want.Text)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Extract (-want +got):\n%s", diff)
	}
}

func TestExtractMarkdownFirstHeadingIsTitle(t *testing.T) {
	got, err := Extract(&Document{Source: "n.md", URL: "file:///n.md", ContentType: "text/markdown", Body: []byte("# La loi sur l'eau\n\n" + prose + "\n")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([3]string{"La loi sur l'eau", prose, "fr"}, [3]string{got.Title, got.Text, got.Lang}); diff != "" {
		t.Errorf("title, text, lang (-want +got):\n%s", diff)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.txt")
	if err := os.WriteFile(small, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("ok", func(t *testing.T) {
		doc, err := ReadFile(small, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := &Document{Source: small, URL: "file://" + filepath.ToSlash(small), ContentType: "text/plain", Body: []byte("hello")}
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("ReadFile (-want +got):\n%s", diff)
		}
	})
	t.Run("too large", func(t *testing.T) {
		_, err := ReadFile(small, 4)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 4 bytes") || !strings.Contains(err.Error(), small) {
			t.Errorf("error = %v, want too large naming the file", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := ReadFile(filepath.Join(dir, "nope.txt"), 0)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error = %v, want not exist", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := ReadFile(dir, 0); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("error = %v, want not a regular file", err)
		}
	})
	t.Run("named pipe", func(t *testing.T) {
		fifo := filepath.Join(dir, "pipe.txt")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		// Opening a pipe with no writer would block: refused before.
		if _, err := ReadFile(fifo, 0); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("error = %v, want not a regular file", err)
		}
	})
}

// unreadableFS is a directory tree whose directory "locked" cannot be
// listed.
type unreadableFS struct{ fs.FS }

func (u unreadableFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "locked" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(u.FS, name)
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.md", "a.txt", "sub/c.HTML", "sub/d.htm", "sub/e.markdown", "x.pdf", ".hidden.txt", ".git/f.txt", "sub/.cache/g.md", "noext"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Files(dir, func(path string, err error) { t.Errorf("unreadable %s: %v", path, err) })
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"a.txt", "b.md", "sub/c.HTML", "sub/d.htm", "sub/e.markdown"} {
		want = append(want, filepath.Join(dir, filepath.FromSlash(name)))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	single := filepath.Join(dir, "x.pdf")
	if got, err := Files(single, nil); err != nil || !cmp.Equal(got, []string{single}) {
		t.Errorf("Files(file) = %v, %v; want the file itself", got, err)
	}
	if _, err := Files(filepath.Join(dir, "missing"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Files(missing) error = %v, want not exist", err)
	}

	// A directory that cannot be listed is reported; the others are read.
	tree := fstest.MapFS{"a.txt": {}, "locked/b.txt": {}, "z/c.md": {}}
	var unreadable []string
	got, err = filesIn(unreadableFS{tree}, "root", func(path string, err error) {
		if errors.Is(err, fs.ErrPermission) {
			unreadable = append(unreadable, path)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join("root", "a.txt"), filepath.Join("root", "z", "c.md")}; !cmp.Equal(want, got) {
		t.Errorf("files = %q, want %q", got, want)
	}
	if want := []string{filepath.Join("root", "locked")}; !cmp.Equal(want, unreadable) {
		t.Errorf("unreadable = %q, want %q", unreadable, want)
	}
}
