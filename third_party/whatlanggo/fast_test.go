package whatlanggo

import (
	"encoding/json"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// TestFastIsReference holds the fork's Detect to the released algorithm on
// the examples in every script, on their mixtures and cuts, and on random
// runes from the scripts' ranges.
func TestFastIsReference(t *testing.T) {
	data, err := os.ReadFile("testdata/examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var examples map[string]string
	if err := json.Unmarshal(data, &examples); err != nil {
		t.Fatal(err)
	}
	texts := []string{"", " ", "a", ",", "-a-", "yes", "Give - IT...", "\xff\xfe", "日本語のテキストと漢字", "ab\x00cd"}
	all := ""
	for _, text := range examples {
		texts = append(texts, text, strings.ToUpper(text), text[:len(text)/3])
		all += text + " "
	}
	texts = append(texts, all)
	rnd := rand.New(rand.NewSource(1))
	pool := []rune(all + "0123456789 .,;:!?-\n\tÀÉÎÕÜßẞİıǅ\u0301\u0323’“”—…€\u2028\u20cf\u20d0")
	for range 2000 {
		var b strings.Builder
		for range rnd.Intn(200) {
			b.WriteRune(pool[rnd.Intn(len(pool))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		if got, want := Detect(text), DetectReference(text); got != want {
			t.Fatalf("Detect(%q) = %+v, the released algorithm gives %+v", text, got, want)
		}
		if got, want := detectScriptFast(text), DetectScript(text); got != want {
			t.Fatalf("detectScriptFast(%q) = %v, DetectScript gives %v", text, Scripts[got], Scripts[want])
		}
	}
}

// TestProfileIndexSkipsShortTrigrams: a profile entry of other than three
// runes can never match (count makes three-rune keys), but keeps its place.
func TestProfileIndexSkipsShortTrigrams(t *testing.T) {
	px := newProfileIndex(langProfileList{Eng: {"ab", "abc", "xyz"}})
	if got := px.entries[Eng]; len(got) != 3 || got[0] != -1 || got[1] != 0 || got[2] != 1 {
		t.Fatalf("entries = %v, want [-1 0 1]", got)
	}
}

func BenchmarkDetect(b *testing.B) {
	text := strings.Repeat("Showing that even in the modern warfare of the 1930s and 1940s, the dilapidated fortifications still had defensive usefulness. ", 40)
	b.Run("fork", func(b *testing.B) {
		for b.Loop() {
			Detect(text)
		}
	})
	b.Run("released", func(b *testing.B) {
		for b.Loop() {
			DetectReference(text)
		}
	})
}
