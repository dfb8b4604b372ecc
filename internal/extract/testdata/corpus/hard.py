# Harder pages: metadata the common paths miss, appended to the corpus.
import json, os, sys, html as H
sys.path.insert(0, os.path.dirname(__file__))
from text import P
OUT = sys.argv[1]
esc = lambda s: H.escape(s, quote=True)
labels = json.load(open(os.path.join(OUT, 'labels.json')))

def page(head, body): return f'<!DOCTYPE html><html lang="{head[0]}"><head><meta charset="utf-8">{head[1]}</head><body>{body}</body></html>'
def ps(lang, start, n): return [P[lang][(start + k) % len(P[lang])] for k in range(n)]
def paras(b): return "".join(f"<p>{esc(p)}</p>" for p in b)
nav = '<nav class="menu"><a href="/">Start</a> <a href="/lokales/">Lokales</a> <a href="/sport/">Sport</a></nav>'

pages = []
# 1 German public-broadcaster style: only "Stand:" date, two authors in a byline, <title> with section and site.
b = ps('de', 2, 5)
pages.append(('de-h1-hard.html', 'de', 'https://www.nordsee-rundschau.example/lokales/schule-sanierung-100.html',
 f'<title>Schulsanierung beginnt im Frühjahr - Lokales - Nordsee-Rundschau</title><meta property="og:site_name" content="Nordsee-Rundschau"><meta property="article:section" content="Lokales">',
 f'{nav}<main><div class="seitenkopf"><span class="dachzeile">Lokales</span><h1 class="seitenkopf__headline">Schulsanierung beginnt im Frühjahr</h1></div><p class="metatextline">Stand: 14.03.2023 09:41 Uhr</p><p class="byline">Von Anna Schmidt und Tobias Krüger</p><div class="textabsatz">{paras(b)}</div><div class="teilen">Teilen</div></main><footer>Impressum | Datenschutz</footer>',
 'Schulsanierung beginnt im Frühjahr', 'Anna Schmidt, Tobias Krüger', '2023-03-14', 'Nordsee-Rundschau', 'Lokales', b))
# 2 German: JSON-LD with two authors and no date; og:title with a short brand suffix; date only in the URL.
b = ps('de', 9, 4)
ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Gewerkschaft ruft zu Kundgebung auf", "author": [{"@type": "Person", "name": "Katrin Becker"}, {"@type": "Person", "name": "Stefan Wagner"}], "publisher": {"@type": "Organization", "name": "Badischer Kurier"}}
pages.append(('de-h2-hard.html', 'de', 'https://www.badischer-kurier.example/wirtschaft/2022/11/08/gewerkschaft-kundgebung/',
 f'<title>Gewerkschaft ruft zu Kundgebung auf | BK</title><meta property="og:title" content="Gewerkschaft ruft zu Kundgebung auf | BK"><meta property="og:site_name" content="Badischer Kurier"><meta name="parsely-section" content="Wirtschaft"><script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
 f'{nav}<article><h1>Gewerkschaft ruft zu Kundgebung auf</h1><div class="article-body">{paras(b)}</div><aside class="related">Mehr zum Thema</aside></article>',
 'Gewerkschaft ruft zu Kundgebung auf', 'Katrin Becker, Stefan Wagner', '2022-11-08', 'Badischer Kurier', 'Wirtschaft', b))
# 3 German: visible date in words after "Erschienen am", author meta with "Von" prefix.
b = ps('de', 12, 4)
pages.append(('de-h3-hard.html', 'de', 'https://hessische-landeszeitung.example/kultur/heimatverein-ausstellung-88213.html',
 f'<title>Heimatverein zeigt Ortsgeschichte</title><meta name="author" content="Von Laura Meyer"><meta property="og:site_name" content="Hessische Landeszeitung"><meta property="article:section" content="Kultur">',
 f'{nav}<div id="content"><h1>Heimatverein zeigt Ortsgeschichte</h1><div class="info">Erschienen am 7. Juli 2024 um 18:30 Uhr</div>{paras(b)}<div class="newsletter-box">Newsletter abonnieren</div></div>',
 'Heimatverein zeigt Ortsgeschichte', 'Laura Meyer', '2024-07-07', 'Hessische Landeszeitung', 'Kultur', b))
# 4 French: meta author with "Par", numeric visible date, title with site prefix.
b = ps('fr', 3, 4)
pages.append(('fr-h1-hard.html', 'fr', 'https://www.courrierdumidi.example/meteo/canicule-vigilance-orange-4411.php',
 f'<title>Le Courrier du Midi - Canicule : vigilance orange dans le Sud</title><meta name="author" content="Par Sophie Girard"><meta property="og:site_name" content="Le Courrier du Midi"><meta property="article:section" content="Météo">',
 f'{nav}<article><h1>Canicule : vigilance orange dans le Sud</h1><p class="date">Publié le 03/07/2022 à 10h15</p>{paras(b)}<p>Lire aussi</p></article>',
 'Canicule : vigilance orange dans le Sud', 'Sophie Girard', '2022-07-03', 'Le Courrier du Midi', 'Météo', b))
# 5 Italian: two authors with "e", visible date in words.
b = ps('it', 2, 4)
pages.append(('it-h1-hard.html', 'it', 'https://www.gazzettadiprovincia.example/cronaca/maltempo-nord-12345/',
 f'<title>Maltempo, allerta al Nord | Gazzetta di Provincia</title><meta property="og:site_name" content="Gazzetta di Provincia"><meta property="article:section" content="Cronaca">',
 f'{nav}<article><h1>Maltempo, allerta al Nord</h1><div class="autore">Di Marco Ricci e Giulia Romano</div><div class="data">Pubblicato il 21 ottobre 2023</div>{paras(b)}<div class="social">Condividi</div></article>',
 'Maltempo, allerta al Nord', 'Marco Ricci, Giulia Romano', '2023-10-21', 'Gazzetta di Provincia', 'Cronaca', b))
# 6 Polish: "Opublikowano:" numeric date, author in a span with class "autor".
b = ps('pl', 3, 4)
pages.append(('pl-h1-hard.html', 'pl', 'https://kuriernadwislanski.example/pogoda/wichura-ostrzezenia,987.html',
 f'<title>Wichura nad regionem. Ostrzeżenia IMGW - Kurier Nadwiślański</title><meta property="og:site_name" content="Kurier Nadwiślański"><meta property="article:section" content="Pogoda">',
 f'{nav}<article><h1>Wichura nad regionem. Ostrzeżenia IMGW</h1><span class="autor">Piotr Wiśniewski</span><span class="data">Opublikowano: 12.10.2022 14:30</span>{paras(b)}<div class="reklama">Reklama</div></article>',
 'Wichura nad regionem. Ostrzeżenia IMGW', 'Piotr Wiśniewski', '2022-10-12', 'Kurier Nadwiślański', 'Pogoda', b))
# 7 Spanish: JSON-LD date without zone, author as a plain string with "Por".
b = ps('es', 0, 5)
ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Nuevo plan de movilidad para el centro", "datePublished": "2023-05-04T10:00:00", "author": "Por Elena Ruiz", "articleSection": "Local", "publisher": {"@type": "Organization", "name": "Diario del Levante"}}
pages.append(('es-h1-hard.html', 'es', 'https://www.diariodellevante.example/local/nuevo-plan-movilidad.html',
 f'<title>Nuevo plan de movilidad para el centro</title><script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>',
 f'{nav}<article><h1>Nuevo plan de movilidad para el centro</h1>{paras(b)}<div class="compartir">Compartir</div></article>',
 'Nuevo plan de movilidad para el centro', 'Elena Ruiz', '2023-05-04', 'Diario del Levante', 'Local', b))
# 8 English: <time> without datetime, byline with rel=author inside a sentence-like line.
b = ps('en', 2, 4)
pages.append(('en-h1-hard.html', 'en', 'https://www.riversideherald.example/weather/flood-watch-issued',
 f'<title>Flood watch issued for the region - Riverside Herald</title><meta property="og:site_name" content="Riverside Herald"><meta property="article:section" content="Weather">',
 f'{nav}<article><h1>Flood watch issued for the region</h1><div class="meta">By <a rel="author" href="/staff/emily-carter">Emily Carter</a></div><div class="meta">Published <time>March 5, 2024</time></div>{paras(b)}<p class="follow">Follow us on Facebook and Twitter</p></article>',
 'Flood watch issued for the region', 'Emily Carter', '2024-03-05', 'Riverside Herald', 'Weather', b))

for name, lang, url, head, body, title, author, date, site, section, b in pages:
    with open(os.path.join(OUT, name), 'w') as f:
        f.write(page((lang, head), body))
    labels[name] = dict(url=url, language=lang, cms='hard', title=title, author=author, published=date, site_name=site,
                        section=section, date_declared=['hard'], author_declared=['hard'], text="\n\n".join(b))
json.dump(labels, open(os.path.join(OUT, 'labels.json'), 'w'), ensure_ascii=False, indent=1, sort_keys=True)
print(len(labels))
