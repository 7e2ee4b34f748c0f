// The browser that the page's tests and benchmarks drive: Debian's Chromium (CHROMIUM in the environment names
// another), headless, without the background traffic and updates that would compete with what they time.
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update'];
