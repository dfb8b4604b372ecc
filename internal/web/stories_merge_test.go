package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"spektrum/internal/pagecache"
	"spektrum/internal/store"
	"spektrum/internal/store/sqlite/sqlitetest"
)

// When the story step finds that two stories are one and merges them,
// everything a reader reaches follows, through the page cache: the merged
// story's page and API answer redirect to the story it joined, the
// article pages link there with the new counts, the front page's Top
// stories and the stories API list it once with every article.
func TestMergedStoryFollowsEverywhere(t *testing.T) {
	ctx := context.Background()
	s := newCachedSite(t, sqlitetest.Open(t), true, pagecache.Options{Poll: time.Hour, Stale: time.Hour})
	// Two stories of two sources each (the fixture alternates sources).
	pair := func(i int) []store.Article {
		a, b := s.visible[i], s.visible[i+1]
		if a.SourceID == b.SourceID {
			t.Fatalf("articles %d and %d share a source", a.ID, b.ID)
		}
		return []store.Article{a, b}
	}
	keepArts, goneArts := pair(2), pair(4)
	var keep, gone int64
	if err := s.st.InStoryTx(ctx, func(tx store.StoryTx) error {
		for _, g := range []struct {
			id   *int64
			arts []store.Article
		}{{&keep, keepArts}, {&gone, goneArts}} {
			c := &store.StoryCentroid{Vector: map[uint64]float64{1: 1}, Size: 2, Last: s.now}
			if err := tx.CreateStory(ctx, c); err != nil {
				return err
			}
			*g.id = c.ID
			for _, a := range g.arts {
				if err := tx.SetArticleStory(ctx, a.ID, c.ID); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	keepPath, gonePath := fmt.Sprintf("/en/story/%d", keep), fmt.Sprintf("/en/story/%d", gone)
	goneArticle := enArticle(&goneArts[0])
	// Every page in the cache before the merge.
	if !strings.Contains(s.cachedPage(t, goneArticle), `href="`+gonePath+`"`) {
		t.Fatal("before the merge the article page does not link to its story")
	}
	s.cachedPage(t, gonePath)
	s.cachedPage(t, "/en/")
	s.cachedPage(t, fmt.Sprintf("/api/v1/stories/%d?lang=en", gone))
	s.cachedPage(t, "/api/v1/stories")

	if err := s.st.InStoryTx(ctx, func(tx store.StoryTx) error { return tx.MergeStory(ctx, gone, keep) }); err != nil {
		t.Fatal(err)
	}
	s.renew(t)
	if r := s.mustGet(t, gonePath, http.StatusMovedPermanently); r.Header.Get("Location") != keepPath {
		t.Errorf("%s redirects to %q, want %s", gonePath, r.Header.Get("Location"), keepPath)
	}
	api := fmt.Sprintf("/api/v1/stories/%d?lang=en", gone)
	if r := s.mustGet(t, api, http.StatusMovedPermanently); r.Header.Get("Location") != fmt.Sprintf("/api/v1/stories/%d?lang=en", keep) {
		t.Errorf("%s redirects to %q", api, r.Header.Get("Location"))
	}
	page := s.cachedPage(t, goneArticle)
	if strings.Contains(page, `href="`+gonePath+`"`) || !strings.Contains(page, `href="`+keepPath+`"`) {
		t.Errorf("the article page does not link to the story it now is in (%s)", keepPath)
	}
	story := s.cachedPage(t, keepPath)
	if n := strings.Count(story, `class="timeline-item`); n != 4 {
		t.Errorf("the story page lists %d articles, want 4", n)
	}
	front := s.cachedPage(t, "/en/")
	if strings.Contains(front, `href="`+gonePath+`"`) || !strings.Contains(front, `href="`+keepPath+`"`) {
		t.Error("the front page's Top stories do not show the merged story alone")
	}
	var list struct {
		Stories []struct {
			ID           int64 `json:"id"`
			ArticleCount int   `json:"article_count"`
			SourceCount  int   `json:"source_count"`
		} `json:"stories"`
	}
	if err := json.Unmarshal([]byte(s.cachedPage(t, "/api/v1/stories")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Stories) != 1 || list.Stories[0].ID != keep || list.Stories[0].ArticleCount != 4 || list.Stories[0].SourceCount != 2 {
		t.Errorf("stories API = %+v, want story %d alone with 4 articles of 2 sources", list.Stories, keep)
	}
}
