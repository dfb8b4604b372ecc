import json, os, random, html as H, sys
sys.path.insert(0, os.path.dirname(__file__))
from text import P

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rnd = random.Random(20261125)

TITLES = {
 'de': ["Gemeinderat zieht Sanierung der Grundschule vor", "Einbruch in Bäckerei: Polizei sucht Zeugen", "Dauerregen: Wetterdienst warnt vor Hochwasser im Bergland",
        "Traditionsfirma streicht 120 Stellen", "Heimatverein feiert hundertjähriges Bestehen mit Ausstellung", "TSV gewinnt Pokalfinale nach Verlängerung",
        "Land fördert Hausärzte in ländlichen Regionen", "Schulsanierung kostet 4,2 Millionen Euro", "Gewerkschaft kündigt Widerstand gegen Stellenabbau an",
        "Sandsäcke für gefährdete Gemeinden verteilt", "Container statt Klassenzimmer: Schüler ziehen um", "Radweg an der Bundesstraße rückt in weite Ferne",
        "Ausstellung im alten Rathaus zeigt hundert Jahre Ortsgeschichte", "Kundgebung vor dem Werkstor: Hunderte Beschäftigte protestieren",
        "Zuschuss von bis zu 60.000 Euro für Landärzte", "Jonas Albrecht schießt TSV zum Pokalsieg", "Unwetter erwartet: Feuerwehr rät, Keller zu prüfen",
        "Opposition kritisiert Finanzierung der Schulsanierung", "Bäckerei-Einbrecher flüchten in Richtung Bahnhof", "Förderprogramm des Landes deckt zwei Drittel der Kosten",
        "Modell des Marktplatzes von 1925 begeistert Besucher", "Stellenabbau: Geschäftsführung will Kündigungen vermeiden", "Hochwassergefahr an kleineren Flüssen",
        "Ganztagsbetreuung braucht mehr Platz"],
 'fr': ["La place de la Gare sera réaménagée", "Canicule : vigilance orange dans le sud du pays", "Grève des contrôleurs aériens : un vol sur trois annulé",
        "Le festival de musique fête sa vingtième édition", "Réaménagement de la gare : l'opposition dénonce un calendrier précipité", "Fortes chaleurs : les conseils des autorités sanitaires",
        "Nouvelles pistes cyclables entre la gare et le centre historique", "Plus de 40 000 spectateurs malgré les orages"],
 'es': ["El Ayuntamiento aprueba el nuevo plan de movilidad", "Aviso amarillo por lluvias intensas en la costa mediterránea", "Victoria agónica del equipo local ante su afición",
        "Las praderas marinas almacenan más carbono de lo previsto", "Tres nuevas líneas de autobús eléctrico para el centro", "Suspendidas las clases en varios colegios por la lluvia",
        "La oposición recurrirá el plan de movilidad", "El tráfico en el centro crece un 12 por ciento en cinco años"],
 'it': ["Approvato il bilancio di previsione del Comune", "Maltempo al Nord: piogge e grandinate fino a domenica", "Cento opere raccontano il paesaggio del Novecento",
        "Derby vinto, la squadra di casa è prima in classifica", "Scuole chiuse per precauzione in diversi comuni", "Due milioni per strade e illuminazione pubblica",
        "Mostra gratuita per residenti e ragazzi", "L'opposizione critica i tagli ai servizi sociali"],
 'pl': ["Rada miasta zdecydowała o budowie nowego mostu", "Ostrzeżenia przed silnym wiatrem dla kilku województw", "Nowa wystawa malarstwa w muzeum narodowym",
        "Gospodarze w ćwierćfinale pucharu", "Tysiące odbiorców bez prądu po nocnej wichurze", "Opozycja pyta o finansowanie mostu na Wiśle",
        "Obrazy z prywatnych kolekcji po raz pierwszy publicznie", "Debiutant zdobył obie bramki"],
 'en': ["Council approves taller buildings near train stations", "Flood watch issued as heavy rain heads for the region", "New battery design could double storage capacity",
        "Home team rallies to extend winning streak to six", "Residents say housing plan was rushed", "Schools close early ahead of storms",
        "Electric buses to test cheaper battery next year", "Point guard scores 31 in comeback win"],
}
AUTHORS = {
 'de': ["Michael Schneider", "Julia Hoffmann", "Stefan Wagner", "Katrin Becker", "Andreas Schulz", "Laura Meyer"],
 'fr': ["Camille Laurent", "Julien Moreau", "Sophie Girard"],
 'es': ["Lucía Fernández", "Javier Martín", "Elena Ruiz"],
 'it': ["Giulia Romano", "Marco Ricci", "Francesca Colombo"],
 'pl': ["Anna Kowalska", "Piotr Wiśniewski", "Katarzyna Zielińska"],
 'en': ["Sarah Mitchell", "David Chen", "Emily Carter"],
}
SITES = {
 'de': [("Hessische Landeszeitung", "www.hessische-landeszeitung.example", ["Lokales", "Region", "Sport", "Wirtschaft"]),
        ("Badischer Kurier", "www.badischer-kurier.example", ["Stadt", "Baden-Baden", "Sport", "Kultur"]),
        ("Nordsee-Rundschau", "nordsee-rundschau.example", ["Lokales", "Niedersachsen", "Wirtschaft", "Kultur"])],
 'fr': [("Le Courrier du Midi", "www.courrierdumidi.example", ["Société", "Météo", "Culture"])],
 'es': [("Diario del Levante", "www.diariodellevante.example", ["Local", "Tiempo", "Deportes", "Ciencia"])],
 'it': [("Gazzetta di Provincia", "www.gazzettadiprovincia.example", ["Cronaca", "Meteo", "Cultura", "Sport"])],
 'pl': [("Kurier Nadwiślański", "kuriernadwislanski.example", ["Miasto", "Pogoda", "Kultura", "Sport"])],
 'en': [("Riverside Herald", "www.riversideherald.example", ["Local", "Weather", "Science", "Sports"])],
}
MONTHS = {
 'de': "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
 'fr': "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
 'es': "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
 'it': "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split(),
 'pl': "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia".split(),
 'en': "January February March April May June July August September October November December".split(),
}
C = {  # chrome per language
 'de': dict(nav=["Startseite","Lokales","Region","Politik","Wirtschaft","Sport","Kultur","Service"], share="Teilen", share2="Artikel teilen", ad="Anzeige",
            readalso="Lesen Sie auch", related="Das könnte Sie auch interessieren", newsletter="Newsletter", nl_text="Die wichtigsten Nachrichten aus der Region jeden Morgen in Ihrem Postfach.",
            nl_button="Jetzt abonnieren", consent="Mit der Anmeldung haben Sie der Verarbeitung Ihrer Daten zugestimmt. Sie können sich jederzeit abmelden.",
            cookie="Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Mit der Nutzung unserer Seite stimmen Sie dem zu.", cookie_btn="Akzeptieren",
            comments="Kommentare", comment_text="Ich finde das eine gute Entscheidung, war lange überfällig!", footer=["Impressum","Datenschutz","AGB","Kontakt","Abo"],
            trending="Meistgelesen", by="Von", pub="Veröffentlicht am", upd="Aktualisiert", more="Mehr zum Thema", follow="Folgen Sie uns", home="Startseite",
            paywall="Weiterlesen mit Plus: Jetzt einen Monat gratis testen.", caption="Foto: Archiv", copyright="Alle Rechte vorbehalten."),
 'fr': dict(nav=["Accueil","Actualités","Société","Économie","Sports","Culture","Météo"], share="Partager", share2="Partager cet article", ad="Publicité",
            readalso="Lire aussi", related="Sur le même sujet", newsletter="Newsletter", nl_text="Recevez chaque matin l'essentiel de l'actualité régionale.",
            nl_button="Je m'abonne", consent="En vous inscrivant, vous acceptez notre politique de confidentialité. Vous pouvez vous désabonner à tout moment.",
            cookie="Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre navigation, vous acceptez leur utilisation.", cookie_btn="Accepter",
            comments="Commentaires", comment_text="Enfin une bonne nouvelle pour le quartier !", footer=["Mentions légales","Confidentialité","Contact","Abonnement"],
            trending="Les plus lus", by="Par", pub="Publié le", upd="Mis à jour le", more="Voir aussi", follow="Suivez-nous", home="Accueil",
            paywall="La suite est réservée aux abonnés.", caption="Photo : archives", copyright="Tous droits réservés."),
 'es': dict(nav=["Portada","Local","España","Economía","Deportes","Cultura","Tiempo"], share="Compartir", share2="Compartir esta noticia", ad="Publicidad",
            readalso="Lee también", related="Noticias relacionadas", newsletter="Newsletter", nl_text="Recibe cada mañana las noticias más importantes de tu ciudad.",
            nl_button="Suscríbete", consent="Al suscribirte aceptas nuestra política de privacidad. Puedes darte de baja en cualquier momento.",
            cookie="Utilizamos cookies propias y de terceros para mejorar nuestros servicios. Si continúa navegando, consideramos que acepta su uso.", cookie_btn="Aceptar",
            comments="Comentarios", comment_text="Ya era hora de que hicieran algo con el tráfico.", footer=["Aviso legal","Privacidad","Contacto","Publicidad"],
            trending="Lo más leído", by="Por", pub="Publicado el", upd="Actualizado", more="Te puede interesar", follow="Síguenos", home="Portada",
            paywall="Este contenido es exclusivo para suscriptores.", caption="Foto: archivo", copyright="Todos los derechos reservados."),
 'it': dict(nav=["Home","Cronaca","Politica","Economia","Sport","Cultura","Meteo"], share="Condividi", share2="Condividi questo articolo", ad="Pubblicità",
            readalso="Leggi anche", related="Articoli correlati", newsletter="Newsletter", nl_text="Ricevi ogni mattina le notizie più importanti della tua provincia.",
            nl_button="Iscriviti", consent="Iscrivendoti acconsenti al trattamento dei dati personali. Puoi cancellarti in qualsiasi momento.",
            cookie="Questo sito utilizza cookie per migliorare la tua esperienza. Continuando la navigazione accetti il loro utilizzo.", cookie_btn="Accetto",
            comments="Commenti", comment_text="Finalmente una buona notizia per la città.", footer=["Note legali","Privacy","Contatti","Pubblicità"],
            trending="I più letti", by="Di", pub="Pubblicato il", upd="Aggiornato il", more="Potrebbe interessarti", follow="Seguici", home="Home",
            paywall="Per continuare a leggere abbonati.", caption="Foto: archivio", copyright="Tutti i diritti riservati."),
 'pl': dict(nav=["Strona główna","Wiadomości","Miasto","Biznes","Sport","Kultura","Pogoda"], share="Udostępnij", share2="Udostępnij artykuł", ad="Reklama",
            readalso="Czytaj też", related="Zobacz także", newsletter="Newsletter", nl_text="Najważniejsze wiadomości z regionu co rano w Twojej skrzynce.",
            nl_button="Zapisz się", consent="Zapisując się, wyrażasz zgodę na przetwarzanie danych. Możesz zrezygnować w każdej chwili.",
            cookie="Używamy plików cookies, aby zapewnić najlepszą jakość usług. Korzystając ze strony, zgadzasz się na ich użycie.", cookie_btn="Akceptuję",
            comments="Komentarze", comment_text="Najwyższy czas, ten most jest bardzo potrzebny.", footer=["Regulamin","Polityka prywatności","Kontakt","Reklama"],
            trending="Najczęściej czytane", by="Autor:", pub="Opublikowano", upd="Zaktualizowano", more="Czytaj więcej", follow="Obserwuj nas", home="Strona główna",
            paywall="Pełna treść dostępna dla prenumeratorów.", caption="Fot. archiwum", copyright="Wszelkie prawa zastrzeżone."),
 'en': dict(nav=["Home","News","Local","Business","Sports","Opinion","Weather"], share="Share", share2="Share this article", ad="Advertisement",
            readalso="Read also", related="Related stories", newsletter="Newsletter", nl_text="Get the day's top local stories delivered to your inbox every morning.",
            nl_button="Sign up", consent="By signing up you consent to our privacy policy. You can unsubscribe at any time.",
            cookie="We use cookies to improve your experience on our site. By continuing to browse you agree to our use of cookies.", cookie_btn="Accept",
            comments="Comments", comment_text="About time the council did something about housing.", footer=["Terms of Use","Privacy Policy","Contact Us","Subscribe"],
            trending="Most popular", by="By", pub="Published", upd="Updated", more="More on this", follow="Follow us", home="Home",
            paywall="Subscribe to keep reading.", caption="Photo: File", copyright="All rights reserved."),
}

def esc(s): return H.escape(s, quote=True)

def visdate(lang, y, m, d, hh, mm):
    mn = MONTHS[lang][m-1]
    if lang == 'de':
        return rnd.choice([f"{d}. {mn} {y}, {hh:02d}:{mm:02d} Uhr", f"{d:02d}.{m:02d}.{y}, {hh:02d}:{mm:02d} Uhr", f"{d}. {mn} {y}"])
    if lang == 'fr': return f"{d} {mn} {y} à {hh}h{mm:02d}"
    if lang == 'es': return f"{d} de {mn} de {y} - {hh:02d}:{mm:02d}"
    if lang == 'it': return f"{d} {mn} {y}, ore {hh:02d}:{mm:02d}"
    if lang == 'pl': return f"{d} {mn} {y}, {hh:02d}:{mm:02d}"
    return f"{mn} {d}, {y} {hh % 12 or 12}:{mm:02d} {'a.m.' if hh < 12 else 'p.m.'}"

def slug(t):
    import unicodedata, re
    s = unicodedata.normalize('NFKD', t).encode('ascii', 'ignore').decode().lower()
    return re.sub(r'[^a-z0-9]+', '-', s).strip('-')

def nav(c, site, host):
    items = "".join(f'<li class="menu-item"><a href="/{slug(x)}/">{esc(x)}</a></li>' for x in c['nav'])
    return f'<header class="site-header"><div class="logo"><a href="/">{esc(site)}</a></div><nav class="main-navigation" aria-label="Hauptmenü"><ul class="menu">{items}</ul></nav><form class="search-form" action="/suche"><input type="search" name="q"><button>🔍</button></form></header>'

def cookie(c):
    return f'<div id="cookie-notice" class="cookie-banner"><p>{esc(c["cookie"])}</p><button>{esc(c["cookie_btn"])}</button></div>'

def share(c):
    return f'<div class="share-buttons"><span>{esc(c["share"])}:</span> <a href="https://www.facebook.com/sharer.php">Facebook</a> <a href="https://twitter.com/intent/tweet">X</a> <a href="mailto:?subject=x">E-Mail</a></div>'

def related(c, lang, titles):
    items = "".join(f'<li><a href="/{slug(t)}.html">{esc(t)}</a></li>' for t in titles)
    return f'<aside class="related-articles"><h3>{esc(c["related"])}</h3><ul>{items}</ul></aside>'

def newsletter(c):
    return f'<div class="newsletter-box"><h3>{esc(c["newsletter"])}</h3><p>{esc(c["nl_text"])}</p><form><input type="email" placeholder="E-Mail"><button>{esc(c["nl_button"])}</button></form><p class="small">{esc(c["consent"])}</p></div>'

def trending(c, titles):
    items = "".join(f'<li><a href="/{slug(t)}/">{esc(t)}</a></li>' for t in titles)
    return f'<div class="widget"><h4>{esc(c["trending"])}</h4><ol>{items}</ol></div>'

def footer(c, site):
    links = " ".join(f'<a href="/{slug(x)}">{esc(x)}</a>' for x in c['footer'])
    return f'<footer class="site-footer"><div>{links}</div><p>© 2024 {esc(site)}. {esc(c["copyright"])}</p></footer>'

def comments(c):
    return f'<section id="comments" class="comments-area"><h2>{esc(c["comments"])} (2)</h2><div class="comment"><span class="comment-author">leser42</span><p>{esc(c["comment_text"])}</p></div></section>'

def adslot(c):
    return f'<div class="ad-container"><span class="ad-label">{esc(c["ad"])}</span><div id="div-gpt-ad-1"></div></div>'

def readalso(c, t):
    return f'<p class="read-also"><strong>{esc(c["readalso"])}:</strong> <a href="/{slug(t)}.html">{esc(t)}</a></p>'

def figure(c, host, i):
    return f'<figure class="wp-block-image"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/uploads/2024/foto-{i}.jpg" alt=""><figcaption>{esc(c["caption"])}</figcaption></figure>'

def jsonld(page, with_date=True, with_author=True, body=False):
    o = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": page['title'],
         "mainEntityOfPage": {"@type": "WebPage", "@id": page['url']},
         "image": [f"https://{page['host']}/bilder/{page['slug']}.jpg"],
         "publisher": {"@type": "Organization", "name": page['site'], "logo": {"@type": "ImageObject", "url": f"https://{page['host']}/logo.png"}},
         "inLanguage": page['lang'], "articleSection": page['section']}
    if with_date:
        o["datePublished"] = page['iso']; o["dateModified"] = page['iso_mod']
    if with_author:
        o["author"] = [{"@type": "Person", "name": page['author']}]
    if body:
        o["articleBody"] = " ".join(page['body'])
    return f'<script type="application/ld+json">{json.dumps(o, ensure_ascii=False)}</script>'

def yoast(page, with_date=True, with_author=True):
    g = [{"@type": "WebSite", "@id": f"https://{page['host']}/#website", "name": page['site'], "inLanguage": page['locale']},
         {"@type": "Person", "@id": f"https://{page['host']}/#/schema/person/1", "name": page['author']},
         {"@type": "Article", "@id": page['url'] + "#article", "headline": page['title'], "isPartOf": {"@id": page['url']},
          "articleSection": [page['section']], "inLanguage": page['locale']}]
    if with_author: g[2]["author"] = {"@id": f"https://{page['host']}/#/schema/person/1"}
    if with_date: g[2]["datePublished"] = page['iso']; g[2]["dateModified"] = page['iso_mod']
    return f'<script type="application/ld+json" class="yoast-schema-graph">{json.dumps({"@context":"https://schema.org","@graph":g}, ensure_ascii=False)}</script>'

def og(page, with_date=True, with_author=False):
    s = (f'<meta property="og:type" content="article"><meta property="og:title" content="{esc(page["title"])}">'
         f'<meta property="og:url" content="{page["url"]}"><meta property="og:site_name" content="{esc(page["site"])}">'
         f'<meta property="og:image" content="https://{page["host"]}/img/{page["slug"]}-1200.jpg"><meta property="og:locale" content="{page["locale"]}">'
         f'<meta property="article:section" content="{esc(page["section"])}">')
    if with_date: s += f'<meta property="article:published_time" content="{page["iso"]}">'
    if with_author: s += f'<meta property="article:author" content="{esc(page["author"])}">'
    return s

def paras(page, cls=None, inserts=None):
    out = []
    for i, p in enumerate(page['body']):
        c = f' class="{cls}"' if cls else ''
        out.append(f'<p{c}>{esc(p)}</p>')
        if inserts and i in inserts: out.append(inserts[i])
    return "\n".join(out)

def head(page, extra, title_suffix=True):
    t = page['title'] + (f" | {page['site']}" if title_suffix else "")
    return (f'<!DOCTYPE html><html lang="{page["htmllang"]}"><head><meta charset="utf-8"><title>{esc(t)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="canonical" href="{page["url"]}">'
            f'<meta name="description" content="{esc(page["body"][0][:150])}">{extra}'
            f'<link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head>')

def byline(c, page):
    return f'{c["by"]} {page["author"]}' if not c["by"].endswith(":") else f'{c["by"]} {page["author"]}'

# ---- templates ----
def t_wordpress(page, c):
    dm = page['dm']
    ex = yoast(page, 'jsonld' in dm, 'jsonld' in page['am']) + og(page, 'og' in dm)
    if 'meta' in page['am']: ex += f'<meta name="author" content="{esc(page["author"])}">'
    posted = f'<span class="posted-on"><a href="{page["url"]}" rel="bookmark"><time class="entry-date published" datetime="{page["iso"]}">{esc(page["vis"])}</time></a></span>' if 'time' in dm else (f'<span class="posted-on">{esc(c["pub"])} {esc(page["vis"])}</span>' if 'visible' in dm else '')
    by = f'<span class="byline"> <span class="author vcard"><a class="url fn n" href="/author/{slug(page["author"])}/">{esc(page["author"])}</a></span></span>' if 'visible' in page['am'] or 'rel' in page['am'] else ''
    body = paras(page, inserts={1: adslot(c), 2: readalso(c, page['other'][0])})
    return head(page, ex) + f'''<body class="post-template-default single single-post postid-{page["id"]} single-format-standard">
{cookie(c)}<div id="page" class="site">{nav(c, page["site"], page["host"])}
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{page["id"]}" class="post-{page["id"]} post type-post status-publish format-standard has-post-thumbnail hentry category-{slug(page["section"])}">
<header class="entry-header"><span class="cat-links"><a href="/category/{slug(page["section"])}/" rel="category tag">{esc(page["section"])}</a></span>
<h1 class="entry-title">{esc(page["title"])}</h1><div class="entry-meta">{posted}{by}</div></header>
<div class="post-thumbnail">{figure(c, page["host"], 1)}</div>
<div class="entry-content">
{body}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">{esc(c["share2"])}:</h3><ul><li><a href="#">Facebook</a></li><li><a href="#">WhatsApp</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">{esc(c["related"])}</h3>{related(c, page["lang"], page["other"][1:4])}</div>
</div>
<footer class="entry-footer"><span class="tags-links">Tags: <a href="/tag/x">{esc(page["section"])}</a></span></footer>
</article>
{comments(c)}
</main></div>
<aside id="secondary" class="widget-area">{trending(c, page["other"][2:6])}{newsletter(c)}</aside>
</div>{footer(c, page["site"])}</div></body></html>'''

def t_drupal(page, c):
    dm = page['dm']
    ex = og(page, 'og' in dm)
    if 'meta' in dm: ex += f'<meta name="dcterms.date" content="{page["iso"][:10]}">'
    if 'meta' in page['am']: ex += f'<meta name="dcterms.creator" content="{esc(page["author"])}">'
    if 'jsonld' in dm or 'jsonld' in page['am']: ex += jsonld(page, 'jsonld' in dm, 'jsonld' in page['am'])
    submitted = ''
    if 'visible' in page['am'] or 'visible' in dm:
        who = f'<span class="field field--name-uid"><span>{esc(page["author"])}</span></span>' if 'visible' in page['am'] else ''
        when = f' <span class="field field--name-created">{esc(page["vis"])}</span>' if 'visible' in dm else ''
        submitted = f'<div class="node__submitted">{esc(c["by"]) + " " if who else ""}{who}{when}</div>'
    if 'time' in dm:
        submitted += f'<time datetime="{page["iso"]}">{esc(page["vis"])}</time>'
    body = paras(page, inserts={2: adslot(c)})
    return head(page, ex) + f'''<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas">{nav(c, page["site"], page["host"])}
<div class="region region-breadcrumb"><nav class="breadcrumb"><ol><li><a href="/">{esc(c["home"])}</a></li><li><a href="/{slug(page["section"])}">{esc(page["section"])}</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<div class="layout-content"><div class="region region-content">
<article role="article" class="node node--type-article node--promoted node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title">{esc(page["title"])}</span></h1>
{submitted}
<div class="node__content">
<div class="field field--name-field-image">{figure(c, page["host"], 2)}</div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">
{body}
</div>
<div class="field field--name-field-tags"><div class="field__label">Tags</div><div class="field__item"><a href="/tags/x">{esc(page["section"])}</a></div></div>
</div></article>
</div></div>
<aside class="layout-sidebar-second" role="complementary">{trending(c, page["other"][:4])}{related(c, page["lang"], page["other"][4:7])}</aside>
</main>{footer(c, page["site"])}</div></body></html>'''

def t_arc(page, c):
    dm = page['dm']
    ex = og(page, 'og' in dm) + jsonld(page, 'jsonld' in dm, 'jsonld' in page['am'], body=page['id'] % 2 == 0)
    if 'meta' in page['am']: ex += f'<meta name="author" content="{esc(page["author"])}">'
    if 'meta' in dm: ex += f'<meta name="article:published_time" content="{page["iso"]}">'
    by = f'<div class="byline" data-qa="author-name"><span>{esc(c["by"])} </span><a href="/people/{slug(page["author"])}/" rel="author">{esc(page["author"])}</a></div>' if ('visible' in page['am'] or 'rel' in page['am']) else ''
    when = f'<div class="display-date" data-qa="display-date">{esc(page["vis"])}</div>' if 'visible' in dm else ''
    if 'time' in dm: when = f'<time data-qa="timestamp" datetime="{page["iso"]}">{esc(page["vis"])}</time>'
    body = "\n".join(f'<p class="article-body__paragraph" data-el="text" dir="null">{esc(p)}</p>' + (f'<div class="article-body__ad">{adslot(c)}</div>' if i == 1 else '') for i, p in enumerate(page['body']))
    return head(page, ex) + f'''<body><div id="fusion-app" class="layout-section">
{nav(c, page["site"], page["host"])}
<div class="a-section"><div class="kicker"><a href="/{slug(page["section"])}/">{esc(page["section"])}</a></div>
<h1 data-qa="headline" class="headline">{esc(page["title"])}</h1>
<h2 data-qa="subheadline" class="sub-headline">{esc(page["body"][0][:90])}…</h2>
<div class="author-and-date">{by}{when}</div>
<div class="share-bar" data-qa="share-bar"><button>{esc(c["share"])}</button><span>1.2k</span></div>
<figure class="lead-art"><img src="https://{page["host"]}/resizer/abc/{page["slug"]}.jpg" srcset="https://{page["host"]}/resizer/abc/{page["slug"]}-400.jpg 400w"><figcaption>{esc(c["caption"])}</figcaption></figure>
<div class="article-body" data-qa="article-body">
{body}
</div>
<div class="interstitial-link"><a href="/{slug(page["other"][0])}/">{esc(page["other"][0])}</a></div>
{newsletter(c)}
<div class="related-content"><h2>{esc(c["more"])}</h2>{related(c, page["lang"], page["other"][1:5])}</div>
</div>{footer(c, page["site"])}</div>
<script id="fusion-metadata" type="application/javascript">window.Fusion=window.Fusion||{{}};Fusion.arcSite="x";</script>
</body></html>'''

def t_brightspot(page, c):
    dm = page['dm']
    ex = og(page, 'og' in dm, 'og' in page['am']) + '<meta name="brightspot.contentId" content="0000017f-xxxx">'
    if 'jsonld' in dm or 'jsonld' in page['am']: ex += jsonld(page, 'jsonld' in dm, 'jsonld' in page['am'])
    if 'meta' in dm: ex += f'<meta name="date" content="{page["iso"]}">'
    if 'meta' in page['am']: ex += f'<meta name="author" content="{esc(page["author"])}">'
    by = f'<div class="Page-byline"><div class="Page-authors">{esc(c["by"])} <a class="Link" href="/authors/{slug(page["author"])}">{esc(page["author"])}</a></div></div>' if 'visible' in page['am'] or 'rel' in page['am'] else ''
    when = f'<div class="Page-datePublished">{esc(c["pub"])} {esc(page["vis"])}</div>' if 'visible' in dm else ''
    if 'time' in dm: when = f'<div class="Page-datePublished"><bsp-timestamp data-timestamp="1"><time datetime="{page["iso"]}">{esc(page["vis"])}</time></bsp-timestamp></div>'
    body = paras(page, inserts={0: f'<ps-interactive-ad class="GoogleDfpAd-wrapper"><div class="GoogleDfpAd">{esc(c["ad"])}</div></ps-interactive-ad>', 2: f'<div class="Enhancement"><div class="Promo"><div class="PromoB-title"><a href="/x">{esc(page["other"][3])}</a></div></div></div>'})
    return head(page, ex) + f'''<body class="ArticlePage"><bsp-header class="Page-header">{nav(c, page["site"], page["host"])}</bsp-header>
<div class="Page-above"><div class="Page-breadcrumbs"><a href="/{slug(page["section"])}">{esc(page["section"])}</a></div></div>
<main class="Page-main"><div class="Page-content"><h1 class="Page-headline">{esc(page["title"])}</h1>
{by}{when}
<bsp-social-share class="SocialBar"><a class="SocialLink" data-social-service="facebook" href="#">Facebook</a><a class="SocialLink" data-social-service="twitter" href="#">Twitter</a></bsp-social-share>
<div class="Page-lead"><figure class="Figure"><picture><source srcset="https://{page["host"]}/dims4/{page["slug"]}.webp" type="image/webp"><img class="Image" loading="lazy" src="https://{page["host"]}/dims4/{page["slug"]}.jpg"></picture><div class="Figure-content">{esc(c["caption"])}</div></figure></div>
<div class="RichTextArticleBody RichTextBody">
{body}
</div>
<div class="Page-articleBody-after">{newsletter(c)}</div>
</div><aside class="Page-aside">{trending(c, page["other"][:5])}</aside></main>
{footer(c, page["site"])}</body></html>'''

def t_ghost(page, c):
    dm = page['dm']
    ex = og(page, 'og' in dm) + f'<meta name="generator" content="Ghost 5.2">'
    if 'jsonld' in dm or 'jsonld' in page['am']:
        o = {"@context": "https://schema.org", "@type": "Article", "publisher": {"@type": "Organization", "name": page['site']},
             "headline": page['title'], "url": page['url'], "keywords": page['section']}
        if 'jsonld' in page['am']: o["author"] = {"@type": "Person", "name": page['author'], "url": f"https://{page['host']}/author/{slug(page['author'])}/"}
        if 'jsonld' in dm: o["datePublished"] = page['iso']
        ex += f'<script type="application/ld+json">{json.dumps(o, ensure_ascii=False)}</script>'
    if 'meta' in page['am']: ex += f'<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="{esc(page["author"])}"><meta name="author" content="{esc(page["author"])}">'
    if 'meta' in dm: ex += f'<meta name="pubdate" content="{page["iso"]}">'
    when = f'<time class="gh-article-meta-date" datetime="{page["iso"][:10]}">{esc(page["vis"])}</time>' if 'time' in dm else (f'<span class="gh-article-meta-date">{esc(page["vis"])}</span>' if 'visible' in dm else '')
    by = f'<h4 class="gh-article-author-name"><a href="/author/{slug(page["author"])}/">{esc(page["author"])}</a></h4>' if 'visible' in page['am'] or 'rel' in page['am'] else ''
    body = paras(page, inserts={1: f'<div class="kg-card kg-callout-card"><div class="kg-callout-text">{esc(c["readalso"])}: <a href="/x/">{esc(page["other"][0])}</a></div></div>'})
    return head(page, ex, title_suffix=False) + f'''<body class="post-template tag-{slug(page["section"])}"><div class="gh-site">
<header class="gh-head"><a class="gh-head-logo" href="/">{esc(page["site"])}</a><nav class="gh-head-menu"><ul class="nav">{"".join(f"<li><a href='/{slug(x)}/'>{esc(x)}</a></li>" for x in c["nav"][:5])}</ul></nav><a class="gh-head-button" href="#/portal/signup">{esc(c["nl_button"])}</a></header>
<main class="gh-main"><article class="gh-article post tag-{slug(page["section"])}">
<header class="gh-article-header gh-canvas"><a class="gh-article-tag" href="/tag/{slug(page["section"])}/">{esc(page["section"])}</a>
<h1 class="gh-article-title">{esc(page["title"])}</h1>
<div class="gh-article-meta"><div class="gh-article-author-image"><img src="/content/images/author.jpg"></div><div class="gh-article-meta-wrapper">{by}<div class="gh-article-meta-content">{when}<span class="gh-article-meta-length"><span class="bull">—</span> 3 min</span></div></div></div>
<figure class="gh-article-image"><img srcset="/content/images/size/w300/{page["slug"]}.jpg 300w, /content/images/size/w720/{page["slug"]}.jpg 720w" src="/content/images/size/w1200/{page["slug"]}.jpg"></figure>
</header>
<section class="gh-content gh-canvas">
{body}
</section></article>
<section class="gh-subscribe"><h3 class="gh-subscribe-title">{esc(c["newsletter"])}</h3><p class="gh-subscribe-description">{esc(c["nl_text"])}</p><a class="gh-subscribe-input" href="#/portal/signup">{esc(c["nl_button"])}</a></section>
<section class="gh-readmore"><h3 class="gh-readmore-title">{esc(c["more"])}</h3><div class="gh-readmore-list">{"".join(f'<article class="gh-card post"><a class="gh-card-link" href="/x/"><h3 class="gh-card-title">{esc(t)}</h3></a></article>' for t in page["other"][1:4])}</div></section>
</main><footer class="gh-foot"><div class="gh-foot-inner gh-inner"><div class="gh-copyright">{esc(page["site"])} © 2024</div><nav class="gh-foot-menu"><a href="/privacy/">Privacy</a></nav><div class="gh-powered-by"><a href="https://ghost.org/">Powered by Ghost</a></div></div></footer>
</div></body></html>'''

def t_regional_de(page, c):
    # A German regional newspaper CMS: div soup, visible date "Veröffentlicht am", author line "Von X", paywall teaser, ads labelled Anzeige.
    dm = page['dm']
    ex = og(page, 'og' in dm)
    if 'meta' in dm: ex += f'<meta name="date" content="{page["iso"]}">'
    if 'meta' in page['am']: ex += f'<meta name="author" content="{esc(page["author"])}">'
    if 'jsonld' in dm or 'jsonld' in page['am']: ex += jsonld(page, 'jsonld' in dm, 'jsonld' in page['am'])
    datestr = f'<div class="artikel-datum">{esc(c["pub"])} {esc(page["vis"])}</div>' if 'visible' in dm else ''
    if 'time' in dm: datestr = f'<div class="artikel-datum"><time datetime="{page["iso"]}">{esc(page["vis"])}</time></div>'
    autor = f'<div class="artikel-autor">{esc(c["by"])} <span class="autor-name">{esc(page["author"])}</span></div>' if 'visible' in page['am'] or 'rel' in page['am'] else ''
    ps = []
    for i, p in enumerate(page['body']):
        ps.append(f'<div class="artikel-absatz"><p>{esc(p)}</p></div>')
        if i == 0: ps.append(f'<div class="werbung-inline"><div class="label">{esc(c["ad"])}</div><div class="slot" id="ad-mrec-1"></div></div>')
        if i == 2: ps.append(f'<div class="lesen-sie-auch"><span class="label">{esc(c["readalso"])}</span><ul><li><a href="/x.html">{esc(page["other"][0])}</a></li></ul></div>')
    return head(page, ex) + f'''<body class="artikelseite"><div id="wrapper">{cookie(c)}
<div class="kopf"><div class="logo"><a href="/"><img alt="{esc(page["site"])}" src="/logo.svg"></a></div><div class="ressorts">{" | ".join(f'<a href="/{slug(x)}/">{esc(x)}</a>' for x in c["nav"])}</div><div class="login"><a href="/login">Anmelden</a> <a href="/abo">Abo</a></div></div>
<div class="brotkrumen"><a href="/">{esc(c["home"])}</a> › <a href="/{slug(page["section"])}/">{esc(page["section"])}</a> › {esc(page["title"][:30])}</div>
<div class="inhalt"><div class="spalte-links"><div class="artikel">
<div class="dachzeile">{esc(page["section"])}</div>
<h1 class="ueberschrift">{esc(page["title"])}</h1>
<div class="artikel-meta">{autor}{datestr}</div>
<div class="teilen-leiste"><span>{esc(c["share2"])}:</span> <a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">E-Mail</a></div>
<div class="artikel-bild"><img data-src="/bilder/{page["slug"]}.jpg" src="/platzhalter.gif"><div class="bildunterschrift">{esc(c["caption"])}</div></div>
<div class="artikel-text">
{chr(10).join(ps)}
</div>
<div class="artikel-ende"><div class="teilen-leiste"><span>{esc(c["share2"])}</span></div><div class="schlagworte">Schlagworte: <a href="/t/1">{esc(page["section"])}</a></div></div>
</div>
<div class="mehr-zum-thema"><h3>{esc(c["more"])}</h3>{"".join(f'<div class="teaser"><a href="/x{i}.html"><h4>{esc(t)}</h4><p>{esc(P["de"][i][:80])}…</p></a></div>' for i, t in enumerate(page["other"][1:4]))}</div>
</div><div class="spalte-rechts">{trending(c, page["other"][3:8])}<div class="werbung"><span>{esc(c["ad"])}</span></div>{newsletter(c)}</div></div>
<div class="fuss">{" · ".join(f'<a href="/{slug(x)}">{esc(x)}</a>' for x in c["footer"])}<br>© {esc(page["site"])}</div>
</div></body></html>'''

def t_euro(page, c):
    # French/Spanish/Italian/Polish outlet: article__paragraph classes, "Lire aussi" inline, visible "Publié le".
    dm = page['dm']
    ex = og(page, 'og' in dm, 'og' in page['am'])
    if 'jsonld' in dm or 'jsonld' in page['am']: ex += jsonld(page, 'jsonld' in dm, 'jsonld' in page['am'], body=page['id'] % 3 == 0)
    if 'meta' in dm: ex += f'<meta name="publish-date" content="{page["iso"]}">'
    if 'meta' in page['am']: ex += f'<meta name="author" content="{esc(page["author"])}">'
    when = f'<span class="meta__date">{esc(c["pub"])} {esc(page["vis"])}</span>' if 'visible' in dm else ''
    if 'time' in dm: when = f'<span class="meta__date"><time datetime="{page["iso"]}">{esc(c["pub"])} {esc(page["vis"])}</time></span>'
    by = f'<span class="meta__author">{esc(c["by"])} <a class="article__author-link" href="/signataires/{slug(page["author"])}/">{esc(page["author"])}</a></span>' if 'visible' in page['am'] or 'rel' in page['am'] else ''
    ps = []
    for i, p in enumerate(page['body']):
        ps.append(f'<p class="article__paragraph">{esc(p)}</p>')
        if i == 1: ps.append(f'<section class="catcher catcher--inline"><span class="catcher__title">{esc(c["readalso"])}</span> <a class="catcher__link" href="/x.html">{esc(page["other"][0])}</a></section>')
        if i == 2: ps.append(f'<div class="dfp-slot dfp__inread"><p class="dfp-label">{esc(c["ad"])}</p></div>')
    return head(page, ex) + f'''<body class="article-page">{cookie(c)}
<header class="header">{nav(c, page["site"], page["host"])}</header>
<main id="main"><section class="article article--content">
<div class="article__header"><ul class="breadcrumb"><li><a href="/">{esc(c["home"])}</a></li><li><a href="/{slug(page["section"])}/">{esc(page["section"])}</a></li></ul>
<h1 class="article__title">{esc(page["title"])}</h1>
<p class="article__desc">{esc(page["body"][0][:100])}…</p>
<div class="meta meta__publisher">{by} {when}</div>
<div class="article__share"><a href="#" class="btn--share">{esc(c["share"])}</a></div></div>
<figure class="article__media"><img src="/img/{page["slug"]}.jpg" alt=""><figcaption class="article__legend">{esc(c["caption"])}</figcaption></figure>
<article class="article__content">
{chr(10).join(ps)}
</article>
<section class="article__reactions">{comments(c)}</section>
<section class="services"><h2>{esc(c["related"])}</h2>{related(c, page["lang"], page["other"][1:5])}</section>
</section><aside class="aside">{trending(c, page["other"][2:6])}{newsletter(c)}</aside></main>
{footer(c, page["site"])}</body></html>'''

TEMPLATES = {'wordpress': t_wordpress, 'drupal': t_drupal, 'arc': t_arc, 'brightspot': t_brightspot, 'ghost': t_ghost, 'regional-de': t_regional_de, 'euro': t_euro}
PLAN = {  # language -> templates cycled
 'de': ['regional-de', 'wordpress', 'drupal', 'regional-de', 'ghost', 'brightspot', 'arc', 'regional-de'],
 'fr': ['euro', 'wordpress', 'drupal', 'ghost'],
 'es': ['euro', 'arc', 'wordpress', 'brightspot'],
 'it': ['euro', 'wordpress', 'drupal', 'ghost'],
 'pl': ['euro', 'wordpress', 'drupal', 'regional-de'],
 'en': ['arc', 'brightspot', 'wordpress', 'ghost'],
}
# How the date and the author are declared: cycled so every template meets every way.
DATEWAYS = [['jsonld', 'og', 'time'], ['og'], ['visible'], ['meta', 'visible'], ['time'], ['jsonld'], ['visible', 'og'], ['url', 'visible']]
AUTHWAYS = [['jsonld', 'visible'], ['meta'], ['visible'], ['rel'], ['jsonld'], ['meta', 'visible'], ['visible'], ['og', 'visible']]
LOCALE = {'de': 'de_DE', 'fr': 'fr_FR', 'es': 'es_ES', 'it': 'it_IT', 'pl': 'pl_PL', 'en': 'en_US'}

labels = {}
pid = 1000
for lang, titles in TITLES.items():
    pool = P[lang]
    for i, title in enumerate(titles):
        pid += 17
        tpl = PLAN[lang][i % len(PLAN[lang])]
        site, host, sections = SITES[lang][i % len(SITES[lang])]
        section = sections[i % len(sections)]
        author = AUTHORS[lang][i % len(AUTHORS[lang])]
        n = 4 + (i % 3)
        start = (i * 3) % len(pool)
        body = [pool[(start + k) % len(pool)] for k in range(min(n, len(pool)))]
        y, m, d = 2021 + (i % 4), 1 + (i * 5) % 12, 1 + (i * 7) % 28
        hh, mm = 6 + (i * 3) % 14, (i * 13) % 60
        dm = DATEWAYS[(i + len(lang)) % len(DATEWAYS)]
        am = AUTHWAYS[(i * 3 + len(lang)) % len(AUTHWAYS)]
        sl = slug(title)
        url = f"https://{host}/{slug(section)}/{y}/{m:02d}/{d:02d}/{sl}/" if 'url' in dm else f"https://{host}/{slug(section)}/{sl}-{pid}.html"
        page = dict(id=pid, lang=lang, title=title, site=site, host=host, section=section, author=author, body=body,
                    iso=f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:00+01:00", iso_mod=f"{y}-{m:02d}-{d:02d}T{(hh+2)%24:02d}:{mm:02d}:00+01:00",
                    vis=visdate(lang, y, m, d, hh, mm), dm=dm, am=am, slug=sl, url=url, locale=LOCALE[lang],
                    htmllang={'de': 'de-DE', 'fr': 'fr', 'es': 'es-ES', 'it': 'it-IT', 'pl': 'pl', 'en': 'en-US'}[lang],
                    other=[t for t in titles if t != title][i % 3:][:8] + titles[:2])
        htmltext = TEMPLATES[tpl](page, C[lang])
        name = f"{lang}-{i+1:02d}-{tpl}.html"
        with open(os.path.join(OUT, name), 'w') as f:
            f.write(htmltext)
        labels[name] = dict(url=url, language=lang, cms=tpl, title=title, author=author, published=f"{y}-{m:02d}-{d:02d}",
                            site_name=site, section=section, date_declared=dm, author_declared=am, text="\n\n".join(body))
with open(os.path.join(OUT, 'labels.json'), 'w') as f:
    json.dump(labels, f, ensure_ascii=False, indent=1, sort_keys=True)
print(len(labels), "pages")
