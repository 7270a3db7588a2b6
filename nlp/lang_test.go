package nlp

import "testing"

func TestDetectLang(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"french", "Le Maroc réaffirme sa détermination à consolider son rôle dans le domaine de l'Intelligence Artificielle.", "fr"},
		{"french without accents", "Il est dans la maison avec les enfants pour le week-end.", "fr"},
		{"english", "The central bank raised its main interest rate on Tuesday, the third increase this year.", "en"},
		{"arabic", "أعلنت الحكومة المغربية عن إنشاء هيئة وطنية للذكاء الاصطناعي", "ar"},
		{"arabic with latin names", "قال وزير الاقتصاد إن شركة Google ستفتح مكتبا في الرباط قريبا", "ar"},
		{"short english question", "Who acts as regent?", "en"},
		{"english contractions", "Who's the architect?", "en"},
		{"english question with names", "What year did Christopher Marlowe die?", "en"},
		{"short french question", "Quand Mezzour a-t-il parlé ?", "fr"},
		{"french question", "Combien de voitures UAZ produit-il ?", "fr"},
		{"short arabic question", "ما اسم السباق؟", "ar"},
		{"english comment", "Did the minister comment on the 2024 budget?", "en"},
		{"a comment is no french question", "Comment on Mezzour's AI plan", ""},
		{"hyphenated english in french", "Le know-how des PME marocaines à l'export", "fr"},
		{"too short", "Bonjour", ""},
		{"two words", "Tourcoing result", ""},
		{"empty", "", ""},
		{"numbers only", "2023 2024 2025 12,5 % 17,3 %", ""},
		{"german", "Die Regierung hat am Dienstag einen neuen Gesetzentwurf vorgelegt.", ""},
		{"mixed evenly", "the le of de and et is est", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectLang(tt.text); got != tt.want {
				t.Errorf("DetectLang(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestChooseLang(t *testing.T) {
	tests := []struct {
		declared, text, want string
	}{
		{"en", "Un troisième Français a été tué dans le tremblement de terre samedi au Népal.", "fr"},
		{"fr-FR", "Bonjour", "fr"},
		{"AR", "", "ar"},
		{"de", "Guten Tag", ""},
	}
	for _, tt := range tests {
		t.Run(tt.declared, func(t *testing.T) {
			if got := ChooseLang(tt.declared, tt.text); got != tt.want {
				t.Errorf("ChooseLang(%q, %q) = %q, want %q", tt.declared, tt.text, got, tt.want)
			}
		})
	}
}
