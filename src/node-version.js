// Plain JavaScript (read by src/start.js before any TypeScript loads): which Node is too old, and
// the one line that says so.

/** `>=22.19` (or `>=22.19.0`) → [22, 19, 0]. */
export function minimumOf(range) {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(String(range).trim());
  if (!m) throw new Error(`package.json engines.node must be ">=X.Y[.Z]", not ${JSON.stringify(range)}`);
  return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}

/** The one-line refusal for `version` (e.g. `20.19.2`), or undefined when it is new enough. */
export function nodeTooOld(version, range, command) {
  const want = minimumOf(range);
  const have = String(version).replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((have[i] || 0) > want[i]) return undefined;
    if ((have[i] || 0) < want[i]) {
      return `Shipmate needs Node ≥ ${want.join('.')}; you have ${have.join('.')}; try \`npx -p node@24 -- ${command}\``;
    }
  }
  return undefined;
}
