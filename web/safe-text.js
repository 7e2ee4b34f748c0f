// Text bound for the formats the page writes, one function per format, used wherever a string that a user or a
// checkpoint controls (a token, a model name, a title) enters one. HTML goes through the DOM (textContent,
// setAttribute, outerHTML), which escapes for HTML itself; these cover what the DOM does not.

// SVG (XML 1.0): control characters are not allowed in an XML document at all, even as character references, so
// an exported SVG holding one is malformed and will not render as PNG. Each is shown as its Unicode control
// picture (U+0001 as ␁, DEL as ␡), C1 controls, lone surrogates and the non-characters U+FFFE/U+FFFF as U+FFFD.
export function xmlSafe(s) {
  return String(s)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
    .replace(/\u007F/g, '\u2421')
    .replace(/[\u0080-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// One CSV cell (RFC 4180): quoted when it holds a comma, a quote, a line feed or a carriage return; undefined
// numbers (null, NaN, infinity) as an empty cell.
export function csvCell(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
