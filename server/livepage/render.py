"""The public page as server-rendered HTML, so the posts read without JavaScript.

Every piece of text is escaped here (post texts, alt texts and warnings come from staff, the title too, and
nothing is trusted as markup). `console_ui/js/live/main.js` builds the same structure for posts that arrive
later, with textContent. The page holds no script of its own: the module is a file under /ui (strict CSP).
"""

from __future__ import annotations

from html import escape

from server.livepage.schemas import PublicMedia, PublicPage, PublicPost

PLATFORM_NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "sandbox": "Sandbox"}
KIND_LABELS = {"holding": "Pause", "answer": "Answer", "correction": "Correction"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _media(media: PublicMedia) -> str:
    size = "".join(f' {name}="{value}"' for name, value in (("width", media.width), ("height", media.height))
                   if value)
    if media.mime_type.startswith("video/"):
        return (f'<figure class="lv-media"><video controls preload="none" src="{_e(media.url)}"{size} '
                f'aria-label="{_e(media.alt_text)}"></video><figcaption>{_e(media.alt_text)}</figcaption></figure>')
    return (f'<figure class="lv-media"><img src="{_e(media.url)}" alt="{_e(media.alt_text)}"{size} '
            f'loading="lazy" decoding="async"></figure>')


def post_html(post: PublicPost) -> str:
    """One post: kind label, time, text (behind its content warning when it has one), media, platform links."""
    label = KIND_LABELS.get(post.kind)
    head = (f'<p class="lv-meta">{f"<span class=lv-kind>{_e(label)}</span> " if label else ""}'
            f'<time datetime="{_e(post.posted_at.isoformat())}">{_e(post.time_label)}</time></p>')
    body = f'<p class="lv-text">{_e(post.text)}</p>' + "".join(_media(m) for m in post.media)
    if post.content_warning:
        body = (f'<details class="lv-cw"><summary>Content warning: {_e(post.content_warning)}</summary>'
                f"{body}</details>")
    links = ""
    if post.links:
        anchors = ", ".join(f'<a href="{_e(link.url)}" rel="noopener nofollow">'
                            f'{_e(PLATFORM_NAMES.get(link.platform, link.platform))}</a>' for link in post.links)
        links = f'<p class="lv-links">On {anchors}</p>'
    return (f'<li id="post-{_e(post.id)}" class="lv-post lv-{_e(post.kind)}" data-seq="{post.seq}" '
            f'data-order="{post.order}"><article>{head}{body}{links}</article></li>')


def _recap(page: PublicPage) -> str:
    """After the end: the recap's public figures (server/recap/public.py), as text a screen reader reads in order."""
    if page.status != "ended":
        return ""
    intro = ('<section class="lv-recap" aria-labelledby="recap-h"><h2 id="recap-h">After the event</h2>'
             "<p>The event has ended. Thank you for following.</p>")
    recap = page.recap
    if recap is None:
        return intro + "</section>"
    asked = recap.questions
    rows = [("Updates posted", f"{len(recap.posts)}"),
            ("Questions from the audience", f"{asked.received} received, {asked.answered} answered"),
            ("Likes, reposts and replies", f"{recap.engagement_total}")]
    for account in recap.followers:
        name = PLATFORM_NAMES.get(account.platform, account.platform)
        if account.first is not None and account.last is not None:
            rows.append((f"Followers on {name}", f"{account.last} ({account.gained:+d} since the start)"))
    figures = "".join(f"<dt>{_e(label)}</dt><dd>{_e(value)}</dd>" for label, value in rows)
    top = sorted(recap.posts, key=lambda p: sum(link.engagement.total for link in p.links), reverse=True)[:3]
    best = "".join(
        f"<li>{_e(_excerpt(p.text))} <span class=lv-figure>"
        f"({sum(link.engagement.total for link in p.links)} interactions)</span></li>"
        for p in top if any(link.engagement.total for link in p.links))
    most = f'<h3>Most shared updates</h3><ol class="lv-top-posts">{best}</ol>' if best else ""
    return intro + f"<dl>{figures}</dl>{most}</section>"


def _excerpt(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _form(page: PublicPage) -> str:
    if page.status != "live":
        return ""
    return (
        '<section class="lv-ask" aria-labelledby="ask-h"><h2 id="ask-h">Ask the team a question</h2>'
        '<p class="lv-hint">The hospital team reads every question; some are answered in the thread. This is not '
        "a way to get medical advice: in an emergency call your local emergency number.</p>"
        f'<form id="ask-form" data-endpoint="/api/public/events/{_e(page.slug)}/questions" novalidate>'
        '<label for="q-name">Your name (optional)</label>'
        '<input id="q-name" name="name" type="text" maxlength="80" autocomplete="name">'
        '<label for="q-text">Your question</label>'
        '<textarea id="q-text" name="text" rows="3" maxlength="1000" required></textarea>'
        '<p id="q-status" role="status"></p>'
        '<button type="submit" id="q-send" disabled>Send question</button>'
        "<noscript><p>Sending a question needs JavaScript; the updates above read without it.</p></noscript>"
        "</form></section>")


def page_html(page: PublicPage) -> str:
    """The whole document."""
    state = ("Live: new updates appear here as they are posted." if page.status == "live"
             else "This event has ended.")
    posts = "".join(post_html(p) for p in page.posts)
    empty = "" if page.posts else '<p id="lv-empty">No updates yet.</p>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(page.title)} · {_e(page.hashtag)}</title>"
        '<link rel="icon" href="/ui/img/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/ui/css/live.css">'
        '<script type="module" src="/ui/js/live/main.js"></script></head>'
        f'<body class="page-live" data-slug="{_e(page.slug)}" data-seq="{page.seq}" data-status="{page.status}">'
        '<a class="skip-link" href="#posts-h">Skip to the updates</a>'
        f'<header class="lv-top"><p class="lv-tag">{_e(page.hashtag)}</p><h1>{_e(page.title)}</h1>'
        f'<p id="lv-state" class="lv-state lv-{page.status}">{_e(state)}</p></header>'
        f'<main id="main">{_recap(page)}'
        '<h2 id="posts-h" tabindex="-1">Updates</h2>'
        '<p id="lv-news" class="visually-hidden" aria-live="polite"></p>'
        f'{empty}<ol id="posts" class="lv-posts" aria-labelledby="posts-h">{posts}</ol>'
        f"{_form(page)}</main></body></html>")
