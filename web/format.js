// Numbers as the page writes them; undefined values (null from the core's JSON, NaN, infinity) as 'n/a', never
// an exception, so a figure with a missing value still draws.
export const fixed = (v, d = 2) => (Number.isFinite(v) ? Number(v).toFixed(d) : 'n/a');
export const exponential = (v, d = 2) => (Number.isFinite(v) ? Number(v).toExponential(d) : 'n/a');
