# Paragraph pools and page labels, per language.
P = {}
P['de'] = [
 "Der Gemeinderat hat am Dienstagabend mit knapper Mehrheit beschlossen, die Sanierung der Grundschule am Lindenplatz vorzuziehen. Die Arbeiten sollen bereits im kommenden Frühjahr beginnen und rund 4,2 Millionen Euro kosten.",
 "Bürgermeisterin Anja Keller sprach von einer „überfälligen Entscheidung“. Seit Jahren klagen Eltern und Lehrkräfte über undichte Fenster, eine veraltete Heizung und zu wenig Platz für die Ganztagsbetreuung.",
 "Kritik kam aus den Reihen der Opposition. Die Finanzierung sei nicht gesichert, sagte Fraktionschef Markus Brandt. Er fürchtet, dass andere Projekte wie der geplante Radweg entlang der Bundesstraße nun auf Jahre verschoben werden.",
 "Nach Angaben der Stadtverwaltung stammen rund zwei Drittel der Mittel aus einem Förderprogramm des Landes. Den Rest will die Kommune über einen Kredit finanzieren, dessen Zinsen im Haushalt bereits eingeplant sind.",
 "Während der Bauzeit werden die rund 280 Schülerinnen und Schüler in Containern auf dem benachbarten Sportplatz unterrichtet. Der Vereinssport muss in dieser Zeit auf die Halle in der Nachbargemeinde ausweichen.",
 "Die Polizei sucht nach einem Einbruch in eine Bäckerei in der Innenstadt nach Zeugen. Unbekannte hatten in der Nacht zum Sonntag die Hintertür aufgehebelt und die Tageskasse mit mehreren hundert Euro gestohlen.",
 "Ein Anwohner hatte gegen drei Uhr morgens verdächtige Geräusche gehört und zwei dunkel gekleidete Personen beobachtet, die in Richtung Bahnhof flüchteten. Hinweise nimmt jede Polizeidienststelle entgegen.",
 "Der Wetterdienst warnt für das Wochenende vor starkem Dauerregen im Bergland. Innerhalb von 48 Stunden könnten örtlich bis zu 80 Liter pro Quadratmeter fallen, an kleineren Flüssen sind Überschwemmungen möglich.",
 "Die Feuerwehren im Landkreis haben vorsorglich Sandsäcke an besonders gefährdete Gemeinden verteilt. Kreisbrandmeister Thomas Weber rief die Bevölkerung auf, Keller und Tiefgaragen im Blick zu behalten.",
 "Das Traditionsunternehmen will bis Ende nächsten Jahres rund 120 Stellen am Standort abbauen. Betriebsbedingte Kündigungen sollen nach Angaben der Geschäftsführung möglichst vermieden werden.",
 "Die Gewerkschaft reagierte mit scharfer Kritik auf die Pläne. Man werde um jeden Arbeitsplatz kämpfen, sagte die Bevollmächtigte Sabine Roth bei einer Kundgebung vor dem Werkstor, zu der mehrere hundert Beschäftigte gekommen waren.",
 "Der Heimatverein feiert in diesem Jahr sein hundertjähriges Bestehen. Zum Jubiläum zeigt er im alten Rathaus eine Ausstellung mit Fotografien, Urkunden und Alltagsgegenständen aus einem Jahrhundert Ortsgeschichte.",
 "Besonders stolz sind die Mitglieder auf ein Modell des Marktplatzes um das Jahr 1925, das ein pensionierter Schreiner in zweijähriger Arbeit aus Lindenholz gebaut hat. Die Ausstellung ist sonntags von 14 bis 17 Uhr geöffnet.",
 "Im Finale setzte sich die Mannschaft des TSV nach Verlängerung mit 3:2 durch. Den entscheidenden Treffer erzielte der erst 19-jährige Jonas Albrecht in der 112. Minute mit einem sehenswerten Distanzschuss.",
 "Trainer Uwe Lorenz lobte nach dem Abpfiff vor allem die Moral seines Teams, das zur Pause noch mit zwei Toren zurückgelegen hatte. Am Abend feierten Spieler und Fans gemeinsam im Vereinsheim.",
 "Die Landesregierung hat ein neues Programm zur Förderung von Hausärzten auf dem Land vorgestellt. Junge Medizinerinnen und Mediziner, die sich in unterversorgten Regionen niederlassen, erhalten einen Zuschuss von bis zu 60.000 Euro.",
]
P['fr'] = [
 "Le conseil municipal a adopté lundi soir le projet de réaménagement de la place de la Gare, après plus de deux ans de concertation avec les habitants et les commerçants du quartier.",
 "Les travaux, estimés à 6,5 millions d'euros, doivent débuter à l'automne. La circulation automobile sera réduite à une seule voie et de nouvelles pistes cyclables relieront la gare au centre historique.",
 "L'opposition dénonce un calendrier « précipité » et réclame une étude d'impact sur le stationnement. Plusieurs commerçants craignent une baisse de leur chiffre d'affaires pendant la durée du chantier.",
 "Selon Météo-France, un épisode de fortes chaleurs touchera le sud du pays à partir de jeudi. Les températures pourraient dépasser 38 degrés dans la vallée du Rhône, et plusieurs départements ont été placés en vigilance orange.",
 "Les autorités sanitaires recommandent de boire régulièrement, d'éviter les efforts physiques aux heures les plus chaudes et de prendre des nouvelles des personnes âgées ou isolées.",
 "La grève des contrôleurs aériens a entraîné l'annulation de près d'un tiers des vols au départ de Paris. La direction générale de l'aviation civile a demandé aux compagnies de réduire leurs programmes de vol.",
 "Le festival de musique, qui fête cette année sa vingtième édition, a attiré plus de 40 000 spectateurs en trois jours. Les organisateurs se disent satisfaits malgré les orages de samedi soir.",
]
P['es'] = [
 "El Ayuntamiento aprobó este martes el nuevo plan de movilidad, que prevé ampliar las zonas peatonales del centro histórico y crear tres nuevas líneas de autobús eléctrico antes de finales de 2025.",
 "La alcaldesa defendió la medida como «una apuesta por la calidad del aire y por la salud de los vecinos». Los grupos de la oposición votaron en contra y anunciaron que recurrirán el acuerdo.",
 "Según los datos del último informe municipal, el tráfico rodado en el centro ha crecido un 12 por ciento en los últimos cinco años, mientras que el uso del transporte público apenas ha variado.",
 "La Agencia Estatal de Meteorología ha activado el aviso amarillo por lluvias intensas en la costa mediterránea. Se esperan acumulaciones de hasta 60 litros por metro cuadrado en pocas horas.",
 "Los servicios de emergencia recomiendan evitar los desplazamientos innecesarios y no cruzar cauces ni zonas inundadas. Varios colegios de la provincia han suspendido las clases como medida de precaución.",
 "El equipo local consiguió una victoria importante ante su afición gracias a un gol en el último minuto. Con este resultado, el club se coloca a tres puntos de los puestos de ascenso.",
 "La investigación, publicada en una revista científica internacional, concluye que las praderas marinas del Mediterráneo almacenan mucho más carbono de lo que se pensaba hasta ahora.",
]
P['it'] = [
 "Il consiglio comunale ha approvato ieri sera il bilancio di previsione, che destina oltre due milioni di euro alla manutenzione delle strade e al rifacimento dell'illuminazione pubblica nei quartieri periferici.",
 "Il sindaco ha parlato di «un bilancio responsabile, che non aumenta le tasse e investe sulla sicurezza». L'opposizione ha invece criticato i tagli ai servizi sociali e alle politiche per i giovani.",
 "Secondo la Protezione civile, il maltempo dovrebbe interessare soprattutto le regioni del Nord fino a domenica. Sono previste forti piogge, grandinate e raffiche di vento fino a 80 chilometri orari.",
 "In diversi comuni le scuole resteranno chiuse per precauzione. I cittadini sono invitati a limitare gli spostamenti e a non sostare vicino ai corsi d'acqua o sotto gli alberi.",
 "La mostra, allestita nelle sale del palazzo comunale, raccoglie oltre cento opere tra dipinti, disegni e fotografie dedicate al paesaggio della regione nel corso del Novecento.",
 "Gli organizzatori prevedono più di trentamila visitatori entro la fine dell'estate. L'ingresso è gratuito per i residenti e per i ragazzi sotto i diciotto anni.",
 "La squadra di casa ha vinto il derby per due a uno davanti a un pubblico di oltre quindicimila spettatori, conquistando così il primo posto in classifica dopo dieci giornate.",
]
P['pl'] = [
 "Rada miasta przyjęła we wtorek uchwałę w sprawie budowy nowego mostu na Wiśle. Inwestycja ma kosztować ponad 300 milionów złotych, a prace budowlane mają się rozpocząć w przyszłym roku.",
 "Prezydent miasta podkreślił, że nowa przeprawa odciąży centrum od ruchu samochodowego i skróci czas dojazdu mieszkańcom prawobrzeżnych dzielnic nawet o kwadrans.",
 "Radni opozycji zwracają uwagę, że miasto nie ma jeszcze zapewnionego finansowania całej inwestycji. Ich zdaniem ryzyko wzrostu kosztów jest bardzo wysokie.",
 "Instytut Meteorologii i Gospodarki Wodnej wydał ostrzeżenia przed silnym wiatrem dla kilku województw. W porywach wiatr może osiągać prędkość do 90 kilometrów na godzinę.",
 "Strażacy w ciągu nocy interweniowali ponad dwieście razy, głównie przy usuwaniu powalonych drzew i zerwanych linii energetycznych. Bez prądu pozostaje kilka tysięcy odbiorców.",
 "Nowa wystawa w muzeum narodowym prezentuje prace polskich malarzy z przełomu XIX i XX wieku. Wiele z obrazów pochodzi z prywatnych kolekcji i nigdy wcześniej nie było pokazywanych publicznie.",
 "Drużyna gospodarzy wygrała mecz dwa do zera i awansowała do ćwierćfinału pucharu. Obie bramki zdobył w drugiej połowie dwudziestoletni napastnik, dla którego był to debiut w pierwszym składzie.",
]
P['en'] = [
 "The city council voted on Tuesday night to approve a new housing plan that would allow taller apartment buildings near train stations, a move supporters say is needed to ease a severe shortage of affordable homes.",
 "Opponents argued that the plan had been rushed through without enough public input and warned that it could change the character of older neighbourhoods. Several residents spoke against it during a four-hour meeting.",
 "The National Weather Service issued a flood watch for much of the region through Sunday, with up to four inches of rain expected in some areas. Officials urged drivers not to attempt crossing flooded roads.",
 "Schools in at least three districts announced early closures on Friday, and the state's emergency management agency said it had positioned rescue crews and equipment near rivers prone to flooding.",
 "Researchers at the university said the new battery design could store twice as much energy as current lithium-ion cells while using cheaper and more widely available materials.",
 "The company said it expected to begin testing the technology in electric buses next year, though it cautioned that large-scale production was still several years away.",
 "The home team rallied from a 15-point deficit in the fourth quarter to win 98-94, extending its winning streak to six games. The point guard finished with 31 points and 9 assists.",
]
