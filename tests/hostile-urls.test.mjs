// Nothing a URL does breaks the page: 1,000 generated hostile URLs under the test server's
// Content-Security-Policy, the first 500 here, the others in hostile-urls-2.test.mjs (150 more
// with the policy off are in hostile-urls-no-csp.test.mjs). Script payloads try to set
// window.__pwned; it must stay unset.
import { test } from 'node:test';
import { useBrowser } from './helpers.mjs';
import { hostileUrls } from './hostile.mjs';

const env = useBrowser();

test('hostile URLs 1–500 of 1,000: no error, no script, working figures and a notice', async (t) => {
  await hostileUrls(env, t, 0, 500);
});
