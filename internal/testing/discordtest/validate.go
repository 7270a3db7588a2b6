package discordtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// Discord's message limits (discordgo enforces none). Lengths count Unicode code points.
const (
	maxContent          = 2000
	maxEmbeds           = 10
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxFooter           = 2048
	maxAuthorName       = 256
	maxEmbedTotal       = 6000
)

// limit is a length limit on the string at a form path.
type limit struct {
	path  string
	value any
	max   int
}

// validateMessage checks a message body (create or edit) against Discord's
// limits; on failure it returns Discord's error status and body.
func validateMessage(body map[string]any, files int, create bool) (int, any, bool) {
	fail := func(status int, b any) (int, any, bool) { return status, b, false }
	content, _ := body["content"].(string)
	if n := utf8.RuneCountInString(content); n > maxContent {
		return fail(formError("content", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxContent)))
	}
	embeds, _ := body["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		return fail(formError("embeds", "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxEmbeds)))
	}
	total := 0
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		at := func(field string) string { return fmt.Sprintf("embeds.%d.%s", i, field) }
		checks := []limit{
			{at("title"), em["title"], maxEmbedTitle},
			{at("description"), em["description"], maxEmbedDescription},
			{at("footer.text"), field(em["footer"], "text"), maxFooter},
			{at("author.name"), field(em["author"], "name"), maxAuthorName},
		}
		fields, _ := em["fields"].([]any)
		if len(fields) > maxEmbedFields {
			return fail(formError(at("fields"), "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", maxEmbedFields)))
		}
		for j, f := range fields {
			checks = append(checks,
				limit{fmt.Sprintf("embeds.%d.fields.%d.name", i, j), field(f, "name"), maxFieldName},
				limit{fmt.Sprintf("embeds.%d.fields.%d.value", i, j), field(f, "value"), maxFieldValue})
		}
		for _, c := range checks {
			s, _ := c.value.(string)
			n := utf8.RuneCountInString(s)
			if n > c.max {
				return fail(formError(c.path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", c.max)))
			}
			total += n
		}
	}
	if total > maxEmbedTotal {
		return fail(formError("embeds", "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", maxEmbedTotal)))
	}
	if am, ok := body["allowed_mentions"].(map[string]any); ok {
		parse, _ := am["parse"].([]any)
		for _, p := range parse {
			if !slices.Contains([]any{"roles", "users", "everyone"}, p) {
				return fail(formError("allowed_mentions.parse", "BASE_TYPE_CHOICES", fmt.Sprintf("Value must be one of {'roles', 'users', 'everyone'}, not %v.", p)))
			}
			for _, list := range []string{"users", "roles"} {
				if ids, _ := am[list].([]any); p == list && len(ids) > 0 {
					return fail(formError("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", fmt.Sprintf("parse:[%q] and %s: [ids] are mutually exclusive.", list, list)))
				}
			}
		}
	}
	if create && content == "" && len(embeds) == 0 && files == 0 && !nonEmpty(body["components"]) &&
		!nonEmpty(body["sticker_ids"]) && body["poll"] == nil {
		return fail(apiError(http.StatusBadRequest, codeEmptyMessage, "Cannot send an empty message"))
	}
	return 0, nil, true
}

// field returns obj[name] if obj is a JSON object.
func field(obj any, name string) any {
	m, _ := obj.(map[string]any)
	return m[name]
}

// nonEmpty reports whether v is a non-empty JSON array.
func nonEmpty(v any) bool {
	a, _ := v.([]any)
	return len(a) > 0
}

// formError is Discord's "Invalid Form Body" with one error at a dotted path (content, embeds.0.title).
func formError(path, code, message string) (int, any) {
	errs := map[string]any{"_errors": []any{map[string]any{"code": code, "message": message}}}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		errs = map[string]any{parts[i]: errs}
	}
	return http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": codeInvalidForm, "errors": errs}
}
