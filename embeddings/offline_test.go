package embeddings

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/dalil-news/dalil/internal/testing/embeddertest"
)

func TestOfflineConformance(t *testing.T) {
	for _, dim := range []int{0, 64, 1024} {
		t.Run(fmt.Sprint(dim), func(t *testing.T) {
			embeddertest.Run(t, NewOffline(OfflineConfig{Dimensions: dim}))
		})
	}
}

func TestOfflineName(t *testing.T) {
	tests := []struct {
		dim      int
		wantName string
		wantDim  int
	}{
		{0, "offline-v1-384", 384},
		{64, "offline-v1-64", 64},
		{4096, "offline-v1-4096", 4096},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			o := NewOffline(OfflineConfig{Dimensions: tt.dim})
			if got := o.Name(); got != tt.wantName {
				t.Errorf("Name() = %q, want %q", got, tt.wantName)
			}
			if got := o.Dimensions(); got != tt.wantDim {
				t.Errorf("Dimensions() = %d, want %d", got, tt.wantDim)
			}
		})
	}
}

func TestValidateOfflineConfig(t *testing.T) {
	tests := []struct {
		dim     int
		wantErr bool
	}{
		{0, false}, {64, false}, {384, false}, {4096, false},
		{-1, true}, {63, true}, {4097, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.dim), func(t *testing.T) {
			err := ValidateOfflineConfig(OfflineConfig{Dimensions: tt.dim})
			if got := err != nil; got != tt.wantErr {
				t.Errorf("ValidateOfflineConfig(%d) = %v, want error: %v", tt.dim, err, tt.wantErr)
			}
		})
	}
}

// TestOfflineNormalization checks that spellings which mean the same give
// the same vector, and that different words do not.
func TestOfflineNormalization(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"case and accents", "École Élémentaire à Besançon", "ecole elementaire a besancon", true},
		{"ligatures and NFKC", "œuvre ﬁnale", "oeuvre finale", true},
		{"decomposed accents", "e\u0301te\u0301 cre\u0301e\u0301", "été créé", true},
		{"french elision", "l'économie d'Algérie", "économie Algérie", true},
		{"tashkeel and tatweel", "كَتَبَ الطالبـــ الدرسَ", "كتب الطالب الدرس", true},
		{"alef hamza, alef maksura, teh marbuta", "أحمد إلى مدرسة", "احمد الي مدرسه", true},
		{"arabic-indic digits", "عام ١٩٦٠", "عام 1960", true},
		{"decimal comma and point", "14,2 milliards", "14.2 milliards", true},
		{"stop words only differ", "the capital of France", "capital France", true},
		{"different numbers", "en 1960", "en 1961", false},
		{"different words", "république", "monarchie", false},
	}
	o := NewOffline(OfflineConfig{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := o.Embed(context.Background(), []string{tt.a, tt.b})
			if err != nil {
				t.Fatal(err)
			}
			diff := gocmp.Diff(got[0], got[1])
			if tt.same && diff != "" {
				t.Errorf("%q and %q embed differently (-a +b):\n%s", tt.a, tt.b, diff)
			}
			if !tt.same && diff == "" {
				t.Errorf("%q and %q embed the same", tt.a, tt.b)
			}
		})
	}
}

func TestOfflineHostileInput(t *testing.T) {
	tests := map[string]string{
		"invalid UTF-8":    "caf\xe9 \xff\xfe r\xc3sum\xc3",
		"only punctuation": "?!… — «»",
		"only stop words":  "le la les of the",
		"huge":             strings.Repeat("Une très longue phrase sur l'économie mondiale. ", 20000),
		"single letters":   "a b c d",
		"control chars":    "\x00\x01 texte \x7f",
	}
	o := NewOffline(OfflineConfig{})
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := o.Embed(context.Background(), []string{text})
			if err != nil {
				t.Fatal(err)
			}
			if n := dot(got[0], got[0]); n < 0.999 || n > 1.001 {
				t.Errorf("squared norm %v, want 1", n)
			}
		})
	}
}

func TestOfflineCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewOffline(OfflineConfig{}).Embed(ctx, []string{"texte"}); err == nil {
		t.Error("Embed with a cancelled context succeeded")
	}
}

func TestOfflineNoAllocations(t *testing.T) {
	o := NewOffline(OfflineConfig{})
	text := benchText()
	s := o.pool.Get().(*scratch)
	v := make([]float32, o.Dimensions())
	o.embed(s, text, v) // grow the buffers
	if allocs := testing.AllocsPerRun(20, func() { o.embed(s, text, v) }); allocs != 0 {
		t.Errorf("embedding a text allocates %v times, want 0", allocs)
	}
}

// benchText is about 1,000 characters of French, English and Arabic news.
func benchText() string {
	return "Le Conseil constitutionnel a validé vendredi l'essentiel de la réforme des retraites, " +
		"dont le report de l'âge légal de départ de 62 à 64 ans, tout en censurant six dispositions. " +
		"Des milliers de manifestants se sont rassemblés devant l'Hôtel de Ville de Paris. " +
		"The Denver Broncos defeated the Carolina Panthers 24–10 to earn their third Super Bowl title; " +
		"the game was played on February 7, 2016, at Levi's Stadium in Santa Clara, California. " +
		"أعلنت وزارة الصحة عن إطلاق حملة تطعيم جديدة في المدارس الابتدائية تشمل أكثر من 2.373 مدرسة " +
		"في مختلف المحافظات، وذلك بالتعاون مع منظمة الصحة العالمية واليونيسف. " +
		"La Banque centrale européenne a relevé ses taux directeurs de 25 points de base, " +
		"portant le taux de dépôt à 3,75 %, son plus haut niveau depuis 2001."
}

func BenchmarkOfflineEmbed(b *testing.B) {
	o := NewOffline(OfflineConfig{})
	texts := make([]string, 64)
	for i := range texts {
		texts[i] = fmt.Sprintf("%s %d", benchText(), i)
	}
	b.SetBytes(int64(len(texts[0]) * len(texts)))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		if _, err := o.Embed(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "texts/s")
}

func TestSortFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 300, 5000} {
		var fs []feature
		for i := range n {
			id := rng.Uint64()
			if i%5 == 0 {
				id &= 0xff // many ids share their high digits
			}
			fs = append(fs, feature{id: id, w: float64(i)})
			if i%3 == 0 {
				fs = append(fs, feature{id: id, w: -float64(i)}) // duplicates
			}
		}
		want := slices.Clone(fs)
		slices.SortStableFunc(want, func(a, b feature) int { return cmp.Compare(a.id, b.id) })
		got, spare := sortFeatures(fs, nil)
		if len(got) != len(want) || len(spare) != len(want) && n >= 2 {
			t.Fatalf("n=%d: %d sorted, %d spare, want %d", n, len(got), len(spare), len(want))
		}
		for i := range got {
			if got[i].id != want[i].id {
				t.Fatalf("n=%d: id %d is %x, want %x", n, i, got[i].id, want[i].id)
			}
		}
		slices.SortStableFunc(got, func(a, b feature) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.w, b.w)) })
		slices.SortStableFunc(want, func(a, b feature) int { return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.w, b.w)) })
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: the sorted features are not a permutation of the input", n)
		}
	}
}
