// One way for every page to run an action: call the server, say what came of it (the server's reason when it
// refused), and refresh. Before this each page had its own try/catch/finally, and they drifted (one kept the
// button enabled, one cleared typed text on failure, one hid the field the server named).
import { ApiError } from './core.js';

/** "Label: the server's reason (field)" for a failed action; never a stack trace or a raw status. */
export function failureText(label, err) {
  const why = err instanceof ApiError ? err.message : 'something went wrong';
  return `${label}: ${why}${err instanceof ApiError && err.field ? ` (${err.field})` : ''}`;
}

/**
 * run(label, call, options) -> what `call()` returned, or undefined when it failed (a failure never throws).
 *   success: a string, or (result) => string | {text, tone, until, extra} | null: what to say when it worked.
 *   say(text, tone, said): where to say it (the page's status line); `said` carries until/extra.
 *   fail(err) -> {text, tone} | null | undefined: the page's own handling of a failure (e.g. a control that stays
 *     on screen with Retry returns null: nothing more to say); undefined says failureText() as an error.
 *   tap: lib/taps.js's fromTap, for pages where the button just tapped stays disabled while the call runs and the
 *     outcome is written beside it (passed in, so pages without touch feedback do not load it: page weight).
 *   after(ok): runs last, whatever happened (usually the page's refresh); not awaited, so the outcome is not held
 *     up by the refresh.
 */
export async function run(label, call, { success, say, fail, tap = null, after } = {}) {
  let said = null;
  const speak = (message) => {
    if (!message) return;
    said = typeof message === 'string' ? { text: message, tone: 'good' } : { tone: 'good', ...message };
    if (say) say(said.text, said.tone, said);
  };
  const work = async () => {
    let ok = false;
    try {
      const result = await call();
      ok = true;
      if (success) speak(typeof success === 'function' ? success(result) : success);
      return result;
    } catch (err) {
      const handled = fail ? fail(err) : undefined;
      speak(handled === undefined ? { text: failureText(label, err), tone: 'error' } : handled);
      return undefined;
    } finally {
      if (after) after(ok);
    }
  };
  return tap ? tap(work, () => said) : work();
}
