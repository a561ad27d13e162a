// Nothing a URL does breaks the page: 1,000 generated hostile URLs under the test server's
// Content-Security-Policy, the last 500 here, the first in hostile-urls.test.mjs (150 more
// with the policy off are in hostile-urls-no-csp.test.mjs). Script payloads try to set
// window.__pwned; it must stay unset.
import { test } from 'node:test';
import { useBrowser } from './helpers.mjs';
import { hostileUrls } from './hostile.mjs';

const env = useBrowser();

test('hostile URLs 501–1,000 of 1,000: no error, no script, working figures and a notice', async (t) => {
  await hostileUrls(env, t, 500, 1000);
});
