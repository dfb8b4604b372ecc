package story

import "math"

// Signature is a MinHash sketch of a text's word 3-shingles: for each of
// SignatureSize salted hash functions, the smallest hash over the
// shingles. The share of positions two signatures agree on estimates the
// Jaccard similarity of their shingle sets (Broder, 1997). It is chosen
// over a 64-bit SimHash because news texts are short: on a 250-word wire
// copy with a changed word and an added credit line SimHash drifted 5 bits,
// past its usual 3-bit threshold, while MinHash's estimate stays within a
// few hundredths of the true overlap.
type Signature []uint32

// SignatureSize is the number of hash functions: the estimate's standard
// error is at most 1/(2·√64) = 0.0625.
const SignatureSize = 64

// NearDuplicateSimilarity is the estimated shingle overlap from which two
// texts count as one copy: a wire story with a new headline, a byline or a
// footer keeps most of its shingles, while two reports of one event written
// apart share almost none.
const NearDuplicateSimilarity = 0.5

// maxSignatureText is how much of a text its signature reads.
const maxSignatureText = 64 << 10

// minShingleWords is the fewest words a text needs for a signature that
// means anything: shorter texts (a teaser, a photo caption) are too alike.
const minShingleWords = 25

// TextSignature returns text's MinHash signature, and false when the text
// is too short to tell copies from texts that merely share a topic.
func TextSignature(text string) (Signature, bool) {
	// A copy shows in its first pages as well as in all of it; reading at
	// most maxSignatureText bytes bounds the work on a huge text.
	ws := words(lead(text, maxSignatureText))
	if len(ws) < minShingleWords {
		return nil, false
	}
	sig := make(Signature, SignatureSize)
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	for i := 0; i+3 <= len(ws); i++ {
		h := hash(ws[i].text + " " + ws[i+1].text + " " + ws[i+2].text)
		for k := range sig {
			// Salted variants of one 64-bit hash (Kirsch–Mitzenmacher style).
			v := uint32((h + uint64(k)*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9 >> 32)
			if v < sig[k] {
				sig[k] = v
			}
		}
	}
	return sig, true
}

// Similarity estimates the Jaccard similarity of the texts behind a and b.
func (a Signature) Similarity(b Signature) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}

// NearDuplicate reports whether a and b are signatures of one copy.
func (a Signature) NearDuplicate(b Signature) bool { return a.Similarity(b) >= NearDuplicateSimilarity }

// Bands are locality-sensitive keys of a signature: 16 bands of 4
// positions each, hashed. Texts with overlap 0.5 share a band with
// probability 1-(1-0.5⁴)¹⁶ ≈ 0.64, with overlap 0.8 ≈ 0.9998, with 0.1
// ≈ 0.002: a store finds near-duplicate candidates with indexed equality
// lookups and confirms them with Similarity.
func (a Signature) Bands() []uint64 {
	const rows = 4
	out := make([]uint64, 0, len(a)/rows)
	for i := 0; i+rows <= len(a); i += rows {
		var h uint64 = 1469598103934665603
		for _, v := range a[i : i+rows] {
			h = (h ^ uint64(v)) * 1099511628211
		}
		out = append(out, h^uint64(i))
	}
	return out
}
