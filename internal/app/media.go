package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"spektrum/internal/fetch"
	"spektrum/internal/media"
	"spektrum/internal/version"
)

// Media builds this node's image proxy. Its signing key comes from
// --secret when set (derived, so the newsletter's key is not reused as is),
// else from a secret generated once and kept in the database, so every
// node of a site signs alike and URLs stay valid across restarts.
func (a *App) Media(ctx context.Context) (*media.Proxy, error) {
	var key []byte
	if a.Cfg.Secret != "" {
		m := hmac.New(sha256.New, []byte(a.Cfg.Secret))
		m.Write([]byte("spektrum media proxy"))
		key = m.Sum(nil)
	} else {
		s, err := a.Store.Secret(ctx, "media", func() (string, error) {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return "", err
			}
			return hex.EncodeToString(b), nil
		})
		if err != nil {
			return nil, fmt.Errorf("media proxy: signing secret: %w", err)
		}
		key = []byte(s)
	}
	sign, err := media.NewSigner(key)
	if err != nil {
		return nil, err
	}
	ua := a.Cfg.UserAgent
	if ua == "" {
		ua = version.UserAgent()
	}
	// A client of its own: images are fetched while a reader waits, so
	// without the crawler's per-host pacing (a page's pictures often share
	// one host), and with the image size limit.
	fc := fetch.New(fetch.Options{
		UserAgent:            ua,
		AllowPrivateNetworks: a.Cfg.AllowPrivateNetworks,
		Timeout:              a.Cfg.FetchTimeout,
		MaxBytes:             a.Cfg.MediaMaxBytes,
		PerHostConcurrency:   4,
		PerHostDelay:         -1,
	})
	return media.New(sign, fc, media.Options{CacheDir: a.Cfg.MediaCacheDir, CacheBytes: a.Cfg.MediaCacheBytes,
		MaxPixels: a.Cfg.MediaMaxPixels, Logger: a.Logger})
}
