package feed

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// hostileSize is the fetcher's body limit: the most a source can hand us.
const hostileSize = 20 << 20

// memoryBudget is the stated bound (see the package doc): what parsing one
// body may cost on top of the body itself.
const memoryBudget = 100 << 20

// boundBudget is the peak heap the costliest bodies the bounds accept may
// reach: 20 MB of real-looking content, held as decoded strings while
// gofeed builds its items, plus garbage the collector has not reached yet
// (its pacing varies with load and the race detector; 85–113 MB measured).
const boundBudget = 128 << 20

// repeatTo returns head + unit×n + tail×n + foot with n chosen so the whole
// is about size bytes.
func repeatTo(size int, head, unit, tail, foot string) []byte {
	n := (size - len(head) - len(foot)) / (len(unit) + len(tail))
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(head)
	b.WriteString(strings.Repeat(unit, n))
	b.WriteString(strings.Repeat(tail, n))
	b.WriteString(foot)
	return b.Bytes()
}

// hostileBodies are the attacks of issue 13 and what else makes gofeed or
// encoding/xml cost far more than a body's size, each about size bytes.
// The bound refuses every one of them.
func hostileBodies(size int) map[string]func() []byte {
	const rss = `<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><title>t</title><item><title>i</title><link>https://example.com/a</link>`
	const rssEnd = `</item></channel></rss>`
	const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x"><title>t</title><entry><id>1</id><title>e</title>`
	const jf = `{"version":"https://jsonfeed.org/version/1.1","title":"t",`
	lorem := func(n int) string { return strings.Repeat(`<p>Lorem ipsum dolor sit amet.</p>`, n/34) }
	return map[string]func() []byte{
		"rss nested extension":   func() []byte { return repeatTo(size, rss, `<x:a>`, `</x:a>`, rssEnd) },
		"rss sibling extensions": func() []byte { return repeatTo(size, rss, `<x:a/>`, ``, rssEnd) },
		"atom nested extension":  func() []byte { return repeatTo(size, atom, `<x:a>`, `</x:a>`, `</entry></feed>`) },
		"atom sibling entries": func() []byte {
			return repeatTo(size, `<feed xmlns="http://www.w3.org/2005/Atom">`, `<entry/>`, ``, `</feed>`)
		},
		"rss sibling items": func() []byte {
			return repeatTo(size, `<rss version="2.0"><channel>`, `<item/>`, ``, `</channel></rss>`)
		},
		"rss attributes": func() []byte { return repeatTo(size, rss+`<x:a`, ` b=""`, ``, `/>`+rssEnd) },
		"rss namespaces": func() []byte {
			var ns strings.Builder
			for i := range 5000 {
				fmt.Fprintf(&ns, ` xmlns:p%d="urn:%d"`, i, i)
			}
			return repeatTo(size, `<rss version="2.0"`+ns.String()+`><channel>`, `<item/>`, ``, `</channel></rss>`)
		},
		"rss nested namespaces": func() []byte { return repeatTo(size, rss, `<x:a xmlns:y="urn:y">`, `</x:a>`, rssEnd) },
		"rss one huge text": func() []byte {
			return []byte(rss + `<description><![CDATA[` + lorem(size) + `]]></description>` + rssEnd)
		},
		"rss text with children": func() []byte {
			return []byte(rss + `<description>` + strings.Repeat(`<![CDATA[`+lorem(size/6)+`]]><x/>`, 5) + `</description>` + rssEnd)
		},
		// NUL bytes past the first kilobyte, which the binary check reads.
		"rss utf-16 switch": func() []byte {
			return repeatTo(size, `<rss><?xml version="1.0" encoding="utf-16"?>`+strings.Repeat(" ", 2048), "<\x00a\x00>\x00", "", ``)
		},
		"sitemap nested": func() []byte {
			return repeatTo(size, `<urlset><url><loc>https://example.com/a</loc>`, `<a>`, `</a>`, `</url></urlset>`)
		},
		"sitemap nested url": func() []byte { return repeatTo(size, `<urlset>`, `<url>`, `</url>`, `</urlset>`) },
		"sitemap siblings":   func() []byte { return repeatTo(size, `<urlset>`, `<a/>`, ``, `</urlset>`) },
		"sitemap images": func() []byte {
			return repeatTo(size, `<urlset><url><loc>https://example.com/a</loc>`, `<image><loc>https://example.com/i.jpg</loc></image>`, ``, `</url></urlset>`)
		},
		"sitemap attributes": func() []byte {
			return repeatTo(size, `<urlset><url`, ` b=""`, ``, `><loc>https://example.com/a</loc></url></urlset>`)
		},
		"sitemap huge loc": func() []byte {
			return repeatTo(size, `<urlset><url><loc>https://example.com/`, `a`, ``, `</loc></url></urlset>`)
		},
		"sitemapindex nested": func() []byte {
			return repeatTo(size, `<sitemapindex><sitemap><loc>https://example.com/a</loc>`, `<a>`, `</a>`, `</sitemap></sitemapindex>`)
		},
		"json feed items":       func() []byte { return repeatTo(size, jf+`"items":[{}`, `,{}`, ``, `]}`) },
		"json feed nested":      func() []byte { return repeatTo(size, jf+`"_x":`, `[`, `]`, `}`) },
		"json feed attachments": func() []byte { return repeatTo(size, jf+`"items":[{"id":"1","attachments":[{}`, `,{}`, ``, `]}]}`) },
		"json feed numbers":     func() []byte { return repeatTo(size, jf+`"items":[{"id":1}],"_x":[1`, `,1`, ``, `]}`) },
		"json feed huge string": func() []byte {
			return []byte(jf + `"items":[{"id":"1","content_html":"` + strings.Repeat("x", size) + `"}]}`)
		},
	}
}

// boundBodies are the costliest bodies the bound lets through: each shape
// at its limit, and real big feeds and sitemaps.
func boundBodies() map[string]func() []byte {
	const rss = `<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><title>t</title><item><title>i</title><link>https://example.com/a</link>`
	const rssEnd = `</item></channel></rss>`
	const n = 59900 // elements, just under the feed bound
	lorem := func(n int) string { return strings.Repeat(`<p>Lorem ipsum dolor sit amet.</p>`, n/34) }
	return map[string]func() []byte{
		"rss items": func() []byte {
			return []byte(`<rss version="2.0"><channel>` + strings.Repeat(`<item/>`, n) + `</channel></rss>`)
		},
		"atom entries": func() []byte {
			return []byte(`<feed xmlns="http://www.w3.org/2005/Atom">` + strings.Repeat(`<entry/>`, n) + `</feed>`)
		},
		"rss ext siblings": func() []byte { return []byte(rss + strings.Repeat(`<x:a/>`, n) + rssEnd) },
		"rss ext nested": func() []byte {
			return []byte(rss + strings.Repeat(strings.Repeat(`<x:a>`, 90)+strings.Repeat(`</x:a>`, 90), n/90) + rssEnd)
		},
		"rss ext attributes": func() []byte {
			var el strings.Builder
			el.WriteString(`<x:a`)
			for i := range 255 {
				fmt.Fprintf(&el, ` a%d=""`, i)
			}
			el.WriteString(`/>`)
			return []byte(rss + strings.Repeat(el.String(), 470) + rssEnd)
		},
		"rss namespaces": func() []byte {
			var ns strings.Builder
			for i := range 31 {
				fmt.Fprintf(&ns, ` xmlns:p%d="urn:%d"`, i, i)
			}
			return []byte(`<rss version="2.0"` + ns.String() + `><channel>` + strings.Repeat(`<item/>`, n) + `</channel></rss>`)
		},
		"rss 5 contents of 4 MB": func() []byte {
			it := `<item><title>i</title><content:encoded><![CDATA[` + lorem(4000000) + `]]></content:encoded></item>`
			return []byte(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>` + strings.Repeat(it, 5) + `</channel></rss>`)
		},
		"rss 100 full items": func() []byte {
			var b strings.Builder
			b.WriteString(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>`)
			for i := range 100 {
				fmt.Fprintf(&b, `<item><title>Item %d</title><link>https://example.com/%d</link><guid>https://example.com/%d</guid><dc:creator>A</dc:creator><category>c</category><media:content url="https://example.com/%d.jpg" medium="image" width="1200"/><description>d</description><content:encoded><![CDATA[%s]]></content:encoded></item>`, i, i, i, i, lorem(150000))
			}
			b.WriteString(`</channel></rss>`)
			return []byte(b.String())
		},
		"json items": func() []byte {
			return []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{}` + strings.Repeat(`,{}`, n-10) + `]}`)
		},
		"json 5 contents of 4 MB": func() []byte {
			it := `{"id":"1","content_html":"` + strings.Repeat(`<p>Lorem ipsum dolor sit amet.<\/p>`, 4000000/36) + `"}`
			return []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[` + strings.Repeat(it+",", 4) + it + `]}`)
		},
		"sitemap siblings": func() []byte { return []byte(`<urlset>` + strings.Repeat(`<a/>`, 499990) + `</urlset>`) },
		"sitemap 50,000 URLs": func() []byte {
			var b strings.Builder
			b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">`)
			for i := range 50000 {
				fmt.Fprintf(&b, `<url><loc>https://www.example.com/news/2024/section/some-long-article-slug-%d.html</loc><lastmod>2024-05-01T10:00:00+02:00</lastmod><image:image><image:loc>https://img.example.com/%d.jpg</image:loc></image:image></url>`, i, i)
			}
			b.WriteString(`</urlset>`)
			return []byte(b.String())
		},
	}
}

// heapInUse reads what runtime.MemStats calls HeapInuse without stopping
// the world, so it can be sampled often.
func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// measure runs fn and returns the bytes it allocated in total and the peak
// heap in use above what was in use before, sampled every millisecond.
// TotalAlloc is an upper bound of the peak that no sampling can miss.
func measure(fn func()) (total, peak uint64) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := heapInUse(samples)
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		own := []metrics.Sample{{Name: samples[0].Name}, {Name: samples[1].Name}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var high uint64
		for {
			select {
			case <-stop:
				done <- high
				return
			case <-tick.C:
				high = max(high, heapInUse(own))
			}
		}
	}()
	fn()
	end := heapInUse(samples)
	close(stop)
	high := max(<-done, end)
	runtime.ReadMemStats(&after)
	if high > base {
		peak = high - base
	}
	return after.TotalAlloc - before.TotalAlloc, peak
}

// TestHostileFeedMemory is issue 13's attack: a 20 MB feed or sitemap built
// to make the parser's memory explode is refused by the bound having cost
// next to nothing, and the costliest bodies the bound lets through stay
// within memoryBudget. Peak heap is sampled; total allocation is the upper
// bound no sampling can miss, and a ceiling on the garbage a body can make.
func TestHostileFeedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 20 MB bodies")
	}
	for name, gen := range hostileBodies(hostileSize) {
		t.Run("hostile/"+name, func(t *testing.T) {
			body := gen()
			var err error
			total, peak := measure(func() { _, err = Parse(body, "https://example.com/feed") })
			t.Logf("%d bytes: allocated %.1f MB, peak heap +%.1f MB: %v", len(body), mb(total), mb(peak), err)
			if !errors.Is(err, ErrTooComplex) {
				t.Errorf("got %v, want ErrTooComplex", err)
			}
			if total > memoryBudget {
				t.Errorf("allocated %.1f MB, over the %.0f MB budget", mb(total), mb(memoryBudget))
			}
		})
	}
	for name, gen := range boundBodies() {
		t.Run("at the bound/"+name, func(t *testing.T) {
			body := gen()
			var err error
			total, peak := measure(func() { _, err = Parse(body, "https://example.com/feed") })
			t.Logf("%d bytes: allocated %.1f MB, peak heap +%.1f MB", len(body), mb(total), mb(peak))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if peak > boundBudget {
				t.Errorf("peak heap +%.1f MB, over the %.0f MB budget", mb(peak), mb(boundBudget))
			}
			// Garbage, mostly gofeed copying the namespace map for every
			// element; the collector reclaims it as it goes.
			if total > 4*memoryBudget {
				t.Errorf("allocated %.1f MB in total, over four times the budget", mb(total))
			}
		})
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
