package prompts

// Rebullet returns the user message that asks a model, after its summary
// came back with got bullets (fewer than the 3 to 5 the summary prompts
// ask for), for the summary again with 3 to 5 bullets in lang ("" for the
// article's language). The caller appends it after the model's reply and
// asks again.
func Rebullet(got int, lang string) (Message, error) {
	text, err := execute("rebullet.user", struct {
		Got      int
		Language string
	}{got, languageName(lang)})
	if err != nil {
		return Message{}, err
	}
	return Message{Role: RoleUser, Content: text}, nil
}
