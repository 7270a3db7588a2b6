package prompts

import "fmt"

// Relanguage returns the user message that asks a model, after its answer
// came back in the wrong language, for the same answer in lang (fr, en or
// ar). The caller appends it after the model's reply and asks again.
func Relanguage(lang string) (Message, error) {
	name := languageName(lang)
	if name == "" {
		return Message{}, fmt.Errorf("relanguage prompt: unknown language %q", lang)
	}
	text, err := execute("relanguage.user", struct{ Language, NotFound string }{name, NotFound})
	if err != nil {
		return Message{}, err
	}
	return Message{Role: RoleUser, Content: text}, nil
}
