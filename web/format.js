// Numbers as the page writes them; undefined values (null from the core's JSON, NaN, infinity) as 'n/a', never
// an exception, so a figure with a missing value still draws.
export const fixed = (v, d = 2) => (Number.isFinite(v) ? Number(v).toFixed(d) : 'n/a');

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
export const superscript = (n) => String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');

// Scientific notation, typeset: 1.23×10⁻⁴ (d digits after the point), −2.0×10⁵.
export function exponential(v, d = 2) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v === 0) return (0).toFixed(d);
  const [m, e] = Math.abs(v).toExponential(d).split('e');
  return `${v < 0 ? '−' : ''}${m}×10${superscript(Number(e))}`;
}

// 10^x for a base-10 logarithm x, typeset with two significant digits: pow10(5.1) = '1.3×10⁵'.
export const pow10 = (x) => (Number.isFinite(x) ? exponential(10 ** x, 1) : 'n/a');

// Whole numbers with thousands separators: 9,762.
// (one Intl.NumberFormat: toLocaleString builds its formatter anew each call, 1 ms apiece in Chromium)
const WHOLE = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
export const count = (n) => (Number.isFinite(n) ? WHOLE.format(Math.round(n)) : 'n/a');

// The core's ASCII notation (its sentences are also printed by the CLI) typeset for the page.
const NOTATION = [
  [/\|\|grad_l alpha\|\|_2/g, '‖∇ₗα‖₂'], [/\|\|J\|\|_2/g, '‖J‖₂'], [/\|\|J\|\|_F/g, '‖J‖_F'], [/\|\|e_i - alpha\|\|/g, '‖eᵢ − α‖'],
  [/d alpha_i \/ d l_i/g, '∂αᵢ/∂lᵢ'], [/alpha_i/g, 'αᵢ'], [/alpha_j/g, 'αⱼ'], [/\balpha\b/g, 'α'], [/x_i\b/g, 'xᵢ'], [/x_j\b/g, 'xⱼ'],
  [/sqrt\(2\)/g, '√2'], [/sqrt 2/g, '√2'], [/ -> /g, ' → '], [/<=/g, '≤'], [/>=/g, '≥'], [/\bd~/g, 'd̃'], [/kappa_2/g, 'κ₂'],
  [/\bkappa\b/g, 'κ'], [/\bdelta\b/g, 'δ'], [/\bm_k\b/g, 'mₖ'],
];
export function typeset(s) {
  return NOTATION.reduce((t, [from, to]) => t.replace(from, to), String(s ?? ''));
}
