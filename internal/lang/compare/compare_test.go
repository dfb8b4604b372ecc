// Package langcompare measures language-identification libraries against
// Spektrum's labelled set (../testdata/labelled.tsv): accuracy on short
// (headline) and long (lead) texts, speed and memory. It is a module of its
// own so that the candidates we did not choose stay out of Spektrum's build.
//
//	cd internal/lang/compare && go test -run TestReport -v && go test -bench . -run '^$'
package langcompare

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	abadojack "github.com/abadojack/whatlanggo"
	"github.com/pemistahl/lingua-go"
)

type sample struct{ lang, class, text string }

func load(t testing.TB) []sample {
	f, err := os.Open("../testdata/labelled.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "\t", 3)
		out = append(out, sample{p[0], p[1], p[2]})
	}
	return out
}

var codes = []string{"en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sv", "da", "fi", "hu", "ro", "tr", "ru", "uk", "bg", "el", "ar", "he", "ja", "zh", "ko", "hi", "id", "ca"}

type detector struct {
	name  string
	build func() func(string) string
}

func linguaBuild(low bool, all bool) func() func(string) string {
	return func() func(string) string {
		var langs []lingua.Language
		for _, c := range codes {
			langs = append(langs, lingua.GetLanguageFromIsoCode639_1(lingua.GetIsoCode639_1FromValue(c)))
		}
		var b lingua.LanguageDetectorBuilder
		if all {
			b = lingua.NewLanguageDetectorBuilder().FromAllLanguages()
		} else {
			b = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...)
		}
		if low {
			b = b.WithLowAccuracyMode()
		}
		d := b.WithPreloadedLanguageModels().Build()
		return func(s string) string {
			l, ok := d.DetectLanguageOf(s)
			if !ok {
				return ""
			}
			return strings.ToLower(l.IsoCode639_1().String())
		}
	}
}

func whatlangBuild() func(string) string {
	return func(s string) string {
		info := abadojack.Detect(s)
		return abadojack.LangToStringShort(info.Lang)
	}
}

func whatlangWhitelist() func(string) string {
	wl := map[abadojack.Lang]bool{}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	for l := range abadojack.Langs {
		if want[abadojack.LangToStringShort(l)] {
			wl[l] = true
		}
	}
	opts := abadojack.Options{Whitelist: wl}
	return func(s string) string {
		return abadojack.LangToStringShort(abadojack.DetectWithOptions(s, opts).Lang)
	}
}

var detectors = []detector{
	{"abadojack/whatlanggo v1.0.1, all 84 languages", func() func(string) string { return whatlangBuild() }},
	{"abadojack/whatlanggo v1.0.1, 27 languages", whatlangWhitelist},
	{"lingua-go v1.4.0, 27 languages, high accuracy", linguaBuild(false, false)},
	{"lingua-go v1.4.0, 27 languages, low accuracy", linguaBuild(true, false)},
	{"lingua-go v1.4.0, all 75 languages, high accuracy", linguaBuild(false, true)},
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestReport(t *testing.T) {
	set := load(t)
	if os.Getenv("DETECTOR") == "" {
		t.Skip("set DETECTOR=0..4 to measure one candidate; see compare.sh")
	}
	fmt.Printf("| library | short correct | long correct | build | µs/text | heap after build |\n|---|---|---|---|---|---|\n")
	for i, d := range detectors {
		// lingua caches models in package state, so each candidate is
		// measured in a process of its own: DETECTOR=i.
		if os.Getenv("DETECTOR") != fmt.Sprint(i) {
			continue
		}
		before := heap()
		start := time.Now()
		detect := d.build()
		build := time.Since(start)
		after := heap()
		var okS, nS, okL, nL int
		var wrong []string
		start = time.Now()
		const rounds = 20
		for r := 0; r < rounds; r++ {
			for _, s := range set {
				got := detect(s.text)
				if r > 0 {
					continue
				}
				if s.class == "short" {
					nS++
				} else {
					nL++
				}
				if got == s.lang {
					if s.class == "short" {
						okS++
					} else {
						okL++
					}
				} else {
					wrong = append(wrong, s.lang+"→"+got)
				}
			}
		}
		per := time.Since(start) / time.Duration(rounds*len(set))
		fmt.Printf("| %s | %d/%d | %d/%d | %s | %.0f | %.1f MB |\n", d.name, okS, nS, okL, nL, build.Round(time.Millisecond), float64(per.Nanoseconds())/1000, float64(after-before)/1e6)
		fmt.Printf("<!-- %s wrong: %v -->\n", d.name, wrong)
		runtime.KeepAlive(detect)
	}
}
