package pmml

import (
	"math/rand"
	"strings"
	"testing"
)

// textDoc scores a TextIndex over the string field s as "out".
func textDoc(attrs, norms, term string) string {
	return exprDoc(`<TextIndex textField="s" ` + attrs + `>` + norms + `<Constant dataType="string">` + term + `</Constant></TextIndex>`)
}

func TestTextIndex(t *testing.T) {
	const fox = "The brown fox jumps over the brown dog. Brown!"
	stems := `<TextIndexNormalization><InlineTable>
	 <row><string>jumps</string><stem>jump</stem></row>
	 <row><string>brown dog</string><stem>hound</stem></row>
	</InlineTable></TextIndexNormalization>`
	colours := `<TextIndexNormalization><InlineTable>
	 <row><string>colou?r</string><stem>color</stem><regex>true</regex></row>
	</InlineTable></TextIndexNormalization>`
	chain := `<TextIndexNormalization recursive="true"><InlineTable>
	 <row><string>b</string><stem>c</stem></row>
	 <row><string>a</string><stem>b</stem></row>
	</InlineTable></TextIndexNormalization>`
	tests := []struct {
		name, attrs, norms, term, text, want string
	}{
		// Tokens: the brown fox jumps over the brown dog brown ("dog." and
		// "Brown!" lose their punctuation; case is folded).
		{"termFrequency", ``, ``, "brown", fox, "3"},
		{"binary", `localTermWeights="binary"`, ``, "brown", fox, "1"},
		{"logarithmic is log10(1+3)", `localTermWeights="logarithmic"`, ``, "brown", fox, "0.602059991328"},
		{"augmented: 0.5(1 + 2/3), the most frequent token is brown (3)", `localTermWeights="augmentedNormalizedTermFrequency"`, ``, "the", fox, "0.833333333333"},
		{"augmented absent term", `localTermWeights="augmentedNormalizedTermFrequency"`, ``, "cat", fox, "0"},
		{"case sensitive", `isCaseSensitive="true"`, ``, "brown", fox, "2"},
		{"two-word term", ``, ``, "brown fox", fox, "1"},
		{"Levenshtein 1", `maxLevenshteinDistance="1"`, ``, "brawn", fox, "3"},
		{"Levenshtein 0", ``, ``, "brawn", fox, "0"},
		{"Levenshtein sums over the term's tokens", `maxLevenshteinDistance="1"`, ``, "brawn fax", fox, "0"},
		{"Levenshtein 2 over two tokens", `maxLevenshteinDistance="2"`, ``, "brawn fax", fox, "1"},
		{"allHits", `maxLevenshteinDistance="1"`, ``, "brawn", "brown brawn brawn", "3"},
		{"bestHits keeps the closest", `maxLevenshteinDistance="1" countHits="bestHits"`, ``, "brawn", "brown brawn brawn", "2"},
		{"normalisation of words", ``, stems, "jump", fox, "1"},
		{"normalisation of a phrase", ``, stems, "hound", fox, "1"},
		{"normalisation by regex", ``, colours, "color", "Colour and color, not colr", "2"},
		{"recursive normalisation", ``, chain, "c", "a b c", "3"},
		{"custom separator", `wordSeparatorCharacterRE="[;]"`, ``, "a b", "a b;c;a b", "2"},
		{"missing text", ``, ``, "brown", "", "null"},
		{"normalisation that only grows is cut off", ``, `<TextIndexNormalization recursive="true"><InlineTable><row><string>a</string><stem>a a</stem></row></InlineTable></TextIndexNormalization>`, "a", strings.Repeat("a ", 1000), "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, textDoc(tc.attrs, tc.norms, tc.term))
			got := predictText(t, m, map[string][]string{"s": {tc.text}}, "out")
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

func TestTextIndexRefused(t *testing.T) {
	tests := []struct{ name, attrs, norms, want string }{
		{"distance too large", `maxLevenshteinDistance="1000"`, ``, "maxLevenshteinDistance"},
		{"bad separator", `wordSeparatorCharacterRE="(?&lt;=a)"`, ``, "wordSeparatorCharacterRE"},
		{"TableLocator", ``, `<TextIndexNormalization><TableLocator/></TextIndexNormalization>`, "TableLocator"},
		{"fuzzy normalisation", ``, `<TextIndexNormalization maxLevenshteinDistance="1"><InlineTable/></TextIndexNormalization>`, "fuzzy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(textDoc(tc.attrs, tc.norms, "x")))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// fullLevenshtein is the textbook dynamic programme, to check the banded one.
func fullLevenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j-1]+cost, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	return d[len(ra)][len(rb)]
}

func TestLevenshteinBandMatchesFull(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	word := func() string {
		b := make([]rune, rng.Intn(9))
		for i := range b {
			b[i] = []rune("abcé")[rng.Intn(4)]
		}
		return string(b)
	}
	for n := 0; n < 5000; n++ {
		a, b, limit := word(), word(), rng.Intn(5)
		want := fullLevenshtein(a, b)
		if want > limit {
			want = -1
		}
		if got := levenshtein(a, b, limit); got != want {
			t.Fatalf("levenshtein(%q, %q, %d) = %d, want %d", a, b, limit, got, want)
		}
	}
}
