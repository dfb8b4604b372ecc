package pipeline

import (
	"context"
	"sync"

	"spektrum/internal/extract"
)

// Limits of the per-site template memory.
const (
	// learnPages: a site's template shows after a handful of its pages;
	// learning stops there, so a profile's memory stays small (about 50
	// blocks a page) however long the process runs.
	learnPages = 20
	// maxProfiledSites bounds the number of sites remembered; sites past it
	// are extracted without a profile.
	maxProfiledSites = 2000
)

// siteProfiles holds, per site, the template learned from the pages this
// process has extracted: blocks that repeat across a site's stories are its
// chrome ("About us", the newsletter pitch, a standing author bio), whatever
// its markup or language. Profiles live in memory and are rebuilt after a
// restart from the next pages fetched.
type siteProfiles struct {
	mu    sync.Mutex
	sites map[string]*siteProfile
}

type siteProfile struct {
	// mu: extractions share the profile (read); learning takes it alone.
	mu      sync.RWMutex
	profile *extract.SiteProfile
	learned map[string]bool // page URLs already learned, so a retry is not counted twice
}

func newSiteProfiles() *siteProfiles {
	return &siteProfiles{sites: map[string]*siteProfile{}}
}

// get returns the profile of the site key names, or nil when too many sites
// are already remembered.
func (s *siteProfiles) get(key string) *siteProfile {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.sites[key]
	if !ok {
		if len(s.sites) >= maxProfiledSites {
			return nil
		}
		sp = &siteProfile{profile: extract.NewSiteProfile(), learned: map[string]bool{}}
		s.sites[key] = sp
	}
	return sp
}

// extract extracts page with its site's profile, then learns the page for
// the site's next ones.
func (p *Pipeline) extract(ctx context.Context, page []byte, pageURL string) (*extract.Article, error) {
	sp := p.sites.get(extract.SiteKey(pageURL))
	if sp == nil {
		return p.ex.Extract(ctx, page, pageURL)
	}
	// While the site is being learned, the extraction reads the page's
	// blocks for the profile from the tree it parses (one parse, not two).
	sp.mu.RLock()
	learn := sp.profile.Pages() < learnPages && !sp.learned[pageURL]
	a, blocks, err := p.ex.ExtractLearning(ctx, page, pageURL, sp.profile, learn)
	sp.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if learn {
		sp.mu.Lock()
		if sp.profile.Pages() < learnPages && !sp.learned[pageURL] {
			sp.profile.LearnBlocks(blocks)
			sp.learned[pageURL] = true
		}
		sp.mu.Unlock()
	}
	return a, nil
}
