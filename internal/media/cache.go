package media

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// diskCache keeps originals and variants as files named by the hash of
// what they are (URL and width), two hex digits of fan-out. It is per node
// and can be deleted at any time: everything in it is fetched or made
// again on the next request. Several processes may share one directory
// (files are written to a temporary name and renamed into place), but each
// keeps its own count of the size, so the bound is per process.
type diskCache struct {
	dir string
	max int64

	mu       sync.Mutex
	size     int64
	evicting bool
}

// touchAfter: a hit older than this is touched, so eviction of the oldest
// spares what is still read, without a write on every hit.
const touchAfter = time.Hour

func openCache(dir string, max int64) (*diskCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media: create cache directory: %w", err)
	}
	c := &diskCache{dir: dir, max: max}
	files, err := c.list()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		c.size += f.size
	}
	return c, nil
}

func (c *diskCache) path(key string) string { return filepath.Join(c.dir, key[:2], key) }

// get returns the cached bytes of key, or nil.
func (c *diskCache) get(key string) []byte {
	p := c.path(key)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > touchAfter {
		now := time.Now()
		_ = os.Chtimes(p, now, now) // only an eviction hint
	}
	return b
}

// put stores b under key and evicts the oldest files once the cache is
// over its bound.
func (c *diskCache) put(key string, b []byte) error {
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("media: cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("media: cache: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("media: cache: write %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("media: cache: %w", err)
	}
	c.mu.Lock()
	c.size += int64(len(b))
	over := c.size > c.max && !c.evicting
	if over {
		c.evicting = true
	}
	c.mu.Unlock()
	if over {
		err = c.evict()
		c.mu.Lock()
		c.evicting = false
		c.mu.Unlock()
	}
	return err
}

type cacheFile struct {
	path string
	size int64
	mod  time.Time
}

func (c *diskCache) list() ([]cacheFile, error) {
	var out []cacheFile
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed by another process meanwhile
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		out = append(out, cacheFile{p, fi.Size(), fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("media: read cache directory: %w", err)
	}
	return out, nil
}

// evict removes the least recently written (or touched) files until the
// cache is at 90% of its bound, so it does not run again on the next put.
func (c *diskCache) evict() error {
	files, err := c.list()
	if err != nil {
		return err
	}
	slices.SortFunc(files, func(a, b cacheFile) int { return a.mod.Compare(b.mod) })
	var total int64
	for _, f := range files {
		total += f.size
	}
	target := c.max / 10 * 9
	for _, f := range files {
		if total <= target {
			break
		}
		if err := os.Remove(f.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= f.size
		}
	}
	c.mu.Lock()
	c.size = total
	c.mu.Unlock()
	return nil
}
