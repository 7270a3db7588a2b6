package ingest

import (
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadFile reads a local file of at most maxBytes (DefaultMaxBytes when
// maxBytes <= 0). The content type comes from the extension (.html/.htm,
// .md/.markdown, .txt); other files get none and Extract sniffs them.
func ReadFile(path string, maxBytes int64) (*Document, error) {
	doc, err := readFile(path, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return doc, nil
}

func readFile(path string, maxBytes int64) (*Document, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// Checked before opening: opening a named pipe waits for a writer.
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > maxBytes {
		return nil, fmt.Errorf("%w: file larger than %d bytes", ErrTooLarge, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: file larger than %d bytes", ErrTooLarge, maxBytes)
	}
	var ctype string
	switch kindOfExt(filepath.Ext(abs)) {
	case kindHTML:
		ctype = "text/html"
	case kindMarkdown:
		ctype = "text/markdown"
	case kindText:
		ctype = "text/plain"
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return &Document{Source: path, URL: u.String(), ContentType: ctype, Body: body}, nil
}

// Files lists the article files under root, recursively and sorted:
// .txt, .md, .markdown, .html and .htm, skipping hidden files and
// directories. A root that is a file is returned as is. A directory below
// root that cannot be read is passed to unreadable, and the listing goes
// on with the others.
func Files(root string, unreadable func(path string, err error)) ([]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("list files in %s: %w", root, err)
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	files, err := filesIn(os.DirFS(root), root, unreadable)
	if err != nil {
		return nil, fmt.Errorf("list files in %s: %w", root, err)
	}
	return files, nil
}

// filesIn is Files over the directory root opened as fsys.
func filesIn(fsys fs.FS, root string, unreadable func(path string, err error)) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		path := filepath.Join(root, filepath.FromSlash(p))
		if err != nil {
			if p == "." {
				return err
			}
			unreadable(path, err)
			return nil
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".txt", ".md", ".markdown", ".html", ".htm":
		default:
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		} else if fi, err := fs.Stat(fsys, p); err == nil && fi.Mode().IsRegular() {
			files = append(files, path) // a symbolic link to a file
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	return files, nil
}
