import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DocumentError,
  normalizeDocument,
  type DocumentErrorCode,
  type NormalizedDocument,
} from '../../shared/index.ts';

// The sample corpus in seeds/: every good file must normalize to the fields below, and every
// file in seeds/bad must be refused with the expected error code.

const SEEDS_DIR = fileURLToPath(new URL('../../seeds/', import.meta.url));

/** Files under `dir`, as `/`-separated paths relative to seeds/, skipping `skip` directories. */
function listFiles(dir: string, skip: readonly string[] = []): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(SEEDS_DIR, relative), { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.includes(path)) walk(path);
      } else if (entry.isFile()) {
        found.push(path);
      }
    }
  };
  walk(dir);
  return found.sort();
}

const readSeed = (path: string): Uint8Array => new Uint8Array(readFileSync(join(SEEDS_DIR, path)));
const keyOf = (path: string): string => `seeds/${path}`;
const normalizeSeed = (path: string): NormalizedDocument => normalizeDocument(readSeed(path), { key: keyOf(path) });

/** The document fields each seed must have exactly, plus what its body must and must not hold. */
type SeedExpectation = Pick<NormalizedDocument, 'format' | 'title' | 'authors' | 'publishedAt' | 'imageCredit' | 'url' | 'site'> & {
  /** What the seed exercises, for people reading a failure. */
  covers: string;
  /** Every good seed is long enough for a sure language. */
  language: string;
  /** Checked only where given (Markdown). */
  tags?: string[];
  /** Sentences that must survive into the body. */
  bodyContains: string[];
  /** Metadata and boilerplate that must not end up in the body (the title is always checked too). */
  bodyExcludes: string[];
};

const GOOD_SEEDS: Record<string, SeedExpectation> = {
  // ---------------------------------------------------------------- article (scraped news)
  '000_5f7353310f704cc7.txt': {
    covers: 'the reference scraped article: leading blank lines, organisation byline, credit, trailer',
    format: 'article',
    title: 'Turkey Says Delivery of Second Russian S-400 Batch Might Be Delayed',
    authors: ['Reuters'],
    publishedAt: '2019-11-04',
    imageCredit: 'Wikicommons',
    url: 'https://www.themoscowtimes.com/2019/11/04/turkey-says-delivery-of-second-russian-s-400-batch-might-be-delayed-a68026',
    site: 'themoscowtimes.com',
    language: 'en',
    bodyContains: [
      'Delivery of a second batch of Russian S-400 missile defense systems to Turkey may be delayed beyond a planned 2020 timeline',
      "Despite this, Demir said Turkey was still open to offers by the United States to buy U.S. Patriot missile defense systems as long as they met Ankara's conditions.",
    ],
    bodyExcludes: ['By Reuters', 'November 04, 2019', 'Wikicommons', 'Original url', 'themoscowtimes.com'],
  },
  '001_river-trams-new-routes.txt': {
    covers: 'two authors, "Nov. 12, 2020", www host, utm_* + fbclid + fragment dropped, curly quotes',
    format: 'article',
    title: 'Electric River Trams to Add Two Routes Next Summer',
    authors: ['Ivan Petrov', 'Anna Smirnova'],
    publishedAt: '2020-11-12',
    imageCredit: 'City Transport Department',
    url: 'https://www.rivercitydaily.com/2020/11/12/electric-river-trams-two-new-routes-a4410',
    site: 'rivercitydaily.com',
    language: 'en',
    bodyContains: [
      'The city will open two more routes for its electric river trams next summer',
      '“We expected tourists, but most of our passengers turned out to be people going to work,” said Yelena Markova',
      'The city’s long-term plan foresees up to twenty electric boats on the river by 2023.',
    ],
    bodyExcludes: ['By Ivan Petrov', 'Nov. 12, 2020', 'City Transport Department', 'Original url', 'rivercitydaily', 'utm_source'],
  },
  '002_northern-rail-freight-corridor.txt': {
    covers: 'three authors ("A, B and C"), "12 March 2021", no credit, ### subheadings, "- " list',
    format: 'article',
    title: 'Northern Rail Freight Corridor Doubles Container Traffic in a Year',
    authors: ['Olga Vinogradova', 'Mark Bennett', 'Leyla Aliyeva'],
    publishedAt: '2021-03-12',
    imageCredit: null,
    url: 'https://railfreightreview.net/news/2021/03/12/northern-corridor-doubles-container-traffic',
    site: 'railfreightreview.net',
    language: 'en',
    bodyContains: [
      'Container traffic on the northern rail corridor between the Baltic ports and the inland logistics hubs doubled last year',
      'Why shippers switched',
      'transit times of twelve to fourteen days, roughly half of the sea route',
      'Still, the operator expects volumes to grow by another 25 percent this year',
    ],
    bodyExcludes: ['By Olga Vinogradova', 'Leyla Aliyeva', '12 March 2021', 'Original url', 'railfreightreview.net'],
  },
  '003_heatwave-advice-no-byline.txt': {
    covers: 'no byline, "June 8, 2021", no url trailer, numbered list',
    format: 'article',
    title: 'Health Officials Issue Heatwave Advice as Temperatures Near 35C',
    authors: [],
    publishedAt: '2021-06-08',
    imageCredit: 'Shutterstock',
    url: null,
    site: null,
    language: 'en',
    bodyContains: [
      'Regional health officials on Tuesday urged residents to stay indoors during the hottest hours of the day',
      'Check on elderly neighbours and relatives at least once a day.',
      'Forecasters expect the heat to ease slightly next week, although they said temperatures would remain well above the seasonal average until the end of the month.',
    ],
    bodyExcludes: ['June 8, 2021', 'Shutterstock'],
  },
  '004_early-grape-harvest-crlf.txt': {
    covers: 'CRLF line endings, "By AFP", "September 21, 2020", credit with a slash',
    format: 'article',
    title: 'Wine Growers Start Harvest Early After Record Dry Summer',
    authors: ['AFP'],
    publishedAt: '2020-09-21',
    imageCredit: 'Pierre Laurent / AFP',
    url: 'https://www.vineyardwire.com/harvest/2020/09/21/early-harvest-dry-summer',
    site: 'vineyardwire.com',
    language: 'en',
    bodyContains: [
      'Wine growers across the southern valleys began picking grapes up to three weeks earlier than usual this year',
      'The federation said it would ask the government for help to build small reservoirs that could store winter rain',
    ],
    bodyExcludes: ['By AFP', 'September 21, 2020', 'Pierre Laurent', 'Original url', 'vineyardwire'],
  },
  '005_central-bank-rate-bom.txt': {
    covers: 'UTF-8 BOM, "By Reuters", "Nov. 3, 2020", "> " quotes, "* " list',
    format: 'article',
    title: 'Central Bank Keeps Key Rate Unchanged, Signals Pause Until Spring',
    authors: ['Reuters'],
    publishedAt: '2020-11-03',
    imageCredit: 'Marta Novak / Reuters',
    url: 'https://www.financemonitor.org/markets/2020/11/03/central-bank-keeps-key-rate-unchanged',
    site: 'financemonitor.org',
    language: 'en',
    bodyContains: [
      'The central bank kept its key interest rate unchanged at 4.25 percent on Tuesday',
      'The balance of risks has shifted towards slower growth, but inflation expectations remain elevated.',
      'the exchange rate, which weakened sharply in September and October',
    ],
    bodyExcludes: ['By Reuters', 'Nov. 3, 2020', 'Marta Novak', 'Original url', 'financemonitor'],
  },
  '006_naberezhnaya-rekonstrukciya.txt': {
    covers: 'Russian article, Cyrillic byline and credit, "April 22, 2021"',
    format: 'article',
    title: 'Реконструкцию набережной завершат к началу учебного года',
    authors: ['Дмитрий Соколов'],
    publishedAt: '2021-04-22',
    imageCredit: 'Пресс-служба мэрии',
    url: 'https://www.gorodskievesti.ru/news/2021/04/22/naberezhnaya-rekonstrukciya-avgust',
    site: 'gorodskievesti.ru',
    language: 'ru',
    bodyContains: [
      'Реконструкцию центральной набережной планируют завершить к концу августа',
      'Стоимость работ оценивается примерно в восемьсот миллионов рублей.',
    ],
    bodyExcludes: ['By Дмитрий', 'Дмитрий Соколов', 'April 22, 2021', 'Пресс-служба мэрии', 'Original url'],
  },
  '007_snegopad-aeroport.txt': {
    covers: 'Russian article, "Dec. 1, 2020", upper-case host, gclid/utm dropped, other params kept',
    format: 'article',
    title: 'Аэропорт перенёс десятки рейсов из-за сильного снегопада',
    authors: ['Interfax'],
    publishedAt: '2020-12-01',
    imageCredit: null,
    url: 'https://news.severnyi-vestnik.ru/society/snegopad-aeroport-reisy?id=58213&section=transport',
    site: 'news.severnyi-vestnik.ru',
    language: 'ru',
    bodyContains: [
      'Сильный снегопад, начавшийся в ночь на вторник, нарушил работу городского аэропорта',
      'Коммунальщики предупредили, что вывоз снега со дворов займёт несколько дней.',
    ],
    bodyExcludes: ['By Interfax', 'Dec. 1, 2020', 'Original url', 'gclid', 'Severnyi'],
  },
  '008_community-solar-cooperative.txt': {
    covers: '"## Sub" subheadings inside the body, a body paragraph starting with "By "',
    format: 'article',
    title: 'Village Solar Cooperative Connects Its First 200 Homes',
    authors: ['Daniel Okafor'],
    publishedAt: '2021-06-08',
    imageCredit: 'Hannah Whitlock',
    url: 'https://countyledger.co.uk/local/2021/06/08/village-solar-cooperative-first-200-homes',
    site: 'countyledger.co.uk',
    language: 'en',
    bodyContains: [
      'A solar cooperative set up by residents of a small hill village has connected its first 200 homes',
      'How the scheme works',
      'adding a battery so that midday power can be used in the evening',
      'By the end of the summer, the board hopes to have raised enough money for the battery through a new share offer.',
    ],
    bodyExcludes: ['By Daniel Okafor', 'June 8, 2021', 'Hannah Whitlock', 'Original url', 'countyledger'],
  },
  '009_library-night-opening.txt': {
    covers: 'runs of blank lines, trailing spaces and a tab, "3 February 2021", kept query parameter',
    format: 'article',
    title: 'Library Launches Night Opening Hours for Students During Exam Season',
    authors: ['Priya Raman', 'Tom Hale'],
    publishedAt: '2021-02-03',
    imageCredit: 'University Press Office',
    url: 'https://www.campusherald.net/news/library-night-opening-exams?edition=uk',
    site: 'campusherald.net',
    language: 'en',
    bodyContains: [
      'The central university library will stay open until two in the morning for the next six weeks',
      'Security staff will be on duty throughout',
      'possibly on four nights a week rather than seven.',
    ],
    bodyExcludes: ['By Priya Raman', '3 February 2021', 'University Press Office', 'Original url', 'campusherald'],
  },
  '010_night-ferries-return.txt': {
    covers: 'curly apostrophe in the title, "Dec. 14, 2020", three authors, numbered list, quote, fragment only',
    format: 'article',
    title: 'Harbour City’s Night Ferries Return After Two-Year Pause',
    authors: ['Sofia Marchetti', 'Jonas Berg', 'Aiko Tanaka'],
    publishedAt: '2020-12-14',
    imageCredit: null,
    url: 'https://www.harbourcitypost.com/transport/night-ferries-return',
    site: 'harbourcitypost.com',
    language: 'en',
    bodyContains: [
      'Night ferries between the harbour and the outer islands will resume on Friday for the first time in two years',
      '00:40 on Fridays and Saturdays, calling only at the two largest islands',
      'We heard the same message at every public meeting: the islands feel cut off after dark.',
      '‘a small thing for the city but a big thing for the people who live out there’',
    ],
    bodyExcludes: ['By Sofia Marchetti', 'Dec. 14, 2020', 'Original url', 'main-content'],
  },
  '011_fan-owned-stadium.txt': {
    covers: '"By AFP" with a "12 March 2021" date, straight quotes',
    format: 'article',
    title: 'Football Club Unveils Plans for Fan-Owned Stadium',
    authors: ['AFP'],
    publishedAt: '2021-03-12',
    imageCredit: 'Club Handout',
    url: 'https://sportsdesk-daily.com/football/2021/03/12/fan-owned-stadium-plans',
    site: 'sportsdesk-daily.com',
    language: 'en',
    bodyContains: [
      'A second-division football club announced plans on Friday to build a new stadium',
      '"The stadium will belong to the people who fill it every other weekend," the club president told reporters.',
    ],
    bodyExcludes: ['By AFP', '12 March 2021', 'Club Handout', 'Original url', 'sportsdesk'],
  },
  '012_mercado-productores-matadero.txt': {
    covers: 'Spanish article, accented byline, "October 5, 2021", utm_* dropped',
    format: 'article',
    title: 'Un mercado de productores locales abre los sábados en el antiguo matadero',
    authors: ['Lucía Gómez Ortega'],
    publishedAt: '2021-10-05',
    imageCredit: 'Ayuntamiento',
    url: 'https://www.diariodelacomarca.es/ciudad/2021/10/05/mercado-productores-matadero',
    site: 'diariodelacomarca.es',
    language: 'es',
    bodyContains: [
      'El antiguo matadero municipal acogerá desde este sábado un mercado semanal de productores locales',
      'El mercado abrirá de nueve de la mañana a dos de la tarde.',
    ],
    bodyExcludes: ['By Lucía', 'October 5, 2021', 'Ayuntamiento', 'Original url', 'diariodelacomarca'],
  },

  // ---------------------------------------------------------------- Markdown
  '013_static-site-migration.md': {
    covers: 'front matter with title, author, bare date, url, block-style tags; headings and lists',
    format: 'markdown',
    title: 'What We Learned Moving Our Newsroom Blog to a Static Site',
    authors: ['Rachel Kim'],
    publishedAt: '2021-09-14',
    imageCredit: null,
    url: 'https://engineering.newsroomtools.io/posts/static-site-migration',
    site: 'engineering.newsroomtools.io',
    language: 'en',
    tags: ['engineering', 'performance', 'publishing'],
    bodyContains: [
      'Last spring our small engineering team moved the newsroom blog from an ageing content management system to a static site generator.',
      'Editors decided which old posts were worth repairing and which could be archived.',
      'Knowing what you have is most of the work.',
    ],
    bodyExcludes: ['title:', 'author:', 'tags:', 'Rachel Kim', 'newsroomtools.io'],
  },
  '014_fahrradstrassen-pilotprojekt.md': {
    covers: 'German; front matter authors list, date with time and +02:00 offset, utm_* url',
    format: 'markdown',
    title: 'Stadt testet Fahrradstraßen im Westviertel',
    authors: ['Katrin Vogel', 'Jonas Albrecht'],
    publishedAt: '2021-10-05T06:15:00.000Z',
    imageCredit: null,
    url: 'https://www.stadtanzeiger-online.de/verkehr/fahrradstrassen-westviertel',
    site: 'stadtanzeiger-online.de',
    language: 'de',
    tags: ['verkehr', 'radverkehr'],
    bodyContains: [
      'Die Stadt will im kommenden Frühjahr drei Straßen im Westviertel in Fahrradstraßen umwandeln.',
      'zusätzliche Abstellplätze für Lastenräder',
    ],
    bodyExcludes: ['authors:', 'Katrin Vogel', 'utm_', 'stadtanzeiger'],
  },
  '015_sourdough-notes-no-front-matter.md': {
    covers: 'no front matter: the title is the first "# " heading',
    format: 'markdown',
    title: 'Notes From a Year of Baking Sourdough at Home',
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    tags: [],
    bodyContains: [
      'I started keeping a sourdough starter during the first long winter at home, mostly out of boredom.',
      'Mix the dough on Saturday morning and fold it every half hour for two hours.',
      'The bread is not always beautiful, but it is almost always good',
    ],
    bodyExcludes: [],
  },
  '016_museum-late-openings.md': {
    covers: 'quoted front matter values, flow-style authors and tags, url with tracking and fragment',
    format: 'markdown',
    title: 'City Museums Try Thursday Late Openings to Win Younger Visitors',
    authors: ['Marcus Lindqvist', 'Ana Ribeiro', 'Chen Wei'],
    publishedAt: '2022-02-10',
    imageCredit: null,
    url: 'https://www.culturebeat.net/museums/thursday-late-openings?id=771',
    site: 'culturebeat.net',
    language: 'en',
    tags: ['culture', 'museums', 'nightlife'],
    bodyContains: [
      'Four municipal museums will stay open until ten in the evening every Thursday from March',
      'drawing sessions in the sculpture gallery, with materials provided',
    ],
    bodyExcludes: ['authors:', 'Marcus Lindqvist', 'fbclid', 'culturebeat'],
  },
  '017_trail-volunteers-weekend.md': {
    covers: 'front matter with a quoted date and no url',
    format: 'markdown',
    title: 'A Weekend Repairing Mountain Trails With Volunteers',
    authors: ['Elena Duarte'],
    publishedAt: '2020-08-30',
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    tags: ['outdoors', 'volunteering'],
    bodyContains: [
      'At seven on a Saturday morning, twenty-three volunteers gathered in the car park at the foot of the ridge',
      'one built stone drains across the path every few metres',
    ],
    bodyExcludes: ['author:', 'Elena Duarte', '2020-08-30'],
  },

  // ---------------------------------------------------------------- HTML
  '018_robotic-surgery-unit.html': {
    covers: 'og:title beats <title>, meta author, published_time +02:00, canonical, boilerplate inside and outside <article>',
    format: 'html',
    title: 'Regional Hospital Performs First Operations With Surgical Robot',
    authors: ['Grace Achieng'],
    publishedAt: '2021-06-08T12:30:00.000Z',
    imageCredit: null,
    url: 'https://www.valleycourier.com/health/2021/06/08/regional-hospital-surgical-robot',
    site: 'valleycourier.com',
    language: 'en',
    bodyContains: [
      'Surgeons at the regional hospital have carried out their first three operations using a robotic surgical system',
      'including a large donation from Hartley & Sons, a family-owned building firm.',
      'The hospital expects to perform about 250 robotic operations a year once the programme is fully running',
    ],
    bodyExcludes: [
      'Robotic Surgery Unit Opens at Regional Hospital',
      'Valley Courier',
      'By Grace Achieng',
      'Published June 8, 2021',
      'dataLayer',
      'font-family',
      'querySelectorAll',
      'Subscribe today',
      'Share this article',
      'Most read',
      'Derby tickets',
      'All rights reserved',
    ],
  },
  '019_marche-couvert-reouverture.html': {
    covers: 'French; only <title> with " | Site" suffix, <main>, decomposed (NFD) accents, no date',
    format: 'html',
    title: 'Le marché couvert rouvre ses portes après deux ans de travaux',
    authors: ['Camille Fournier'],
    publishedAt: null,
    imageCredit: null,
    url: 'https://www.gazettedesquais.fr/ville/marche-couvert-reouverture',
    site: 'gazettedesquais.fr',
    language: 'fr',
    bodyContains: [
      'Après deux années de chantier, les halles du centre-ville accueillent de nouveau les clients depuis samedi matin.',
      'La verrière, qui laissait passer la pluie depuis des années, a été remplacée.',
    ],
    bodyExcludes: ['La Gazette des Quais', 'cookieConsent', 'font-family', 'encart-pub', 'Accueil', 'Tous droits réservés', 'Mentions légales'],
  },
  '020_snowstorm-schools-closed.html': {
    covers: 'only <title>, published_time -05:00 crossing midnight UTC, canonical with &amp; and utm_*',
    format: 'html',
    title: 'Overnight Snowstorm Closes Schools Across the County',
    authors: ['Bill Henderson'],
    publishedAt: '2020-12-02T04:45:00.000Z',
    imageCredit: null,
    url: 'https://lakeshoretribune.com/weather/overnight-snowstorm-schools-closed',
    site: 'lakeshoretribune.com',
    language: 'en',
    bodyContains: [
      'All public schools in the county will be closed on Wednesday after a storm dropped more than a foot of snow overnight',
      'Forecasters said the snow would taper off by mid-morning, followed by two days of bitter cold with overnight lows well below zero.',
    ],
    bodyExcludes: ['Lakeshore Tribune', 'adSlots', 'weather-widget', 'Now: 28°F', 'Get our morning newsletter', 'Obituaries', 'Terms of use'],
  },
  '021_bibliobus-veinte-pueblos.html': {
    covers: 'Spanish; og:title beats <title>, published_time in UTC, <article> inside <main>',
    format: 'html',
    title: 'Un bibliobús llevará libros a veinte pueblos sin biblioteca',
    authors: ['Marta Iglesias'],
    publishedAt: '2022-05-19T07:00:00.000Z',
    imageCredit: null,
    url: 'https://heraldodelasierra.es/cultura/bibliobus-veinte-pueblos',
    site: 'heraldodelasierra.es',
    language: 'es',
    bodyContains: [
      'La diputación provincial pondrá en marcha en junio un bibliobús que recorrerá cada dos semanas veinte pueblos de la sierra',
      'Dos bibliotecarias se turnarán al volante y en el mostrador.',
    ],
    bodyExcludes: [
      'Bibliobús rural',
      'El Heraldo de la Sierra',
      'Por Marta Iglesias',
      'Compartir en redes sociales',
      'Suscríbete',
      'Portada',
      'muroDePago',
      'background',
    ],
  },

  // ---------------------------------------------------------------- JSON
  '022_coastal-erosion-survey.json': {
    covers: 'keys title, author, date, url, body',
    format: 'json',
    title: 'Survey Finds Coastline Retreating Faster Than Expected',
    authors: ['Helen Marsh'],
    publishedAt: '2021-02-19',
    imageCredit: null,
    url: 'https://coastalnewswire.org/environment/coastline-retreat-survey',
    site: 'coastalnewswire.org',
    language: 'en',
    bodyContains: [
      'A new survey of the eastern coastline has found that cliffs in several places are retreating twice as fast',
      'want compensation before any move is planned.',
    ],
    bodyExcludes: ['Helen Marsh', '"body"', 'coastalnewswire'],
  },
  '023_transit-app-outage.json': {
    covers: 'keys title, authors, publishedAt (UTC), link, text; CRLF and runs of blank lines inside the text',
    format: 'json',
    title: 'Ticketing App Outage Leaves Commuters Queuing at Machines',
    authors: ['Sam Okoro', 'Julia Brandt'],
    publishedAt: '2021-09-14T06:45:00.000Z',
    imageCredit: null,
    url: 'https://metrodispatch.com/transport/ticketing-app-outage',
    site: 'metrodispatch.com',
    language: 'en',
    bodyContains: [
      'Thousands of commuters were unable to buy or show tickets on Tuesday morning',
      'Service was restored a little after nine',
      'The authority will also review how its certificates are monitored and renewed.',
    ],
    bodyExcludes: ['Sam Okoro', 'metrodispatch'],
  },
  '024_huerto-escolar-premio.json': {
    covers: 'Spanish; keys title, byline ("By ..."), published_at, url with utm_*, content',
    format: 'json',
    title: 'Un huerto escolar gana el premio regional de educación ambiental',
    authors: ['Tomás Herrera'],
    publishedAt: '2022-04-07',
    imageCredit: null,
    url: 'https://www.noticiasdelvalle.es/educacion/huerto-escolar-premio',
    site: 'noticiasdelvalle.es',
    language: 'es',
    bodyContains: [
      'El huerto que los alumnos de un colegio público del barrio de San Lorenzo cultivan desde hace cuatro años',
      'construir un pequeño invernadero para poder trabajar también durante el invierno.',
    ],
    bodyExcludes: ['By Tomás', 'Tomás Herrera', 'noticiasdelvalle'],
  },
  '025_elektrobusy-marshruty.json': {
    covers: 'Russian; keys title, author, publishedAt with +03:00, url, body',
    format: 'json',
    title: 'На пригородные маршруты выйдут первые электробусы',
    authors: ['Анна Белова'],
    publishedAt: '2020-05-03T07:00:00.000Z',
    imageCredit: null,
    url: 'https://www.oblastnye-novosti.ru/transport/elektrobusy-prigorod',
    site: 'oblastnye-novosti.ru',
    language: 'ru',
    bodyContains: [
      'Первые электробусы выйдут на пригородные маршруты уже этим летом',
      'В министерстве обещали пересмотреть расписание после первых месяцев работы.',
    ],
    bodyExcludes: ['Анна Белова', 'oblastnye-novosti'],
  },
  '026_startup-grant-programme.json': {
    covers: 'keys title, author, date, link (gclid dropped, other parameter kept), content; unrelated extra keys',
    format: 'json',
    title: 'City Launches Grant Programme for First-Time Founders',
    authors: ['Nadia Petrescu'],
    publishedAt: '2023-01-12',
    imageCredit: null,
    url: 'https://www.businessquarter.co/startups/first-time-founders-grants?ref_id=4471',
    site: 'businessquarter.co',
    language: 'en',
    bodyContains: [
      'The city will offer grants of up to 15,000 euros to people starting their first business',
      'Supporters replied that the first months are when new founders most need help.',
    ],
    bodyExcludes: ['cms-88213', 'Nadia Petrescu', 'businessquarter'],
  },

  // ---------------------------------------------------------------- plain text
  '027_water-main-repairs.txt': {
    covers: 'plain text after leading blank lines: first non-empty line is the title',
    format: 'text',
    title: 'Water Main Repairs to Close Bridge Street for Three Weeks',
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    bodyContains: [
      'Bridge Street will be closed to traffic between the railway station and the market square for three weeks from Monday',
      'The town council has offered free parking in the multi-storey car park at weekends',
    ],
    bodyExcludes: [],
  },
  '028_choir-festival-volunteers.txt': {
    covers: 'plain text whose body starts on the line right after the title',
    format: 'text',
    title: 'Choir Festival Looks for Two Hundred Volunteers',
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    bodyContains: [
      'Organisers of the international choir festival, which returns to the city in July after a three-year break',
      'Applications are open until the end of April.',
    ],
    bodyExcludes: [],
  },
  '029_lost-and-found-report.txt': {
    covers: 'plain text with a colon in the title',
    format: 'text',
    title: 'Umbrellas, Keys and a Cello: What Passengers Left Behind Last Year',
    authors: [],
    publishedAt: null,
    imageCredit: null,
    url: null,
    site: null,
    language: 'en',
    bodyContains: [
      "The regional railway's lost property office received just over eleven thousand items last year",
      'Even a small label on a key ring, she said, can turn weeks of searching into a single phone call.',
    ],
    bodyExcludes: [],
  },
  // ---------------------------------------------------------------- html (real page layouts)
  '030_harbour-bridge-reopening-many-articles.html': {
    covers: 'six <article>s (top-story and related teasers, reader comments) around the story; "By A and B" under the <h1>; <title> differs from <h1>; <time> in the story',
    format: 'html',
    title: 'Harbour Bridge to reopen to traffic after cable repairs',
    authors: ['Priya Raman', 'Tom Whitlock'],
    publishedAt: '2023-03-14T09:15:00.000Z',
    imageCredit: null,
    url: 'https://www.estuaryecho.co.uk/news/transport/harbour-bridge-reopen-cable-repairs?ref=homepage',
    site: 'estuaryecho.co.uk',
    language: 'en',
    bodyContains: [
      'The Harbour Bridge will reopen to cars and buses on Monday morning',
      'By the end of the month the footpath on the eastern side will also be open again',
      'A weight limit of 18 tonnes will stay in place until a final inspection in May.',
    ],
    bodyExcludes: [
      'Harbour Bridge set to reopen after six months of cable repairs',
      'By Priya Raman',
      '14 March 2023',
      'Top stories',
      'Council tax to rise',
      'More on this story',
      'the diversions explained',
      'Comments (3)',
      'QuaySideKate',
      'About time too',
      'All rights reserved',
      "What's on",
    ],
  },
  '031_tram-depot-solar-roof-graph.html': {
    covers: 'JSON-LD @graph with @id references (authors, publisher), dateModified after datePublished, malformed second block; content-with-sidebar-wrp, ad_body, share-btns wrappers around the text',
    format: 'html',
    title: 'Solar roof makes tram depot self-sufficient on sunny days',
    authors: ['Lena Okafor', 'Dev Malhotra'],
    publishedAt: '2024-07-02T05:00:00.000Z',
    imageCredit: null,
    url: 'https://metroledger.com/city/2024/07/02/tram-depot-solar-roof',
    site: 'metroledger.com',
    language: 'en',
    tags: ['trams', 'solar power', 'energy'],
    bodyContains: [
      "The city's largest tram depot now produces more electricity than it uses on clear summer days",
      'Engineers had to strengthen parts of the hundred-year-old roof before the panels could be fitted',
    ],
    bodyExcludes: ['Most popular', 'Bin collections to change', 'Subscribe to the Metro Ledger', 'BreadcrumbList', 'Metro Ledger'],
  },
  '032_allotment-waiting-list-microdata.html': {
    covers: 'site name as <meta name=author> loses to a microdata Person; "Site — Title" prefix removed; microdata datePublished; a list menu outside <nav>; a body paragraph starting "By"',
    format: 'html',
    title: 'Allotment waiting list passes 900 names',
    authors: ['Harriet Osei'],
    publishedAt: '2025-04-22',
    imageCredit: null,
    url: 'https://greenfieldgazette.org/local/allotment-waiting-list-900',
    site: 'greenfieldgazette.org',
    language: 'en',
    bodyContains: [
      'More than 900 people are now waiting for an allotment in Greenfield',
      'By splitting some full-size plots in two, officers hope to offer around sixty people a half plot',
      'Starting small means fewer people give up.',
    ],
    bodyExcludes: ['Harriet Osei', 'Opinion', 'Events', 'About us', 'Advertise'],
  },
};

/** Every file in seeds/bad and the reason it must be refused. */
const BAD_SEEDS: Record<string, { code: DocumentErrorCode; covers: string }> = {
  'bad/empty.txt': { code: 'empty', covers: 'zero bytes' },
  'bad/whitespace-only.txt': { code: 'empty', covers: 'spaces, tabs, LF and CRLF only' },
  'bad/pixel.png': { code: 'unsupported_format', covers: 'a real 1x1 PNG image' },
  'bad/scan.pdf': { code: 'unsupported_format', covers: 'a minimal one-page PDF' },
  'bad/compressed-article.txt.gz': { code: 'unsupported_format', covers: 'a gzip-compressed article' },
  'bad/nul-bytes.txt': { code: 'unsupported_format', covers: 'readable text with runs of NUL bytes' },
  'bad/invalid-utf8.txt': { code: 'invalid_encoding', covers: 'UTF-8 text with broken sequences (C3 28, lone continuations, overlong, truncated)' },
  'bad/array.json': { code: 'malformed', covers: 'a JSON array, not an object' },
  'bad/number.json': { code: 'malformed', covers: 'a JSON number, not an object' },
};

const goodFiles = listFiles('', ['bad']);
const badFiles = listFiles('bad');

describe('seeds corpus', () => {
  it('has an expectation for every good seed and for every bad one', () => {
    expect(goodFiles).toEqual(Object.keys(GOOD_SEEDS).sort());
    expect(badFiles).toEqual(Object.keys(BAD_SEEDS).sort());
  });

  it.each(goodFiles)('normalizes %s without throwing', (path) => {
    expect(() => normalizeSeed(path)).not.toThrow();
  });

  it.each(Object.entries(GOOD_SEEDS))('reads the expected fields from %s', (path, expected) => {
    const doc = normalizeSeed(path);

    expect({
      sourceKey: doc.sourceKey,
      format: doc.format,
      title: doc.title,
      authors: doc.authors,
      publishedAt: doc.publishedAt,
      imageCredit: doc.imageCredit,
      url: doc.url,
      site: doc.site,
      language: doc.language,
      encoding: doc.encoding,
      ...(expected.tags ? { tags: doc.tags } : {}),
    }).toEqual({
      sourceKey: keyOf(path),
      format: expected.format,
      title: expected.title,
      authors: expected.authors,
      publishedAt: expected.publishedAt,
      imageCredit: expected.imageCredit,
      url: expected.url,
      site: expected.site,
      language: expected.language,
      encoding: 'utf-8',
      ...(expected.tags ? { tags: expected.tags } : {}),
    });
  });

  it.each(Object.entries(GOOD_SEEDS))('keeps the article text of %s and only that', (path, expected) => {
    const { body } = normalizeSeed(path);

    for (const sentence of expected.bodyContains) expect.soft(body).toContain(sentence);
    for (const fragment of [expected.title, ...expected.bodyExcludes]) expect.soft(body).not.toContain(fragment);
    expect.soft(body).not.toContain('\r');
    expect.soft(body).not.toContain('\uFEFF');
    expect.soft(body).not.toMatch(/\n\n\n/);
    expect.soft(body.normalize('NFC')).toBe(body);
  });

  it('gives the same bytes under another key the same content hash and a different id', () => {
    const path = '000_5f7353310f704cc7.txt';
    const original = normalizeSeed(path);
    const copy = normalizeDocument(readSeed(path), { key: 'inbox/2019/copy-of-seed-000.txt' });

    expect(copy.contentHash).toBe(original.contentHash);
    expect(copy.id).not.toBe(original.id);
  });

  it.each(Object.entries(BAD_SEEDS))('refuses %s with a DocumentError', (path, { code }) => {
    let caught: unknown;
    try {
      normalizeSeed(path);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(DocumentError);
    expect((caught as DocumentError).code).toBe(code);
    expect((caught as DocumentError).message).not.toBe('');
  });
});
