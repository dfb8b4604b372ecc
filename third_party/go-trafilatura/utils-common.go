// This file is part of go-trafilatura, Go package for extracting readable
// content, comments and metadata from a web page. Source available in
// <https://github.com/markusmobius/go-trafilatura>.
//
// Copyright (C) 2021 Markus Mobius
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package trafilatura

import (
	"mime"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// trim removes unnecessary spaces within a text string.
//
// spektrum: it returns what strings.Join(strings.Fields(s), " ") returns
// (trimReference), in one pass, and s itself when that is s; Fields sent
// every text with a non-ASCII letter down its rune by rune path and built
// a slice of its words, on texts as long as the page's (5% of a page's
// ingest CPU).
func trim(s string) string {
	// Find the first place where s is not already its own answer: a
	// leading space, a space other than ' ', two spaces in a row, or a
	// trailing space.
	i, prevSpace := 0, true
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] != 0 {
				if prevSpace || c != ' ' {
					break
				}
				prevSpace = true
			} else {
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			break
		}
		prevSpace = false
		i += size
	}
	if i == len(s) {
		if prevSpace && len(s) > 0 {
			return s[:len(s)-1] // one trailing ' '
		}
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	if i > 0 && s[i-1] == ' ' {
		i-- // the run of white space starts at that ' '
	}
	b.WriteString(s[:i])
	word := -1 // where the word being read began, -1 between words
	for i < len(s) {
		c := s[i]
		size := 1
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c] != 0
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		switch {
		case space && word >= 0:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[word:i])
			word = -1
		case !space && word < 0:
			word = i
		}
		i += size
	}
	if word >= 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[word:])
	}
	return b.String()
}

// asciiSpace is strings.Fields' own table of ASCII white space.
var asciiSpace = [256]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// trimReference is trim as released (spektrum: the tests' reference).
func trimReference(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimSpace(s)
}

func strWordCount(s string) int {
	return len(strings.Fields(s))
}

func strOr(args ...string) string {
	for i := 0; i < len(args); i++ {
		if args[i] != "" {
			return args[i]
		}
	}
	return ""
}

func strIn(s string, args ...string) bool {
	for i := 0; i < len(args); i++ {
		if args[i] == s {
			return true
		}
	}
	return false
}

func isImageFile(imageSrc string) bool {
	if imageSrc == "" {
		return false
	}

	ext := filepath.Ext(imageSrc)
	mimeType := mime.TypeByExtension(ext)
	return strings.HasPrefix(mimeType, "image")
}

func uniquifyLists(currents ...string) []string {
	var finalTags []string
	tracker := map[string]struct{}{}

	for _, current := range currents {
		separator := ","
		if strings.Count(current, ";") > strings.Count(current, ",") {
			separator = ";"
		}

		for _, entry := range strings.Split(current, separator) {
			entry = trim(entry)
			entry = strings.ReplaceAll(entry, `"`, "")
			entry = strings.ReplaceAll(entry, `'`, "")

			if _, tracked := tracker[entry]; entry != "" && !tracked {
				finalTags = append(finalTags, entry)
				tracker[entry] = struct{}{}
			}
		}
	}

	return finalTags
}
