/**
 * Names from the analysed code — file names, lock names (a Web Lock's name is any string), source
 * lines — end up on a terminal and in code-scanning UIs. Escaped here so that they cannot drive the
 * reader's terminal or forge links.
 */

/**
 * C0 controls (tab excepted), DEL, C1 controls, and the invisible characters that reorder or split
 * text: bidirectional marks, embeddings and isolates (Trojan Source), and the Unicode line separators.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * Text safe to write to a terminal: every control or invisible formatting character is shown as a
 * JavaScript escape (`\x1b`, `\u202e`), so an ESC sequence in a name shows as text instead of moving
 * the cursor or faking colours, and a snippet reads as what it is. Tabs stay.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text for a SARIF `message.text`. Plain-text messages may hold embedded links, `[text](id)` (SARIF
 * 2.1.0 §3.11.6), and viewers render them; a literal `[`, `]` or `\` must be escaped with a backslash
 * (§3.11.6), so a Web Lock named `[x](https://evil)` shows as that name, never as a link.
 */
export function sarifText(text: string): string {
  return text.replace(/[\\[\]]/g, (char) => `\\${char}`);
}
