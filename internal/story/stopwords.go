package story

import "strings"

// stopwords are the function words of the edition languages (folded). They
// say nothing about which event a text reports, and left in they make every
// text of one language look alike, which is the opposite of what a story
// across languages needs.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []string{
		// en
		`a an and are as at be been but by can could did do does for from had has have he her his how i if in into is it
		its just may more most new no not now of on one or our out over says said she so some than that the their them
		then there these they this to up us was we were what when where which who will with would you after before about
		amid against as also off via vs`,
		// de
		`aber als am an auch auf aus bei bin bis da dann das dass dem den der des die doch dort du durch ein eine einem
		einen einer eines er es für hat hatte ich ihr im in ist ja kein mit nach nicht noch nur ob oder sein sich sie
		sind so über um und uns vom von vor war was weil wenn wer wie wir wird zu zum zur`,
		// fr
		`au aux avec ce ces cette dans de des du elle en est et il ils la le les leur lui mais ne nous on ou par pas
		plus pour qu que qui sa se ses son sont sur un une vous y apres selon contre`,
		// es
		`al como con de del el ella en entre es esta este fue ha han la las le les lo los mas no o para pero por que se
		sin sobre su sus un una y ya tras segun contra`,
		// it
		`ai al alla alle che con da dal dei del della di e gli ha il in la le nel nella non per piu si sono su tra un una
		uno dopo contro`,
		// pl
		`a aby ale bez by do i jak jest ich jej juz na nie o od po pod przez przy sie ta te to w we z za ze oraz po`,
	} {
		for _, w := range strings.Fields(list) {
			m[fold(w)] = true
		}
	}
	return m
}()
