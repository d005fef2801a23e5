/**
 * Texts for checking the converted lid.176 against fastText itself: hand-written sentences in
 * many languages, mixtures of them, and seeded random texts that combine vocabulary words with
 * random Unicode. All are single-line (fastText reads one line; see the model card).
 */
import { SeededRandom } from '../common/seeded-random';

/** Hand-written sentences keyed by the language they are written in (fastText's codes). */
export const HAND_WRITTEN: Readonly<Record<string, readonly string[]>> = {
  en: [
    'The quick brown fox jumps over the lazy dog.',
    'Could you send me the report before Friday?',
    'It rained all night, so the match was cancelled.',
  ],
  fr: [
    'Bonjour tout le monde, comment allez-vous ?',
    'Je voudrais réserver une table pour deux personnes ce soir.',
    "L'hiver a été particulièrement froid cette année.",
  ],
  de: [
    'Der schnelle braune Fuchs springt über den faulen Hund.',
    'Können Sie mir bitte den Weg zum Bahnhof zeigen?',
    'Wir haben gestern den ganzen Tag im Garten gearbeitet.',
  ],
  es: [
    '¿Dónde está la biblioteca más cercana?',
    'Mañana vamos a visitar a mis abuelos en el pueblo.',
    'El informe debe entregarse antes del viernes.',
  ],
  it: [
    'Vorrei un caffè e un cornetto, per favore.',
    'La riunione è stata rimandata alla prossima settimana.',
    'Abbiamo passato le vacanze in montagna.',
  ],
  pt: [
    'Eu gostaria de comprar um bilhete para Lisboa.',
    'A reunião foi adiada para a próxima semana.',
    'Ela trabalha num hospital perto da praia.',
  ],
  nl: [
    'Ik woon al tien jaar in Amsterdam.',
    'Kun je me morgen even bellen?',
    'Het regent vandaag de hele dag.',
  ],
  sv: [
    'Jag skulle vilja ha en kopp kaffe, tack.',
    'Vi åker till stugan i helgen.',
    'Hon läser en bok om svensk historia.',
  ],
  da: [
    'Jeg kan godt lide at cykle til arbejde.',
    'Hvad koster billetten til København?',
    'Vi spiser aftensmad klokken seks.',
  ],
  no: [
    'Jeg liker å gå på tur i fjellet.',
    'Kan du hjelpe meg med leksene?',
    'Været i Bergen er ofte regnfullt.',
  ],
  fi: [
    'Hyvää huomenta, mitä kuuluu?',
    'Asun pienessä kaupungissa järven rannalla.',
    'Huomenna menemme saunaan.',
  ],
  pl: [
    'Dzień dobry, chciałbym zamówić pizzę.',
    'Wczoraj byliśmy w kinie na nowym filmie.',
    'Czy możesz mi pomóc z tym zadaniem?',
  ],
  cs: [
    'Dobrý den, jak se máte?',
    'Zítra pojedeme vlakem do Brna.',
    'Ta kniha se mi opravdu líbila.',
  ],
  sk: [
    'Dobrý deň, ako sa máte?',
    'Včera sme boli na výlete v horách.',
    'Môžete mi povedať, koľko je hodín?',
  ],
  hu: [
    'Jó napot kívánok, hogy van?',
    'Holnap elmegyünk a Balatonra.',
    'Szeretnék egy pohár vizet kérni.',
  ],
  ro: [
    'Bună ziua, ce mai faceți?',
    'Mâine mergem la munte cu prietenii.',
    'Aș dori o cafea cu lapte, vă rog.',
  ],
  tr: ['Merhaba, nasılsınız?', 'Yarın İstanbul’a gitmeyi planlıyoruz.', 'Bu kitabı çok beğendim.'],
  ru: [
    'Это предложение на русском языке.',
    'Завтра мы поедем на дачу.',
    'Сколько стоит билет до Москвы?',
  ],
  uk: [
    'Добрий день, як справи?',
    'Завтра ми поїдемо до Львова.',
    'Я дуже люблю українську літературу.',
  ],
  bg: ['Добър ден, как сте?', 'Утре ще ходим на планина.', 'Искам да си купя нова книга.'],
  sr: ['Добар дан, како сте?', 'Сутра идемо у Београд.', 'Волим да читам књиге увече.'],
  el: ['Καλημέρα, τι κάνετε;', 'Αύριο θα πάμε στη θάλασσα.', 'Μου αρέσει πολύ η ελληνική κουζίνα.'],
  he: ['שלום, מה שלומך?', 'מחר אנחנו נוסעים לירושלים.', 'אני אוהב לקרוא ספרים בערב.'],
  ar: ['مرحبا، كيف حالك؟', 'سنذهب غدا إلى السوق.', 'أحب قراءة الكتب في المساء.'],
  fa: ['سلام، حال شما چطور است؟', 'فردا به تهران می‌رویم.', 'من کتاب خواندن را دوست دارم.'],
  hi: ['नमस्ते, आप कैसे हैं?', 'कल हम दिल्ली जाएंगे।', 'मुझे किताबें पढ़ना पसंद है।'],
  bn: ['নমস্কার, আপনি কেমন আছেন?', 'আগামীকাল আমরা ঢাকায় যাব।', 'আমি বই পড়তে ভালোবাসি।'],
  ta: ['வணக்கம், நீங்கள் எப்படி இருக்கிறீர்கள்?', 'நாளை நாங்கள் சென்னைக்கு செல்வோம்.'],
  th: ['สวัสดีครับ คุณสบายดีไหม', 'พรุ่งนี้เราจะไปเชียงใหม่'],
  vi: [
    'Xin chào, bạn có khỏe không?',
    'Ngày mai chúng tôi sẽ đi Hà Nội.',
    'Tôi thích đọc sách vào buổi tối.',
  ],
  id: [
    'Selamat pagi, apa kabar?',
    'Besok kami akan pergi ke Bandung.',
    'Saya suka membaca buku di malam hari.',
  ],
  ms: ['Selamat pagi, apa khabar?', 'Saya tinggal di Kuala Lumpur sejak tahun lepas.'],
  tl: ['Magandang umaga po, kumusta kayo?', 'Pupunta kami sa Maynila bukas.'],
  ja: ['これは日本語の文です。', '明日は東京へ行く予定です。', '本を読むのが好きです。'],
  zh: ['这是一个中文句子。', '我们明天去北京。', '我喜欢在晚上看书。'],
  ko: ['안녕하세요, 어떻게 지내세요?', '내일 서울에 갈 거예요.', '저는 책 읽는 것을 좋아해요.'],
  ka: ['გამარჯობა, როგორ ხარ?', 'ხვალ თბილისში მივდივართ.'],
  hy: ['Բարև, ինչպես ես?', 'Վաղը մենք կգնանք Երևան։'],
  lt: ['Laba diena, kaip sekasi?', 'Rytoj važiuosime į Vilnių.'],
  lv: ['Labdien, kā jums klājas?', 'Rīt mēs brauksim uz Rīgu.'],
  et: ['Tere päevast, kuidas läheb?', 'Homme sõidame Tallinnasse.'],
  is: ['Góðan daginn, hvernig hefur þú það?', 'Við förum til Reykjavíkur á morgun.'],
  ga: ['Dia duit, conas atá tú?', 'Beidh muid ag dul go Gaillimh amárach.'],
  cy: ['Bore da, sut wyt ti?', 'Rydyn ni’n mynd i Gaerdydd yfory.'],
  eu: ['Egun on, zer moduz?', 'Bihar Bilbora joango gara.'],
  ca: ['Bon dia, com estàs?', 'Demà anirem a Barcelona amb tren.'],
  gl: ['Bo día, como estás?', 'Mañá imos a Santiago de Compostela.'],
  hr: ['Dobar dan, kako ste?', 'Sutra idemo u Zagreb.'],
  sl: ['Dober dan, kako ste?', 'Jutri gremo v Ljubljano.'],
  sw: ['Habari za asubuhi, hujambo?', 'Kesho tutaenda Nairobi.'],
  eo: ['Saluton, kiel vi fartas?', 'Morgaŭ ni iros al la urbo.'],
  la: ['Gallia est omnis divisa in partes tres.', 'Veni, vidi, vici.'],
};

/** Every hand-written sentence, in a stable order. */
export function handWrittenTexts(): string[] {
  return Object.values(HAND_WRITTEN).flat();
}

/** Code-point ranges random "words" are drawn from: many scripts, astral emoji, combining marks. */
const SCRIPTS: readonly (readonly [number, number])[] = [
  [0x61, 0x7a], // Latin
  [0xc0, 0xff], // Latin-1 letters (and ×, ÷)
  [0x100, 0x17f], // Latin Extended-A
  [0x391, 0x3c9], // Greek
  [0x410, 0x44f], // Cyrillic
  [0x531, 0x586], // Armenian
  [0x5d0, 0x5ea], // Hebrew
  [0x621, 0x64a], // Arabic
  [0x905, 0x939], // Devanagari
  [0x985, 0x9b9], // Bengali
  [0xe01, 0xe2e], // Thai
  [0x10d0, 0x10f0], // Georgian
  [0x3041, 0x3096], // Hiragana
  [0x30a1, 0x30fa], // Katakana
  [0x4e00, 0x9fff], // CJK ideographs
  [0xac00, 0xd7a3], // Hangul syllables
  [0x1f600, 0x1f64f], // emoji (4-byte UTF-8, surrogate pairs in JS)
  [0x1d400, 0x1d4ff], // mathematical alphanumerics (4-byte)
  [0x300, 0x36f], // combining marks
  [0x2010, 0x2027], // punctuation
];
const PUNCTUATION = [
  '.',
  ',',
  '!',
  '?',
  ';',
  ':',
  '"',
  "'",
  '(',
  ')',
  '-',
  '…',
  '«',
  '»',
  '¿',
  '¡',
  '—',
  '%',
  '€',
  '$',
];
/** fastText's separators other than newline, plus look-alikes it does not split on. */
const SEPARATORS = [
  ' ',
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\r',
  '\v',
  '\f',
  '\0',
  ' \u00a0',
  '\u2028',
  '\u0085',
];

/**
 * `count` random single-line texts built from `words` (the model's vocabulary) and random
 * Unicode; deterministic for a given seed.
 */
export function generatedTexts(
  words: readonly string[],
  labels: readonly string[],
  count: number,
  seed: number,
): string[] {
  const rng = new SeededRandom(seed);
  const random = (): number => rng.next();
  const int = (n: number): number => rng.int(n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const randomWord = (): string => {
    const [from, to] = pick(SCRIPTS);
    let word = '';
    for (let n = 1 + int(8); n > 0; n--) word += String.fromCodePoint(from + int(to - from + 1));
    return word;
  };
  const token = (): string => {
    const roll = random();
    if (roll < 0.45) return pick(words);
    if (roll < 0.55) {
      const word = pick(words);
      return random() < 0.5 ? word.toUpperCase() : word + pick(PUNCTUATION);
    }
    if (roll < 0.85) return randomWord();
    if (roll < 0.92) return pick(PUNCTUATION) + String(int(10000));
    if (roll < 0.95) return `__label__${random() < 0.5 ? pick(labels) : randomWord()}`;
    if (roll < 0.96) return '</s>';
    return pick(words) + randomWord();
  };

  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = random() < 0.1 ? pick(SEPARATORS) : '';
    for (let n = 1 + int(24); n > 0; n--) text += token() + pick(SEPARATORS);
    texts.push(random() < 0.5 ? text.trimEnd() : text);
  }
  return texts;
}

/** Pairs of hand-written sentences in different languages, joined on one line. */
export function mixedTexts(count: number, seed: number): string[] {
  const rng = new SeededRandom(seed);
  const all = handWrittenTexts();
  const texts: string[] = [];
  for (let i = 0; i < count; i++)
    texts.push(`${all[rng.int(all.length)]} ${all[rng.int(all.length)]}`);
  return texts;
}
