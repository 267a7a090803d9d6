// Loads one self-contained HTML file (tlsprobe's report.html, compare.html) in
// headless Chromium and says what a reader's browser would have seen:
//
//   node check_page.mjs HTML_FILE --screenshot OUT.png
//                       [--eval NAME=JS_EXPRESSION ...] [--timeout-ms N]
//
// Prints one JSON object on stdout:
//   console_errors, console_warnings  console messages of those types (text)
//   page_errors                       uncaught exceptions and unhandled rejections
//   requests                          URL of every request (WebSockets included)
//                                     other than the page's own file, sorted;
//                                     each one was aborted, so nothing left the
//                                     machine. data: and blob: URLs are inline
//                                     content and are not listed; a request CSP
//                                     blocked never started and is only a
//                                     csp_violation. An aborted request also
//                                     logs a console error ("Failed to load
//                                     resource: net::ERR_BLOCKED_BY_CLIENT").
//   csp_violations                    "DIRECTIVE BLOCKED_URI" per securitypolicyviolation event
//   evals                             NAME -> JSON value of the expression (awaited),
//                                     evaluated after the load event
//   screenshot                        the full-page PNG written
//   load_ms                           navigation start to the load event
//
// Exit codes: 0 the page was checked (whatever was found), 1 the check itself
// failed (the page did not load, an --eval threw, the screenshot failed),
// 2 bad usage, 3 the browser could not start (Chromium or playwright-core
// missing), 4 the hard timeout passed. The browser is Debian's
// /usr/bin/chromium (CHROMIUM overrides it), driven by playwright-core from
// ./node_modules (`npm ci --prefix tests/browser`), with a fresh temporary
// profile. At any exit of this script playwright-core kills the browser's
// process group and removes the profile; if the script itself is killed
// (SIGKILL), Chromium exits with its DevTools pipe but the profile
// (playwright_chromiumdev_profile-*) stays in $TMPDIR.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const usage =
  'usage: check_page.mjs HTML_FILE --screenshot OUT.png [--eval NAME=JS_EXPRESSION ...] [--timeout-ms N]';

const exitCode = { checked: 0, failed: 1, usage: 2, no_browser: 3, timed_out: 4 };

function fail(code, message) {
  process.stderr.write(`check_page: ${message}\n`);
  process.exit(code);
}

function parseArguments(argv) {
  const options = { html: null, screenshot: null, evals: [], timeoutMs: 60000 };
  for (let i = 0; i < argv.length; ++i) {
    const argument = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(exitCode.usage, `${argument} needs a value\n${usage}`);
      return argv[++i];
    };
    if (argument === '--screenshot') {
      options.screenshot = path.resolve(value());
    } else if (argument === '--eval') {
      const text = value();
      const equals = text.indexOf('=');
      if (equals <= 0) fail(exitCode.usage, `--eval wants NAME=JS_EXPRESSION, got ${JSON.stringify(text)}`);
      const name = text.slice(0, equals);
      if (options.evals.some((e) => e.name === name)) fail(exitCode.usage, `--eval ${name} given twice`);
      options.evals.push({ name, expression: text.slice(equals + 1) });
    } else if (argument === '--timeout-ms') {
      const text = value();
      if (!/^[1-9][0-9]*$/.test(text)) fail(exitCode.usage, `--timeout-ms wants a positive integer, got ${JSON.stringify(text)}`);
      options.timeoutMs = Number(text);
    } else if (argument.startsWith('-')) {
      fail(exitCode.usage, `unknown option ${argument}\n${usage}`);
    } else if (options.html === null) {
      options.html = path.resolve(argument);
    } else {
      fail(exitCode.usage, `one HTML_FILE only\n${usage}`);
    }
  }
  if (options.html === null || options.screenshot === null) fail(exitCode.usage, usage);
  if (!existsSync(options.html)) fail(exitCode.usage, `no such file: ${options.html}`);
  return options;
}

// Chromium's flags: headless in a container (no sandbox, no GPU), and none of
// its own traffic (QUIC, first-run, background fetches, component updates,
// sync). Even so it still looks up update.googleapis.com and
// accounts.google.com, so no host resolves at all (IP literals neither): a
// second wall behind page.route, which aborts the page's own requests first.
const chromiumArgs = [
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Runs before any of the page's own scripts, and is not subject to its CSP.
const recordCspViolations = () => {
  window.__tlsprobeCspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__tlsprobeCspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
  });
};

async function checkPage(options) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    fail(exitCode.no_browser, `playwright-core is not installed (npm ci --prefix tests/browser): ${error.message}`);
  }
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  // Checked first: playwright-core would leave an empty profile behind.
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    fail(exitCode.no_browser, `${executablePath} is not installed`);
  }
  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  } catch (error) {
    fail(exitCode.no_browser, `${executablePath} did not start: ${error.message}`);
  }

  const pageUrl = pathToFileURL(options.html).href;
  const found = {
    console_errors: [],
    console_warnings: [],
    page_errors: [],
    requests: [],
    csp_violations: [],
    evals: {},
    screenshot: options.screenshot,
    load_ms: null,
  };
  // Service workers could fetch past the routes: none may register.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  // No step has a deadline of its own: the hard timeout below bounds them all.
  context.setDefaultTimeout(0);
  // data: and blob: URLs never reach a route: they are the page's own content.
  await context.route('**/*', (route) => {
    if (route.request().url() === pageUrl) return route.continue();
    found.requests.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(/.*/, (socket) => {
    found.requests.push(socket.url());
    socket.close();
  });
  await context.addInitScript(recordCspViolations);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') found.console_errors.push(message.text());
    if (message.type() === 'warning') found.console_warnings.push(message.text());
  });
  page.on('pageerror', (error) => found.page_errors.push(`${error.name}: ${error.message}`));

  const start = performance.now();
  try {
    await page.goto(pageUrl, { waitUntil: 'load' });
  } catch (error) {
    fail(exitCode.failed, `${pageUrl} did not load: ${error.message}`);
  }
  found.load_ms = Math.round(performance.now() - start);

  for (const { name, expression } of options.evals) {
    try {
      const value = await page.evaluate(expression);
      found.evals[name] = value === undefined ? null : value;
    } catch (error) {
      fail(exitCode.failed, `--eval ${name} threw: ${error.message}`);
    }
  }
  try {
    await page.screenshot({ path: options.screenshot, fullPage: true });
  } catch (error) {
    fail(exitCode.failed, `screenshot ${options.screenshot} failed: ${error.message}`);
  }
  // Read last: a violation's event is a task queued after the blocked load.
  found.csp_violations = await page.evaluate(() => window.__tlsprobeCspViolations ?? []);
  await browser.close();
  // Requests race each other: sorted, the output is the same on every run.
  found.requests.sort();
  return found;
}

const options = parseArguments(process.argv.slice(2));
// The hard bound: process.exit runs playwright-core's exit hook, which SIGKILLs
// the browser's process group and removes its profile.
setTimeout(() => fail(exitCode.timed_out, `gave up after ${options.timeoutMs} ms`), options.timeoutMs).unref();
const found = await checkPage(options);
process.stdout.write(`${JSON.stringify(found)}\n`);
process.exit(exitCode.checked);
