// Cheap language detection on a sample: the script decides non-Latin languages, and the most
// frequent function words decide between Latin-script ones. General n-gram detectors (franc,
// tinyld) cost 0.4-0.7 ms a document here, more than the rest of normalization together.

const STOPWORDS: Record<string, string> = {
  en: 'the of and to in is that for it was on with as by he said at from his be are have has this which were an not but they',
  de: 'der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei',
  fr: 'le la les de des et en un une du est que pour dans qui au sur pas par avec il ce sont ne se plus été aux',
  es: 'el la de que y en los del se las por un para con una su al lo como más pero sus le ha fue este son entre',
  it: 'il di che la in un per non una è del della le si sono con da alla dei gli ha nel anche come più',
  pt: 'de que não o da em um para os uma com do no se na por mais as dos como mas foi ao ele das tem à seu sua ou',
  nl: 'de het een en van in is dat op te zijn met voor niet aan er om ook als maar bij door werd nog wordt',
  sv: 'och att det som en på är av för med till den har inte om ett var jag men de så från kan',
  pl: 'i w nie na się z do że to jest o jak po ale co tak za od przez był jego które są',
  tr: 've bir bu da de için ile olarak daha çok gibi olan en ama ne kadar sonra ise değil',
  id: 'yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke karena oleh ada',
};

const LANGUAGES = Object.keys(STOPWORDS);

// The stop words in a hash table keyed by their characters, so that the scan in latinLanguage
// looks a word up where it stands in the sample instead of cutting it out as a string first.
interface StopWord {
  word: string;
  /** Indices in LANGUAGES of the languages that use the word. */
  languages: number[];
  next: StopWord | undefined;
}
const TABLE_SIZE = 1024; // a power of two, several times the number of stop words
const STOP_WORDS: Array<StopWord | undefined> = new Array<StopWord | undefined>(TABLE_SIZE).fill(undefined);
let longestStopWord = 0;

function hashStep(hash: number, charCode: number): number {
  return (Math.imul(hash, 31) + charCode) | 0;
}

function stopWordAt(text: string, start: number, length: number, hash: number): StopWord | undefined {
  let entry = STOP_WORDS[hash & (TABLE_SIZE - 1)];
  while (entry !== undefined && (entry.word.length !== length || !text.startsWith(entry.word, start))) entry = entry.next;
  return entry;
}

for (const [index, language] of LANGUAGES.entries()) {
  for (const word of STOPWORDS[language]!.split(' ')) {
    let hash = 0;
    for (let i = 0; i < word.length; i++) hash = hashStep(hash, word.charCodeAt(i));
    const entry = stopWordAt(word, 0, word.length, hash);
    if (entry) entry.languages.push(index);
    else STOP_WORDS[hash & (TABLE_SIZE - 1)] = { word, languages: [index], next: STOP_WORDS[hash & (TABLE_SIZE - 1)] };
    longestStopWord = Math.max(longestStopWord, word.length);
  }
}

const SAMPLE_CHARS = 300;
// Anything past Latin Extended-B and combining marks, except general punctuation (curly quotes, dashes).
const BEYOND_LATIN = /[^\u0000-\u036f\u2000-\u206f]/;
const LETTER = /[A-Za-z\u00c0-\u024f]/;
const MIN_LETTERS = 20;

function scriptLanguage(sample: string): string | null | undefined {
  let latin = 0;
  let cyrillic = 0;
  let ukrainian = 0;
  let greek = 0;
  let arabic = 0;
  let hebrew = 0;
  let han = 0;
  let kana = 0;
  let hangul = 0;
  let thai = 0;
  let devanagari = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++;
    } else if (c >= 0xc0 && c <= 0x24f) latin++;
    else if (c >= 0x400 && c <= 0x4ff) {
      cyrillic++;
      // і ї є ґ occur in Ukrainian and not in Russian.
      if (c === 0x456 || c === 0x457 || c === 0x454 || c === 0x491) ukrainian++;
    } else if (c >= 0x370 && c <= 0x3ff) greek++;
    else if (c >= 0x600 && c <= 0x6ff) arabic++;
    else if (c >= 0x590 && c <= 0x5ff) hebrew++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if (c >= 0x4e00 && c <= 0x9fff) han++;
    else if (c >= 0xac00 && c <= 0xd7af) hangul++;
    else if (c >= 0xe00 && c <= 0xe7f) thai++;
    else if (c >= 0x900 && c <= 0x97f) devanagari++;
  }
  const counts: Array<[string, number]> = [
    ['latin', latin],
    [ukrainian >= 3 ? 'uk' : 'ru', cyrillic],
    ['el', greek],
    ['ar', arabic],
    ['he', hebrew],
    [kana > 0 ? 'ja' : 'zh', han + kana],
    ['ko', hangul],
    ['th', thai],
    ['hi', devanagari],
  ];
  let best = counts[0]!;
  let total = 0;
  for (const entry of counts) {
    total += entry[1];
    if (entry[1] > best[1]) best = entry;
  }
  if (total < MIN_LETTERS) return null;
  if (best[1] * 2 < total) return null;
  return best[0] === 'latin' ? undefined : best[0];
}

// Scratch for latinLanguage (synchronous, so one set serves every call): each language's score,
// and the languages in the order they first scored, which decides ties.
const scores = new Float64Array(LANGUAGES.length);
const scored: number[] = [];

/** True for the letters of the Latin-script languages above (lower case); anything else separates words. */
function isWordLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f);
}

function latinLanguage(sample: string): string | null {
  // One scan over the lower-cased sample, hashing each word as it goes; no word becomes a string.
  const lower = sample.toLowerCase();
  scores.fill(0);
  scored.length = 0;
  let considered = 0;
  const length = lower.length;
  let i = 0;
  while (i < length) {
    let c = lower.charCodeAt(i);
    if (!isWordLetter(c)) {
      i++;
      continue;
    }
    const start = i;
    let hash = 0;
    do {
      hash = hashStep(hash, c);
      c = ++i < length ? lower.charCodeAt(i) : 0; // 0: no letter, the word ends
    } while (isWordLetter(c));
    considered++;
    const stopWord = i - start <= longestStopWord ? stopWordAt(lower, start, i - start, hash) : undefined;
    if (stopWord === undefined) continue;
    // A word that several languages share says less about each of them.
    const share = 1 / stopWord.languages.length;
    for (const language of stopWord.languages) {
      if (scores[language] === 0) scored.push(language);
      scores[language] = scores[language]! + share;
    }
  }
  let best = -1;
  let bestScore = 0;
  let second = 0;
  for (const language of scored) {
    const score = scores[language]!;
    if (score > bestScore) {
      second = bestScore;
      bestScore = score;
      best = language;
    } else if (score > second) second = score;
  }
  // Unsure unless function words are a real share of the sample and one language leads clearly.
  if (best === -1 || bestScore < 3 || bestScore * 12 < considered || bestScore < second * 1.5) return null;
  return LANGUAGES[best]!;
}

/**
 * The ISO 639-1 code of the text's language, from a sample of its start, or null when unsure.
 *
 * @example
 * detectLanguage('The minister said on Monday that the talks were over.') // 'en'
 */
export function detectLanguage(text: string): string | null {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  // Most samples hold only Latin letters and punctuation: no need to count scripts.
  const byScript = BEYOND_LATIN.test(sample) ? scriptLanguage(sample) : LETTER.test(sample) ? undefined : null;
  return byScript === undefined ? latinLanguage(sample) : byScript;
}

/** A declared language (`en`, `en-GB`, `EN_us`) as an ISO 639-1 code, or null. */
export function languageTag(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^([a-z]{2})(?:[-_][a-z0-9]+)*$/i.exec(value.trim());
  return match ? match[1]!.toLowerCase() : null;
}
