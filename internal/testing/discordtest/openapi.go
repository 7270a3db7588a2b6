package discordtest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// openAPISpec is Discord's OpenAPI specification (github.com/discord/
// discord-api-spec, specs/openapi.json at commit 74fda0f, MIT licence: see
// OPENAPI-LICENSE), cut down to the request bodies of the routes this fake
// serves and the schemas they reference, by keeping, for each such path
// and method, requestBody.content["application/json"].schema and then every
// components.schemas entry reachable through $ref.
//
//go:embed openapi.json
var openAPISpec []byte

// spec is the parsed specification: request body schemas by route key
// (routeKey) and the component schemas they reference.
type spec struct {
	bodies  map[string]any
	schemas map[string]any
}

// parseSpec parses the embedded specification.
func parseSpec() (*spec, error) {
	var doc struct {
		Paths      map[string]map[string]map[string]map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		return nil, fmt.Errorf("discordtest: parse the OpenAPI spec: %w", err)
	}
	sp := &spec{bodies: map[string]any{}, schemas: doc.Components.Schemas}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if s := op["requestBody"]["content"]["application/json"]["schema"]; s != nil {
				sp.bodies[routeKey(strings.ToUpper(method), path)] = s
			}
		}
	}
	return sp, nil
}

// pathParam matches a path parameter, named as the spec or the fake's mux
// names it.
var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// routeKey is the method and path without the API version prefix and with
// anonymous parameters, the same for the spec's paths and the fake's mux
// patterns: "PATCH /webhooks/{}/{}/messages/{}".
func routeKey(method, path string) string {
	return method + " " + pathParam.ReplaceAllString(strings.TrimPrefix(path, "/api/v9"), "{}")
}

// checkBody validates a request body (decoded JSON) for the route the mux
// matched (pattern, as "POST /api/v9/channels/{cid}/messages") against
// the spec, and returns the violations, each "path: problem"; none for a
// route without a body schema.
func (sp *spec) checkBody(pattern string, body any) []string {
	method, path, _ := strings.Cut(pattern, " ")
	s, ok := sp.bodies[routeKey(method, path)]
	if !ok {
		return nil
	}
	var errs []string
	sp.validate(s, body, "", &errs)
	return errs
}

// specError is Discord's answer to a body its specification refuses.
func specError(violations []string) (int, any) {
	return http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": codeInvalidForm,
		"errors": map[string]any{"_errors": []any{map[string]any{"code": "OPENAPI_SPEC", "message": strings.Join(violations, "; ")}}}}
}

// Violations lists, as "METHOD path: problem", what Discord's OpenAPI
// specification refused in the request bodies the fake received (each
// answered 400): a test can check that the bot sent none.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.requests {
		for _, v := range r.Violations {
			out = append(out, r.Method+" "+r.Path+": "+v)
		}
	}
	return out
}

// maxViolations bounds what one body reports.
const maxViolations = 10

// validate checks v against the JSON Schema (2020-12, as OpenAPI 3.1
// uses it) s, appending violations to errs under path. It knows the
// keywords Discord's spec uses for request bodies: $ref, allOf, oneOf and
// anyOf (a value must match one alternative: "exactly one" is not
// checked, as Discord's unions overlap where their discriminators differ),
// const, enum, type, string and array lengths, numeric bounds, required,
// properties, additionalProperties, maxProperties, uniqueItems. An integer
// may come as a string of digits, which Discord accepts (the spec types
// default_member_permissions integer; discordgo sends it as a string).
func (sp *spec) validate(s any, v any, path string, errs *[]string) {
	m, ok := s.(map[string]any)
	if !ok || len(*errs) >= maxViolations {
		return
	}
	bad := func(format string, a ...any) {
		*errs = append(*errs, fmt.Sprintf("%s: %s", cmpPath(path), fmt.Sprintf(format, a...)))
	}
	if ref, ok := m["$ref"].(string); ok {
		sp.validate(sp.schemas[ref[strings.LastIndex(ref, "/")+1:]], v, path, errs)
	}
	for _, sub := range list(m["allOf"]) {
		sp.validate(sub, v, path, errs)
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		alts := list(m[key])
		if len(alts) == 0 {
			continue
		}
		// The nearest alternative has the fewest violations, preferring
		// those of the value's type and whose discriminator ("type", in
		// Discord's unions) fits.
		mismatch := []string{cmpPath(path) + ": is ", cmpPath(path+".type") + ": is "}
		score := func(e []string) int {
			n := len(e)
			for _, x := range e {
				if strings.HasPrefix(x, mismatch[0]) || strings.HasPrefix(x, mismatch[1]) {
					n += 100
				}
			}
			return n
		}
		var best []string
		for i, alt := range alts {
			var e []string
			sp.validate(alt, v, path, &e)
			if len(e) == 0 {
				best = nil
				break
			}
			if i == 0 || score(e) < score(best) {
				best = e
			}
		}
		if best != nil {
			bad("matches none of %d alternatives; nearest: %s", len(alts), strings.Join(best, "; "))
		}
	}
	if c, ok := m["const"]; ok && !sameJSON(c, v) {
		bad("is %v, want %v", v, c)
	}
	if enum := list(m["enum"]); len(enum) > 0 && !slices.ContainsFunc(enum, func(e any) bool { return sameJSON(e, v) }) {
		bad("is %v, not one of %v", v, enum)
	}
	if t, ok := m["type"]; ok && !hasType(t, v) {
		bad("is %s, want %v", jsonType(v), t)
		return
	}
	num := func(key string) (float64, bool) { f, ok := m[key].(float64); return f, ok }
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if max, ok := num("maxLength"); ok && float64(n) > max {
			bad("%d characters, at most %v", n, max)
		}
		if min, ok := num("minLength"); ok && float64(n) < min {
			bad("%d characters, at least %v", n, min)
		}
	case float64:
		if max, ok := num("maximum"); ok && x > max {
			bad("%v, at most %v", x, max)
		}
		if min, ok := num("minimum"); ok && x < min {
			bad("%v, at least %v", x, min)
		}
	case []any:
		if max, ok := num("maxItems"); ok && float64(len(x)) > max {
			bad("%d items, at most %v", len(x), max)
		}
		if min, ok := num("minItems"); ok && float64(len(x)) < min {
			bad("%d items, at least %v", len(x), min)
		}
		if u, _ := m["uniqueItems"].(bool); u && hasDuplicate(x) {
			bad("items repeat")
		}
		for i, item := range x {
			sp.validate(m["items"], item, fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case map[string]any:
		for _, r := range list(m["required"]) {
			if _, ok := x[r.(string)]; !ok {
				bad("%s is required", r)
			}
		}
		if max, ok := num("maxProperties"); ok && float64(len(x)) > max {
			bad("%d properties, at most %v", len(x), max)
		}
		props, _ := m["properties"].(map[string]any)
		for _, k := range sortedKeys(x) {
			sub := path + "." + k
			switch p, known := props[k]; {
			case known:
				sp.validate(p, x[k], sub, errs)
			case m["additionalProperties"] == false:
				bad("unknown property %q", k)
			default:
				sp.validate(m["additionalProperties"], x[k], sub, errs)
			}
		}
	}
}

// cmpPath names the body's root "body".
func cmpPath(path string) string {
	if path == "" {
		return "body"
	}
	return strings.TrimPrefix(path, ".")
}

// list returns s as a list, nil when it is not one.
func list(s any) []any {
	l, _ := s.([]any)
	return l
}

// hasType reports whether v is of the JSON Schema type t (a name or a
// list of names).
func hasType(t any, v any) bool {
	names := []any{t}
	if l, ok := t.([]any); ok {
		names = l
	}
	got := jsonType(v)
	for _, n := range names {
		switch {
		case n == got, n == "number" && got == "integer":
			return true
		case n == "integer" && got == "string" && digits.MatchString(v.(string)):
			return true
		}
	}
	return false
}

// digits matches an integer written as a string.
var digits = regexp.MustCompile(`^-?[0-9]+$`)

// jsonType is the JSON Schema type of a decoded JSON value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameJSON reports whether two decoded JSON values are equal.
func sameJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

// hasDuplicate reports whether two items of l are equal.
func hasDuplicate(l []any) bool {
	for i := range l {
		for j := i + 1; j < len(l); j++ {
			if sameJSON(l[i], l[j]) {
				return true
			}
		}
	}
	return false
}

// sortedKeys returns m's keys in order, for stable reports.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
