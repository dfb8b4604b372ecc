package search

import "strings"

// stopwords are each language's most frequent function words, folded as
// terms are (no accents). They match almost every article, so they are
// neither indexed nor searched: a query of stop words only finds nothing,
// and a phrase skips them on both sides alike. The lists are short on
// purpose; a word that carries meaning in a headline ("new", "neu") stays.
var stopwords = func() map[string]map[string]bool {
	lists := map[string]string{
		"en": `a an and are as at be been but by did do does for from had has have he her hers him his i if in into is
			it its me my of on or our she so than that the their theirs them then there these they this those to us was we
			were what which who whom why will with would you your`,
		"de": `aber als am an auch auf aus bei bin bis bist da dann das dass dem den der des die dies diese diesem diesen
			dieser dieses doch du durch ein eine einem einen einer eines er es euch euer fur hat hatte hier ich ihm ihn
			ihr ihre im in ist ja jede jedem jeden jeder man mich mir mit nach nicht noch nun nur ob oder ohne sein seine
			sich sie sind so um und uns unser vom von vor war waren was weil welche wenn wer wie wir wird wo zu zum zur
			uber`,
		"fr": `a au aux avec ce ces cet cette d dans de des du elle elles en est et etait etre eu il ils j je l la le
			les leur leurs lui m ma mais me mes moi mon n ne nos notre nous on ont ou par pas pour qu que qui s sa se ses
			son sont sur t ta te tes toi ton tu un une vos votre vous y`,
		"es": `a al algo algunas algunos ante con contra cual de del desde donde durante e el ella ellas ellos en entre
			era eran es esa esas ese eso esos esta estaba estan estas este esto estos fue fueron ha han hay la las le les
			lo los mas me mi mis muy ni no nos o os para pero por que se ser si sin sobre su sus te tu un una unas uno
			unos y ya yo`,
		"it": `a ad agli ai al alla alle allo anche che chi ci come con da dai dal dalla dalle degli dei del della delle
			dello di e ed era gli ha hanno ho i il in io la le lei li lo loro lui ma mi ne nei nel nella nelle noi non o
			per piu quella quelle quello questa queste questo se si sono su sua sue sui sul sulla suo suoi tra tu un una
			uno voi`,
		"pl": `a aby ale bo by byc byl byla byli bylo czy dla do go i ich ja jak jako jej jest jestem jego jednak jesli
			juz ku lub ma mi mnie na nad nam nas nie niz o od oraz po pod przed przez przy sa sie sobie ta tak tam te
			tego tej ten to tu ty tylko w we wiec z za ze zas`,
		"pt": `a ao aos as com da das de do dos e ela elas ele eles em entre era foi ha isso isto ja mais mas na nas
			nao no nos o os ou para pela pelas pelo pelos por que se sem seu seus sua suas um uma umas uns`,
	}
	out := make(map[string]map[string]bool, len(lists))
	for l, list := range lists {
		m := map[string]bool{}
		for _, w := range strings.Fields(list) {
			m[w] = true
		}
		out[l] = m
	}
	return out
}()
