package newsletter

// linkMessages are the texts of the confirmation page's choices and of the
// expired-link page, in every catalogue language (TestCatalogues checks).
// Kept apart so the sign-up allowance's texts travel together.
func linkMessages() messages {
	return messages{
		"en": {
			"page.confirm.choices": "You are confirming: %s digest, %s, in %s.",
			"page.expired":         "This confirmation link has expired",
			"page.expired.p":       "The sign-up of %s is still waiting. Press the button and we'll mail you a fresh link.",
			"page.expired.btn":     "Send me a new link",
			"page.resent.p":        "A new confirmation link is on its way to %s (at most one an hour; please check your spam folder too).",
		},
		"de": {
			"page.confirm.choices": "Sie bestätigen: %s Ausgabe, %s, auf %s.",
			"page.expired":         "Dieser Bestätigungslink ist abgelaufen",
			"page.expired.p":       "Die Anmeldung von %s wartet noch. Drücken Sie den Knopf, und wir schicken Ihnen einen neuen Link.",
			"page.expired.btn":     "Neuen Link senden",
			"page.resent.p":        "Ein neuer Bestätigungslink ist unterwegs an %s (höchstens einer pro Stunde; sehen Sie bitte auch im Spam-Ordner nach).",
		},
		"fr": {
			"page.confirm.choices": "Vous confirmez : édition %s, %s, en %s.",
			"page.expired":         "Ce lien de confirmation a expiré",
			"page.expired.p":       "L'inscription de %s est toujours en attente. Appuyez sur le bouton et nous vous enverrons un nouveau lien.",
			"page.expired.btn":     "M'envoyer un nouveau lien",
			"page.resent.p":        "Un nouveau lien de confirmation part vers %s (un par heure au plus ; pensez à vérifier vos indésirables).",
		},
		"es": {
			"page.confirm.choices": "Estás confirmando: boletín %s, %s, en %s.",
			"page.expired":         "Este enlace de confirmación ha caducado",
			"page.expired.p":       "La suscripción de %s sigue pendiente. Pulsa el botón y te enviaremos un enlace nuevo.",
			"page.expired.btn":     "Enviarme un enlace nuevo",
			"page.resent.p":        "Un nuevo enlace de confirmación va de camino a %s (como mucho uno por hora; revisa también la carpeta de spam).",
		},
		"it": {
			"page.confirm.choices": "Stai confermando: edizione %s, %s, in %s.",
			"page.expired":         "Questo link di conferma è scaduto",
			"page.expired.p":       "L'iscrizione di %s è ancora in attesa. Premi il pulsante e ti invieremo un nuovo link.",
			"page.expired.btn":     "Inviami un nuovo link",
			"page.resent.p":        "Un nuovo link di conferma è in arrivo a %s (al massimo uno all'ora; controlla anche la cartella spam).",
		},
		"pl": {
			"page.confirm.choices": "Potwierdzasz: wydanie %s, %s, w języku: %s.",
			"page.expired":         "Ten link potwierdzający wygasł",
			"page.expired.p":       "Zapis adresu %s wciąż czeka. Naciśnij przycisk, a wyślemy nowy link.",
			"page.expired.btn":     "Wyślij nowy link",
			"page.resent.p":        "Nowy link potwierdzający jest w drodze do %s (najwyżej jeden na godzinę; sprawdź też folder spam).",
		},
	}
}
