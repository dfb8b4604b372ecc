package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"spektrum/internal/store/sqlite"
)

// TestPageGenerationTriggersListEveryColumn: SQLite has no whole-row
// comparison, so the update triggers that advance the page generation
// (migration 0027) name each column they compare. A column added later and
// not named there would change pages without a new generation: cached
// copies would outlive the change by up to a minute. This fails until the
// migration that adds it lists it.
func TestPageGenerationTriggersListEveryColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spektrum.db")
	migrated(t, path)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for table, trigger := range map[string]string{
		"articles":     "page_gen_article_update",
		"translations": "page_gen_translation_update",
		"sections":     "page_gen_section_update",
	} {
		var body string
		if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`, trigger).Scan(&body); err != nil {
			t.Fatalf("trigger %s: %v", trigger, err)
		}
		rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var col string
			if err := rows.Scan(&col); err != nil {
				t.Fatal(err)
			}
			n++
			// A section's count moves only with the article writes that
			// bump in the same transaction.
			if table == "sections" && col == "visible_count" {
				continue
			}
			if !strings.Contains(body, "OLD."+col+" IS NOT NEW."+col+"\n") && !strings.Contains(body, "OLD."+col+" IS NOT NEW."+col+" ") {
				t.Errorf("%s does not compare %s.%s: an update of it would not reach cached pages", trigger, table, col)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if n < 4 {
			t.Fatalf("%s: %d columns read", table, n)
		}
	}
}
