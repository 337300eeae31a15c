// Character counters as the platforms count them (the server's `text_lengths` on saved items are the
// authority; these follow the same rules for the live preview):
//   X: 280 weighted — URLs 23, emoji 2, characters outside Latin and general punctuation ranges 2;
//   Mastodon: 500 graphemes, http(s) URLs 23, @user@domain as @user;  Bluesky: 300 graphemes and 3000 UTF-8 bytes;  Sandbox: 500 graphemes.

export const LIMITS = {
  x: { max: 280, unit: 'weighted characters' },
  mastodon: { max: 500, unit: 'characters' },
  bluesky: { max: 300, unit: 'graphemes', maxBytes: 3000 },
  sandbox: { max: 500, unit: 'characters' },
};

const URL_LENGTH = 23;
const X_LIGHT_RANGES = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
const TEXT_ONLY = '\u00a9\u00ae\u2122\u265f';
const ELEMENT = `(?:[${TEXT_ONLY}]\\uFE0F|\\p{Emoji_Modifier_Base}(?:\\p{Emoji_Modifier}|\\uFE0F)?`
  + `|(?![${TEXT_ONLY}])\\p{Extended_Pictographic}\\uFE0F?|\\p{Emoji_Modifier})`;
const EMOJI = new RegExp(
  '\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}'
  + `|${ELEMENT}(?:\\u200D${ELEMENT})+`
  + '|[#*0-9]\\uFE0F?\\u20E3'
  + '|\\p{Regional_Indicator}{1,2}'
  + `|${ELEMENT}`
  + '|\\uFE0F', 'gu',
);
// URLs with a scheme, or bare domains under common top-level domains (twitter-text knows them all). A bare
// domain must not follow @ or a word character, and a bare two-letter country domain needs a path
// (except .co and .tv), as in twitter-text.
const TLDS = 'com|org|net|edu|gov|io|co|ca|uk|us|de|fr|info|health|social|app|dev|me|ly|tv|ai';
const URLS = new RegExp(
  `\\bhttps?:\\/\\/[^\\s<>"]+|(?<![@\\w.-])(?:[a-z0-9-]+\\.)+(${TLDS})\\b(\\/[^\\s<>"]*)?`, 'giu',
);

function trimUrl(url) {
  return url.replace(/[.,;:!?'")\]]+$/u, '');
}

/** Spans [start, end) (UTF-16 indices) of the URLs in `text`. */
export function urlSpans(text) {
  const spans = [];
  for (const match of text.matchAll(URLS)) {
    const [found, tld, path] = match;
    if (tld && tld.length === 2 && !['co', 'tv'].includes(tld.toLowerCase()) && !path) continue;
    const url = trimUrl(found);
    spans.push([match.index, match.index + url.length]);
  }
  return spans;
}

let segmenter; // made on first use: building it loads ICU data, which would slow every page's start

export function graphemes(text) {
  if (!text) return 0;
  if (segmenter === undefined) {
    segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter('en', { granularity: 'grapheme' }) : null;
  }
  if (!segmenter) return Array.from(text).length;
  let n = 0;
  for (const _ of segmenter.segment(text)) n += 1;
  return n;
}

const SCHEME_URLS = /\bhttps?:\/\/[^\s<>"]+/giu;
const MENTION = /(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@\w+(?:[.-]+\w+)*/giu;

/** Mastodon: http(s) URLs count 23, `@user@domain` counts as `@user`, then graphemes; blank text is 0. */
export function mastodonLength(text) {
  if (!text.trim()) return 0;
  const countable = text
    .replace(SCHEME_URLS, (url) => 'x'.repeat(URL_LENGTH) + url.slice(trimUrl(url).length))
    .replace(MENTION, (_, user) => `@${user}`);
  return graphemes(countable);
}

function xWeight(codePoint) {
  return X_LIGHT_RANGES.some(([lo, hi]) => codePoint >= lo && codePoint <= hi) ? 1 : 2;
}

/** X's weighted length (twitter-text v3). */
export function xLength(raw) {
  const text = raw.normalize('NFC');
  const marks = new Map();
  for (const [start, end] of urlSpans(text)) marks.set(start, { end, weight: URL_LENGTH });
  for (const match of text.matchAll(EMOJI)) {
    if (!marks.has(match.index)) marks.set(match.index, { end: match.index + match[0].length, weight: 2 });
  }
  let total = 0;
  let i = 0;
  while (i < text.length) {
    const mark = marks.get(i);
    if (mark) {
      total += mark.weight;
      i = mark.end;
      continue;
    }
    const cp = text.codePointAt(i);
    // twitter-text weighs a surrogate pair by its second code unit (a low surrogate: weight 2)
    total += cp > 0xffff ? 2 : xWeight(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return total;
}

export function utf8Bytes(text) {
  return new TextEncoder().encode(text).length;
}

/** {length, max, over, bytes?, maxBytes?} for one platform. */
export function count(platform, text) {
  const limit = LIMITS[platform] || LIMITS.sandbox;
  let length;
  if (platform === 'x') length = xLength(text);
  else if (platform === 'mastodon') length = mastodonLength(text);
  else length = graphemes(text);
  const result = { length, max: limit.max, unit: limit.unit, over: length > limit.max };
  if (limit.maxBytes) {
    result.bytes = utf8Bytes(text);
    result.maxBytes = limit.maxBytes;
    result.over = result.over || result.bytes > limit.maxBytes;
  }
  return result;
}
