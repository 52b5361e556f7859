/** "Did you mean --format?" for a mistyped option: the nearest known option by edit distance. */

/**
 * Optimal string alignment distance (Levenshtein plus swapping two neighbours, the commonest typo:
 * `--fromat`). Iterative, over three rows, so any length is safe.
 */
export function editDistance(a: string, b: string): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known option nearest to `typed` (`--fromat` → `--format`), or `undefined` when none is close
 * enough to be what was meant: at most a third of the option's length away, and at most 3 edits.
 */
export function suggestOption(typed: string, known: readonly string[]): string | undefined {
  const bare = typed.replace(/^-+/, '').split('=')[0] ?? '';
  if (bare === '') return undefined;
  let best: { option: string; distance: number } | undefined;
  for (const option of known) {
    const distance = editDistance(bare.toLowerCase(), option);
    if (distance > Math.min(3, Math.floor(Math.max(option.length, 3) / 3))) continue;
    if (best === undefined || distance < best.distance) best = { option, distance };
  }
  return best === undefined ? undefined : `--${best.option}`;
}
