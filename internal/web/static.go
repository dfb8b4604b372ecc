package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

//go:embed templates
var templateFS embed.FS

// staticFiles serves the embedded assets under names carrying a content hash
// (style.3f2a1b9c.css), so they can be cached for a year and a new release
// still reaches every reader at once.
type staticFiles struct {
	byName map[string]staticFile // hashed name → file
	hashed map[string]string     // plain name → hashed name
}

type staticFile struct {
	body        []byte
	contentType string
}

func loadStatic() (*staticFiles, error) {
	sf := &staticFiles{byName: map[string]staticFile{}, hashed: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		ext := path.Ext(name)
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		hashedName := strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		sf.byName[hashedName] = staticFile{body: body, contentType: ct}
		sf.hashed[name] = hashedName
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load embedded static files: %w", err)
	}
	return sf, nil
}

// url is the public path of an embedded asset, used by the templates.
func (sf *staticFiles) url(name string) (string, error) {
	h, ok := sf.hashed[name]
	if !ok {
		return "", fmt.Errorf("no static file %q is embedded in internal/web/static", name)
	}
	return "/static/" + h, nil
}

func (s *server) handleStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static.byName[r.PathValue("name")]
	if !ok {
		s.notFound(w, r)
		return
	}
	send(w, r, http.StatusOK, f.contentType, f.body, publicFor(staticMaxAge)+", immutable")
}
