package bot

import (
	"context"
	"log/slog"
	"regexp"
)

// tokenInURL matches the token in a Discord webhook or interaction URL
// (/webhooks/{application}/{token}, /interactions/{id}/{token}/callback).
var tokenInURL = regexp.MustCompile(`(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]+`)

// redactTokens masks the interaction tokens in s: discordgo's errors quote
// the URL they failed on, and a token lets whoever reads it post as the
// bot in that channel for 15 minutes.
func redactTokens(s string) string {
	return tokenInURL.ReplaceAllString(s, "${1}***")
}

// tokenRedactor is a slog.Handler that masks interaction tokens in the
// message and in every string or error attribute before passing the
// record on.
type tokenRedactor struct{ slog.Handler }

// Handle implements slog.Handler.
func (h tokenRedactor) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redactTokens(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h tokenRedactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return tokenRedactor{h.Handler.WithAttrs(red)}
}

// WithGroup implements slog.Handler.
func (h tokenRedactor) WithGroup(name string) slog.Handler {
	return tokenRedactor{h.Handler.WithGroup(name)}
}

// redactAttr masks the tokens in a string or error attribute, and in
// those of a group.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redactTokens(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, redactTokens(err.Error()))
		}
	case slog.KindGroup:
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = redactAttr(g)
		}
		return slog.Group(a.Key, red...)
	}
	return slog.Attr{Key: a.Key, Value: v}
}
