// The official client's moderation rules on post views: `moderatePost` from @atproto/api (the peer install's
// copy), with the preferences a new account has (`BskyAgent` defaults: adult content off, default label
// settings). Reads {posts, viewer, adultContent} as JSON on stdin; prints one decision per post as JSON.
import { DEFAULT_LABEL_SETTINGS, moderatePost } from '@atproto/api'

let raw = ''
for await (const chunk of process.stdin) raw += chunk
const input = JSON.parse(raw)
const prefs = {
  adultContentEnabled: Boolean(input.adultContent),
  labels: { ...DEFAULT_LABEL_SETTINGS },
  labelers: [],
  mutedWords: [],
  hiddenPosts: [],
}
const causes = (list) => list.map((c) => (c.type === 'label' ? `label:${c.label.val}` : c.type))
const view = (decision, context) => {
  const ui = decision.ui(context)
  return { filter: ui.filter, blur: ui.blur, alert: ui.alert, inform: ui.inform, noOverride: ui.noOverride,
    filters: causes(ui.filters), blurs: causes(ui.blurs), alerts: causes(ui.alerts), informs: causes(ui.informs) }
}
const out = input.posts.map((post) => {
  const decision = moderatePost(post, { userDid: input.viewer, prefs })
  return {
    uri: post.uri,
    text: post.record?.text ?? '',
    contentList: view(decision, 'contentList'),
    contentView: view(decision, 'contentView'),
    contentMedia: view(decision, 'contentMedia'),
  }
})
process.stdout.write(JSON.stringify(out))
