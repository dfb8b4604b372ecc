package storetest

import (
	"context"
	"testing"

	"spektrum/internal/store"
)

// testCards checks listings for cards (ArticleQuery.Cards,
// TranslationCardsIn): the same articles and fields as without, but no
// HTML, and the text only where the lead is blank, since a card shows the
// start of the text then.
func testCards(t *testing.T, s store.Store) {
	ctx := context.Background()
	src := newSource(t, s, "https://example.com/cards")
	lead := article(src.ID, 1)
	lead.Summary = "A lead of its own."
	upsert(t, s, lead, store.Created)
	blank := article(src.ID, 2) // no lead: the card shows the text
	blank.Summary = " \n "
	upsert(t, s, blank, store.Created)
	corrected := article(src.ID, 3) // no lead from the source, one from an editor
	upsert(t, s, corrected, store.Created)
	editorLead := "An editor's lead."
	if err := s.CorrectArticle(ctx, corrected.ID, store.ArticleCorrection{Summary: &editorLead}); err != nil {
		t.Fatalf("CorrectArticle: %v", err)
	}

	full, err := s.Articles(ctx, store.ArticleQuery{SourceID: src.ID})
	if err != nil {
		t.Fatalf("Articles: %v", err)
	}
	cards, err := s.Articles(ctx, store.ArticleQuery{SourceID: src.ID, Cards: true})
	if err != nil {
		t.Fatalf("Articles (cards): %v", err)
	}
	if len(full.Articles) != 3 || len(cards.Articles) != 3 {
		t.Fatalf("Articles = %d, cards %d; want 3 each", len(full.Articles), len(cards.Articles))
	}
	for i := range full.Articles {
		want, got := full.Articles[i], cards.Articles[i]
		if got.HTML != "" {
			t.Errorf("card of article %d has HTML %q, want none", got.ID, got.HTML)
		}
		wantText := ""
		if got.ID == blank.ID {
			wantText = blank.Text
		}
		if got.Text != wantText {
			t.Errorf("card of article %d: Text = %q, want %q", got.ID, got.Text, wantText)
		}
		want.HTML, want.Text = got.HTML, got.Text
		if want.ID != got.ID || want.Title != got.Title || want.Summary != got.Summary || want.ContentHash != got.ContentHash ||
			want.SummaryCorrected != got.SummaryCorrected || !want.PublishedAt.Equal(got.PublishedAt) || want.SourceName != got.SourceName {
			t.Errorf("card %+v\ndiffers from the article %+v beyond HTML and text", got, want)
		}
	}
	if got := cards.Articles[2]; got.ID != corrected.ID || got.Summary != editorLead || got.Text != "" {
		t.Errorf("oldest card = %+v; want the corrected article with the editor's lead and no text", got)
	}
	ed, err := s.EditionArticles(ctx, "en", store.ArticleQuery{SourceID: src.ID, Cards: true, Limit: 1})
	if err != nil || len(ed.Articles) != 1 || ed.Articles[0].HTML != "" || ed.NextCursor == "" {
		t.Fatalf("EditionArticles (cards) = %+v, %v; want one card without HTML and a next page", ed, err)
	}

	for _, tr := range []*store.Translation{
		{ArticleID: lead.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone, Title: "Eins",
			Summary: "Ein Vorspann.", HTML: "<p>Text eins</p>", Text: "Text eins", Provider: "apertium", ContentHash: lead.ContentHash},
		{ArticleID: blank.ID, Language: "de", SourceLanguage: "en", Status: store.TranslationDone, Title: "Zwei",
			HTML: "<p>Text zwei</p>", Text: "Text zwei", Provider: "apertium", ContentHash: blank.ContentHash},
	} {
		if err := s.PutTranslation(ctx, tr); err != nil {
			t.Fatalf("PutTranslation: %v", err)
		}
	}
	all := []int64{lead.ID, blank.ID, corrected.ID}
	fullTr, err := s.TranslationsIn(ctx, "de", all)
	if err != nil {
		t.Fatalf("TranslationsIn: %v", err)
	}
	cardTr, err := s.TranslationCardsIn(ctx, "de", all)
	if err != nil {
		t.Fatalf("TranslationCardsIn: %v", err)
	}
	if len(fullTr) != 2 || len(cardTr) != 2 {
		t.Fatalf("TranslationsIn = %d rows, cards %d; want 2 each", len(fullTr), len(cardTr))
	}
	if got := cardTr[lead.ID]; got.HTML != "" || got.Text != "" || got.Summary != "Ein Vorspann." || got.Title != "Eins" ||
		got.Status != store.TranslationDone || got.ContentHash != lead.ContentHash || got.Provider != "apertium" {
		t.Errorf("card translation with a lead = %+v; want its row without HTML and text", got)
	}
	if got := cardTr[blank.ID]; got.HTML != "" || got.Text != "Text zwei" || got.Title != "Zwei" {
		t.Errorf("card translation without a lead = %+v; want its row with the text and without HTML", got)
	}
}
