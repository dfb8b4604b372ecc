package app

import (
	"spektrum/internal/admin"
	"spektrum/internal/newsletter"
	"spektrum/internal/pagecache"
	"spektrum/internal/store"
	"spektrum/internal/web"
)

// The site and the newsletter each declare the few store methods they use;
// the one store app opens must provide them all. These fail the build, not
// a run, when an interface asks for a method the store does not have.
var (
	_ web.Store        = (store.Store)(nil)
	_ web.ViewStore    = (store.Store)(nil)
	_ newsletter.Store = (store.Store)(nil)
	_ pagecache.Store  = (store.Store)(nil)
	_ admin.Store      = (store.Store)(nil)
	_ admin.Purger     = (store.Store)(nil)
)
