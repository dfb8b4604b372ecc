#!/usr/bin/env python3
"""Writes the fixtures whose bytes are not UTF-8 (or not only UTF-8).

Run from this directory: python3 gen_encodings.py
They are generated because an editor would silently re-encode them.
"""

cp1252 = '''<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0">
  <channel>
    <title>Süddeutsche Zeitung – Politik</title>
    <link>https://www.sueddeutsche.de/politik</link>
    <description>Nachrichten aus Politik – „aktuell“ und übersichtlich</description>
    <language>de-DE</language>
    <item>
      <title>Grüne fordern schärfere Maßnahmen für Klimaschutz</title>
      <link>https://www.sueddeutsche.de/politik/klimaschutz-gruene-1.6712345</link>
      <pubDate>Mon, 13 May 2024 14:20:00 GMT</pubDate>
      <description>Die Fraktion drängt auf Änderungen – „so schnell wie möglich“ – am Gesetz.</description>
      <author>redaktion@sueddeutsche.de (Jürgen Größ)</author>
    </item>
  </channel>
</rss>
'''
open('rss_windows1252_sz.xml', 'wb').write(cp1252.encode('cp1252'))

pl = '''<?xml version="1.0" encoding="ISO-8859-2"?>
<rss version="2.0">
  <channel>
    <title>Gazeta Wyborcza - Wiadomości</title>
    <link>https://wyborcza.pl/</link>
    <description>Najważniejsze wiadomości z kraju i ze świata</description>
    <language>pl</language>
    <item>
      <title>Łódź: źródła finansowania żłobków zagrożone</title>
      <link>https://wyborcza.pl/7,75398,30912345,lodz-zlobki.html</link>
      <pubDate>Tue, 14 May 2024 06:05:00 +0200</pubDate>
      <description>Samorząd ostrzega przed cięciami w przyszłym roku.</description>
      <category>Kraj</category>
    </item>
  </channel>
</rss>
'''
open('rss_iso8859-2_wyborcza.xml', 'wb').write(pl.encode('iso-8859-2'))

# Declares UTF-8; the channel text is UTF-8 but the item text came from a
# legacy windows-1252 database.
head = '''<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Der Standard – Österreich</title>
    <link>https://www.derstandard.at/</link>
    <description>Nachrichten aus Österreich</description>
    <item>
'''.encode('utf-8')
item = '''      <title>Wiener Linien: Störung auf der U6 – Ersatzverkehr für Fahrgäste</title>
      <link>https://www.derstandard.at/story/3000000219876/wiener-linien-stoerung</link>
      <pubDate>Tue, 14 May 2024 07:12:00 +0200</pubDate>
      <description>Zwischen Spittelau und Floridsdorf fährt ein Schienenersatzverkehr.</description>
    </item>
  </channel>
</rss>
'''.encode('cp1252')
open('rss_utf8_declared_cp1252_bytes.xml', 'wb').write(head + item)

nzz = '''<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>NZZ – Neue Zürcher Zeitung</title><link>https://www.nzz.ch/</link>
<item><title>Zürich erhält neue Tramlinie</title><link>https://www.nzz.ch/zuerich/tram-ld.1830000</link><pubDate>Tue, 14 May 2024 05:00:00 +0200</pubDate></item>
</channel></rss>
'''
# UTF-8 with a byte order mark.
open('rss_utf8_bom_nzz.xml', 'wb').write(b'\xef\xbb\xbf' + nzz.encode('utf-8'))
# UTF-16 (little endian, with BOM), as some Windows CMSs export.
open('rss_utf16_bom_nzz.xml', 'wb').write(nzz.replace('utf-8', 'UTF-16').encode('utf-16'))
# Declares ISO-8859-1 but the bytes are UTF-8 (stale template declaration).
open('rss_latin1_declared_utf8_bytes.xml', 'wb').write(nzz.replace('utf-8', 'ISO-8859-1').encode('utf-8'))
