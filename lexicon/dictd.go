package lexicon

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// indexEntry is one line of a dictd .index file: a headword and where its
// entry lies in the uncompressed .dict data.
type indexEntry struct {
	headword    string
	offset, len int
}

// b64 maps dictd's base64 alphabet to digit values; -1 marks other bytes.
var b64 = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// maxNumber bounds the decoded offsets and lengths: no dictionary is near
// 1 GiB uncompressed, and it keeps the arithmetic far from overflow.
const maxNumber = 1 << 30

// decodeNumber reads a big-endian number written in dictd's base64.
func decodeNumber(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	n := 0
	for i := range len(s) {
		d := b64[s[i]]
		if d < 0 {
			return 0, fmt.Errorf("number %q: byte %q is not base64", s, s[i])
		}
		n = n<<6 | int(d)
		if n >= maxNumber {
			return 0, fmt.Errorf("number %q is too large", s)
		}
	}
	return n, nil
}

// parseIndex reads a dictd index: one "headword TAB offset TAB length" a
// line. Blank lines are skipped, and so are dictd's own "00database…"
// entries (the dictionary's metadata).
func parseIndex(data []byte) ([]indexEntry, error) {
	var out []indexEntry
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		fields := strings.Split(string(line), "\t")
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: %d tab-separated fields, want 3", n+1, len(fields))
		}
		head := strings.TrimSpace(fields[0])
		off, err := decodeNumber(fields[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: offset: %w", n+1, err)
		}
		size, err := decodeNumber(fields[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: length: %w", n+1, err)
		}
		if head == "" || strings.HasPrefix(head, "00database") || strings.HasPrefix(head, "00-database") {
			continue
		}
		out = append(out, indexEntry{headword: head, offset: off, len: size})
	}
	return out, nil
}

// maxDict bounds an uncompressed .dict file (the largest FreeDict file
// used here is about 4 MB).
const maxDict = 256 << 20

// readDictFile reads a dictd pair, base.index and base.dict.dz (or an
// uncompressed base.dict), and returns each headword with its entry's
// text. It returns an error wrapping fs.ErrNotExist when the index is
// missing.
func readDictFile(base string) (heads, bodies []string, err error) {
	index, err := os.ReadFile(base + ".index")
	if err != nil {
		return nil, nil, err
	}
	entries, err := parseIndex(index)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s.index: %w", base, err)
	}
	data, err := readDict(base)
	if err != nil {
		return nil, nil, err
	}
	heads = make([]string, 0, len(entries))
	bodies = make([]string, 0, len(entries))
	for _, e := range entries {
		if e.offset+e.len > len(data) {
			return nil, nil, fmt.Errorf("%s.index: entry %q at %d+%d lies beyond the %d bytes of its .dict", base, e.headword, e.offset, e.len, len(data))
		}
		heads = append(heads, e.headword)
		bodies = append(bodies, data[e.offset:e.offset+e.len])
	}
	return heads, bodies, nil
}

// readDict returns the uncompressed text of base.dict.dz (dictzip, which
// gzip reads whole) or, failing that, of base.dict.
func readDict(base string) (string, error) {
	f, err := os.Open(base + ".dict.dz")
	if errors.Is(err, os.ErrNotExist) {
		plain, err := os.ReadFile(base + ".dict")
		if err != nil {
			return "", fmt.Errorf("read the dictionary data of %s: %w", base, err)
		}
		return string(plain), nil
	}
	if err != nil {
		return "", fmt.Errorf("open %s.dict.dz: %w", base, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("decompress %s.dict.dz: %w", base, err)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(zr, maxDict+1))
	if err != nil {
		return "", fmt.Errorf("decompress %s.dict.dz: %w", base, err)
	}
	if n > maxDict {
		return "", fmt.Errorf("decompress %s.dict.dz: more than %d bytes", base, maxDict)
	}
	return buf.String(), nil
}
