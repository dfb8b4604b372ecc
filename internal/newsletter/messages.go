package newsletter

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// messages maps language → key → text for the form, the pages and the mails.
// English is complete and the fallback; an edition language without its own
// entries gets English, and the consent record then says "en", because it
// stores what was actually shown.
type messages map[string]map[string]string

// consentKey is the message key of the consent text. Its version is derived
// from the text, so a change of wording is a new version without anyone
// having to remember to bump a number.
const consentKey = "consent"

func newMessages() messages {
	m := messages{
		"en": {
			consentKey: "We use your sign-up only to send you the newsletter you choose here: its language, sections and " +
				"how often. We don't track opens or clicks and share your address with no one. You can unsubscribe at any " +
				"time, with one click in every mail.",
			"form.heading":         "Get the newsletter",
			"form.email":           "E-mail address",
			"form.frequency":       "How often",
			"form.daily":           "Daily",
			"form.weekly":          "Weekly",
			"form.sections":        "Sections (none ticked: all)",
			"form.allsections":     "all sections",
			"form.submit":          "Subscribe",
			"form.more":            "More options",
			"form.expired":         "The form had expired; please send it again.",
			"page.checkmail":       "Almost done: check your inbox",
			"page.checkmail.p":     "If %s can receive our mail, a message with a confirmation link is on its way. Nothing else is sent until you confirm. The link works for 7 days.",
			"page.confirm":         "Confirm your subscription",
			"page.confirm.p":       "Press the button to confirm that you want the %s newsletter at %s.",
			"page.confirm.btn":     "Confirm",
			"page.confirmed":       "You're subscribed",
			"page.confirmed.p":     "Your first digest arrives with the next %s edition. Every mail has a link to change your choices or unsubscribe.",
			"page.badlink":         "This link doesn't work",
			"page.badlink.p":       "It may have expired or been used already. You can sign up again below; a new confirmation mail will be sent.",
			"page.unsub":           "Unsubscribe",
			"page.unsub.p":         "Press the button to stop the newsletter to %s. It takes effect at once.",
			"page.unsub.btn":       "Unsubscribe",
			"page.unsubbed":        "You're unsubscribed",
			"page.unsubbed.p":      "%s will get no more newsletters from us. Changed your mind? Sign up again at any time.",
			"page.prefs":           "Your newsletter",
			"page.prefs.p":         "Choices for %s.",
			"page.language":        "Language",
			"page.save":            "Save",
			"page.saved":           "Your choices are saved.",
			"page.data":            "Your data",
			"page.data.p":          "Download everything we keep about you (your address, choices, the consent you gave and when we mailed you), or erase it all for good.",
			"page.export":          "Download my data (JSON)",
			"page.erase":           "Erase my data",
			"page.erase.p":         "This deletes %s and its whole record now. It cannot be undone.",
			"page.erased":          "Your data is erased",
			"page.erased.p":        "We keep nothing about this address any more.",
			"page.invalid":         "Please check the form",
			"page.ratelimited":     "Too many sign-ups from here; please try again in an hour.",
			"page.home":            "Back to %s",
			"api.accepted":         "Thanks. If this address can receive our mail, a confirmation link is on its way; nothing else is sent until it is confirmed.",
			"mail.confirm.subject": "Confirm your subscription to %s",
			"mail.confirm.intro":   "Someone, hopefully you, asked to receive the %s newsletter at this address (%s, %s).",
			"mail.confirm.action":  "Confirm subscription",
			"mail.confirm.ignore":  "If it wasn't you, ignore this mail: without confirmation you will get nothing else from us. The link works for 7 days.",
			"mail.manage.subject":  "Your subscription to %s",
			"mail.manage.intro":    "Someone, hopefully you, tried to sign up this address for the %s newsletter again. It is already subscribed, so nothing changes.",
			"mail.manage.action":   "Change language, sections or frequency, or unsubscribe",
			"mail.manage.ignore":   "If it wasn't you, ignore this mail.",
			"mail.digest.subject":  "%s: %d new articles",
			"mail.digest.subject1": "%s: 1 new article",
			"mail.digest.daily":    "Your daily digest",
			"mail.digest.weekly":   "Your weekly digest",
			"mail.digest.since":    "Articles since %s",
			"mail.why":             "You get this because you subscribed to the %s newsletter at %s.",
			"mail.prefs":           "Change language, sections or frequency",
			"mail.unsub":           "Unsubscribe",
			"mail.other":           "Other",
		},
		"de": {
			consentKey: "Wir verwenden Ihre Anmeldung nur, um Ihnen den hier gewählten Newsletter zu schicken: Sprache, " +
				"Rubriken und Häufigkeit. Wir verfolgen weder Öffnungen noch Klicks und geben Ihre Adresse an niemanden " +
				"weiter. Sie können sich jederzeit abmelden, mit einem Klick in jeder Mail.",
			"form.heading":         "Newsletter abonnieren",
			"form.email":           "E-Mail-Adresse",
			"form.frequency":       "Wie oft",
			"form.daily":           "Täglich",
			"form.weekly":          "Wöchentlich",
			"form.sections":        "Rubriken (keine gewählt: alle)",
			"form.allsections":     "alle Rubriken",
			"form.submit":          "Abonnieren",
			"form.more":            "Weitere Optionen",
			"form.expired":         "Das Formular war abgelaufen; bitte senden Sie es erneut.",
			"page.checkmail":       "Fast geschafft: Bitte sehen Sie in Ihr Postfach",
			"page.checkmail.p":     "Wenn %s unsere Mail empfangen kann, ist eine Nachricht mit einem Bestätigungslink unterwegs. Bis Sie bestätigen, schicken wir nichts anderes. Der Link gilt 7 Tage.",
			"page.confirm":         "Abonnement bestätigen",
			"page.confirm.p":       "Drücken Sie den Knopf, um zu bestätigen, dass Sie den Newsletter von %s an %s erhalten möchten.",
			"page.confirm.btn":     "Bestätigen",
			"page.confirmed":       "Sie haben den Newsletter abonniert",
			"page.confirmed.p":     "Ihre erste Ausgabe kommt mit dem nächsten Versand (%s). Jede Mail enthält einen Link, um Ihre Auswahl zu ändern oder sich abzumelden.",
			"page.badlink":         "Dieser Link funktioniert nicht",
			"page.badlink.p":       "Er ist vielleicht abgelaufen oder wurde schon benutzt. Sie können sich unten erneut anmelden; wir schicken dann eine neue Bestätigungsmail.",
			"page.unsub":           "Abmelden",
			"page.unsub.p":         "Drücken Sie den Knopf, um den Newsletter an %s abzubestellen. Das gilt sofort.",
			"page.unsub.btn":       "Abmelden",
			"page.unsubbed":        "Sie sind abgemeldet",
			"page.unsubbed.p":      "%s erhält keine Newsletter mehr von uns. Sie können sich jederzeit wieder anmelden.",
			"page.prefs":           "Ihr Newsletter",
			"page.prefs.p":         "Einstellungen für %s.",
			"page.language":        "Sprache",
			"page.save":            "Speichern",
			"page.saved":           "Ihre Auswahl ist gespeichert.",
			"page.data":            "Ihre Daten",
			"page.data.p":          "Laden Sie alles herunter, was wir über Sie speichern (Adresse, Auswahl, Ihre Einwilligung und wann wir Ihnen geschrieben haben), oder löschen Sie alles endgültig.",
			"page.export":          "Meine Daten herunterladen (JSON)",
			"page.erase":           "Meine Daten löschen",
			"page.erase.p":         "Damit werden %s und alle zugehörigen Daten sofort gelöscht. Das lässt sich nicht rückgängig machen.",
			"page.erased":          "Ihre Daten sind gelöscht",
			"page.erased.p":        "Wir speichern nichts mehr über diese Adresse.",
			"page.invalid":         "Bitte prüfen Sie das Formular",
			"page.ratelimited":     "Zu viele Anmeldungen von hier; bitte versuchen Sie es in einer Stunde wieder.",
			"page.home":            "Zurück zu %s",
			"api.accepted":         "Danke. Wenn diese Adresse unsere Mail empfangen kann, ist ein Bestätigungslink unterwegs; bis zur Bestätigung schicken wir nichts anderes.",
			"mail.confirm.subject": "Bestätigen Sie Ihr Abonnement von %s",
			"mail.confirm.intro":   "Jemand, hoffentlich Sie, möchte den Newsletter von %s an diese Adresse erhalten (%s, %s).",
			"mail.confirm.action":  "Abonnement bestätigen",
			"mail.confirm.ignore":  "Wenn Sie das nicht waren, ignorieren Sie diese Mail: Ohne Bestätigung erhalten Sie nichts weiter von uns. Der Link gilt 7 Tage.",
			"mail.manage.subject":  "Ihr Abonnement von %s",
			"mail.manage.intro":    "Jemand, hoffentlich Sie, wollte diese Adresse erneut für den Newsletter von %s anmelden. Sie ist bereits angemeldet; es ändert sich nichts.",
			"mail.manage.action":   "Sprache, Rubriken oder Häufigkeit ändern oder abmelden",
			"mail.manage.ignore":   "Wenn Sie das nicht waren, ignorieren Sie diese Mail.",
			"mail.digest.subject":  "%s: %d neue Artikel",
			"mail.digest.subject1": "%s: 1 neuer Artikel",
			"mail.digest.daily":    "Ihre tägliche Übersicht",
			"mail.digest.weekly":   "Ihre wöchentliche Übersicht",
			"mail.digest.since":    "Artikel seit %s",
			"mail.why":             "Sie erhalten diese Mail, weil Sie den Newsletter von %s an %s abonniert haben.",
			"mail.prefs":           "Sprache, Rubriken oder Häufigkeit ändern",
			"mail.unsub":           "Abmelden",
			"mail.other":           "Weitere",
		},
	}
	for l, msgs := range moreMessages() {
		m[l] = msgs
	}
	for l, msgs := range linkMessages() {
		for k, v := range msgs {
			m[l][k] = v
		}
	}
	return m
}

// lang returns l if there are messages for it, else English.
func (m messages) lang(l string) string {
	if _, ok := m[l]; ok {
		return l
	}
	return "en"
}

// T returns the message key in lang (falling back to English), formatted with args.
func (m messages) T(lang, key string, args ...any) string {
	s, ok := m[m.lang(lang)][key]
	if !ok {
		s = m["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// consent returns the consent text shown in lang, the language it is
// actually in, and its version (a hash of the text).
func (m messages) consent(lang string) (text, shownLang, version string) {
	shownLang = m.lang(lang)
	text = m[shownLang][consentKey]
	sum := sha256.Sum256([]byte(text))
	return text, shownLang, shownLang + "-" + hex.EncodeToString(sum[:6])
}

// frequencyName is the word for a frequency in lang.
func (m messages) frequencyName(lang, freq string) string {
	if freq == "weekly" {
		return m.T(lang, "form.weekly")
	}
	return m.T(lang, "form.daily")
}
