package story

import (
	"math"
	"time"
)

// RankHalfLife is how long a story takes to lose half its weight on the
// front page.
const RankHalfLife = 12 * time.Hour

// Rank orders stories for the front page by coverage and recency:
//
//	rank = sources × 2^(−age / RankHalfLife)
//
// where sources is the number of distinct sources that covered the story
// and age the time since its newest article (never negative). Coverage
// counts sources, not articles, so one outlet's follow-ups do not lift a
// story; the decay halves the weight every twelve hours, so a story
// covered by ten sources half a day ago ranks with one covered by five
// now, and yesterday's biggest story gives way by morning.
func Rank(sources int, newest, now time.Time) float64 {
	age := now.Sub(newest)
	if age < 0 {
		age = 0
	}
	return float64(sources) * math.Exp2(-float64(age)/float64(RankHalfLife))
}
