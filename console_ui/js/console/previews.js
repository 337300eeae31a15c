// Per-platform previews of a post as each platform will show it: the account, the place in the thread, the text
// with the time line (when the event dates everything), the content warning the way that platform carries it
// (Mastodon: text behind a spoiler; X: images marked sensitive; Bluesky: a first line; sandbox: a click-through),
// and the images with their alt text. Loaded with the composer; every text is inserted as text.
import { clock, h, platformName, zoneName } from '../lib/core.js';
import { count } from '../lib/textcount.js';

// Its styles live with the composer's; a preview opened in the run of show loads them too.
if (!document.querySelector('link[data-composer]')) {
  document.head.appendChild(h('link', { rel: 'stylesheet', href: '/ui/css/composer.css', dataset: { composer: '1' } }));
}

const WARNING_PREFIX = '\u26a0\ufe0f Content warning: ';
const HOW = {
  x: 'sensitive_media', mastodon: 'sensitive_spoiler', bluesky: 'first_line', sandbox: 'click_through',
};

/** The text the platform receives (as server/timeline/render.py builds it), and the warning shown apart. */
export function postedText(platform, event, text, cw, at = new Date()) {
  const warning = cw ? (event.content_warning_text || 'Surgical images') : null;
  const how = HOW[platform] || 'click_through';
  let body = text;
  if (event.date_everything) {
    const stamp = `${clock(at.toISOString(), event.timezone, { zone: false })} ${zoneName(event.timezone)}`;
    for (const line of [`\n\n${stamp}`, `\n${stamp}`]) {
      const withLine = body + line;
      if (!count(platform, how === 'first_line' && warning ? `${WARNING_PREFIX}${warning}\n\n${withLine}` : withLine).over) {
        body = withLine;
        break;
      }
    }
  }
  if (warning && how === 'first_line') body = `${WARNING_PREFIX}${warning}\n\n${body}`;
  return { body, warning, how };
}

function images(media, sensitive, platform) {
  if (!media.length) return null;
  return h('div', { class: ['pv-media', sensitive && 'is-sensitive'], dataset: { count: media.length } }, media.map((m) => h('figure', { class: 'pv-image' },
    h('img', { src: m.url, alt: m.alt || '', width: 240, height: 160 }),
    m.alt ? h('span', { class: 'alt-badge', title: m.alt }, 'ALT') : h('span', { class: 'pv-noalt' }, 'No alt text yet'),
    sensitive ? h('span', { class: 'pv-veil' }, platform === 'x' ? 'Content warning: sensitive content' : 'Sensitive content — tap to show') : null)));
}

/**
 * renderPreviews(event, {text, cw, media: [{url, alt}], after: "name of the post it replies to" | null, textFor, at})
 * -> one card per enabled platform. `textFor(platform)`: the item's own text for a platform (its override, else
 * the caption); `at`: when it goes (or went) out, for the time line and the header (default: now).
 */
export function renderPreviews(event, { text, cw, media, after, textFor, at }) {
  const platforms = (event.platforms || []).filter((p) => p.enabled);
  if (!platforms.length) return h('p', { class: 'notice' }, 'This event posts to no platform yet.');
  const when = at ? clock(at.toISOString(), event.timezone) : 'now';
  return platforms.map(({ platform, account }) => {
    const { body, warning, how } = postedText(platform, event, textFor ? textFor(platform) : text, cw, at || new Date());
    const c = count(platform, body);
    const counter = `${c.length} / ${c.max}${c.maxBytes ? ` · ${c.bytes} / ${c.maxBytes} bytes` : ''}`;
    const spoiler = warning && how === 'sensitive_spoiler';
    return h('article', { class: ['preview', `pv-${platform}`, c.over && 'is-over'], dataset: { platform }, 'aria-label': `Preview on ${platformName(platform)}` },
      h('div', { class: 'preview-head' },
        h('span', { class: 'pv-avatar', 'aria-hidden': 'true' }, event.title.slice(0, 1)),
        h('span', { class: 'pv-who' }, h('strong', {}, event.title), ' ', h('span', { class: 'muted' }, `@${account} · ${platformName(platform)} · ${when}`)),
        h('span', { class: 'counter', 'aria-label': `${platformName(platform)}: ${counter}${c.over ? ', too long' : ''}` }, counter)),
      h('p', { class: 'pv-thread muted' }, after ? `In the event thread, replying to “${after}”` : 'The first post of the event thread'),
      spoiler ? h('p', { class: 'preview-cw' }, `CW: ${warning}`, h('span', { class: 'pv-more' }, 'Show more')) : null,
      warning && how === 'click_through' ? h('p', { class: 'preview-cw' }, `Content warning: ${warning} (readers click to see the post)`) : null,
      h('p', { class: ['preview-text', spoiler && 'is-hidden-text'] }, body || h('span', { class: 'muted' }, 'Your caption appears here.')),
      images(media, Boolean(warning) && how !== 'first_line', platform));
  });
}
